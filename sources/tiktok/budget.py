"""The shared TikTok API budget: one token bucket per endpoint for all processes.

TikTok allows about TIKTOK_RATE_LIMIT_PER_MINUTE calls per endpoint in any
sliding minute. A bucket that holds at most BURST_SHARE of that and refills at
RATE_SHARE of it per minute can never spend more than BURST_SHARE + RATE_SHARE
(80%) in any minute, leaving headroom for sign-ins and for clocks. Token
refreshes behind syncs spend from `oauth.token`'s bucket (with two-hour access
tokens nearly every sync refreshes first); sign-ins are never held back.

The bucket lives in Redis (one atomic script) when REDIS_URL is set, otherwise
in the database (one conditional UPDATE). The file and database caches cannot
hold it: their `incr` is a read followed by a write.
"""

import contextlib
import threading
import time

import redis
from django.conf import settings
from django.db import IntegrityError
from django.db.models import F, FloatField, Value
from django.db.models.functions import Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual

from sources.tiktok.models import ApiBudget

ENDPOINTS = ("user.info", "video.list", "video.query", "oauth.token")
BURST_SHARE = 0.2
RATE_SHARE = 0.6

_REDIS_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local take = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local ok = 0
if take > 0 and tokens >= take then
  tokens = tokens - take
  ok = 1
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'u', string.format('%.17g', now))
redis.call('EXPIRE', KEYS[1], 3600)
if take == 0 then return string.format('%.17g', tokens) end
return ok
"""
_local = threading.local()


def capacity():
    return max(1.0, settings.TIKTOK_RATE_LIMIT_PER_MINUTE * BURST_SHARE)


def rate_per_second():
    return settings.TIKTOK_RATE_LIMIT_PER_MINUTE * RATE_SHARE / 60.0


def _redis():
    client = getattr(_local, "redis", None)
    if client is None or getattr(_local, "url", None) != settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        _local.redis, _local.url = client, settings.REDIS_URL
    return client


def _redis_key(endpoint):
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "linkinbio")
    return f"{prefix}:tiktok:budget:{endpoint}"


def _refill_expression(now):
    elapsed = Greatest(Value(0.0), Value(now) - F("updated"), output_field=FloatField())
    return Least(
        Value(capacity()),
        F("tokens") + elapsed * Value(rate_per_second()),
        output_field=FloatField(),
    )


def _ensure_row(endpoint, now):
    with contextlib.suppress(IntegrityError):  # another process made it first
        ApiBudget.objects.create(endpoint=endpoint, tokens=capacity(), updated=now)


def spend(endpoint, now=None):
    """Take one call from the endpoint's budget; False when it is spent."""
    now = time.time() if now is None else now
    if settings.REDIS_URL:
        args = (capacity(), rate_per_second(), now, 1)
        return bool(_redis().eval(_REDIS_SCRIPT, 1, _redis_key(endpoint), *args))
    # One statement: concurrent spenders queue on the row and each re-checks
    # the condition against the row the previous one left.
    refilled = _refill_expression(now)
    take = ApiBudget.objects.filter(GreaterThanOrEqual(refilled, Value(1.0)), endpoint=endpoint)
    if take.update(tokens=refilled - Value(1.0), updated=Value(now)):
        return True
    # Spent, or the row is not there yet (a new endpoint, a reset).
    if ApiBudget.objects.filter(endpoint=endpoint).exists():
        return False
    _ensure_row(endpoint, now)
    return take.update(tokens=refilled - Value(1.0), updated=Value(now)) == 1


def available(endpoint, now=None):
    """How many calls the endpoint's budget allows right now (not spending any)."""
    now = time.time() if now is None else now
    if settings.REDIS_URL:
        args = (capacity(), rate_per_second(), now, 0)
        return int(float(_redis().eval(_REDIS_SCRIPT, 1, _redis_key(endpoint), *args)))
    row = ApiBudget.objects.filter(endpoint=endpoint).first()
    if row is None:
        return int(capacity())
    tokens = min(capacity(), row.tokens + max(0.0, now - row.updated) * rate_per_second())
    return int(tokens)


def reset():
    """Fill every bucket (admin action, tests)."""
    if settings.REDIS_URL:
        _redis().delete(*[_redis_key(e) for e in ENDPOINTS])
    ApiBudget.objects.all().delete()
