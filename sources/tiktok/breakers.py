"""A circuit breaker per TikTok endpoint, shared by every process through the cache.

A few 5xx in a row (or one 429) open the endpoint's breaker: syncs stop
calling it for a while, growing with each failure, and the pages keep their
last good data. One success closes it.
"""

import time

from django.core.cache import cache

THRESHOLD = 3
MAX_OPEN_SECONDS = 600
RATE_LIMITED_SECONDS = 60


def _key(endpoint):
    return f"tiktok:breaker:{endpoint}"


def open_until(endpoint):
    """Unix time until which calls to the endpoint are not made (0 when closed)."""
    state = cache.get(_key(endpoint)) or {}
    return state.get("open_until", 0)


def is_open(endpoint, now=None):
    return (time.time() if now is None else now) < open_until(endpoint)


def failure(endpoint, rate_limited=False):
    """Count a 429/5xx; open the breaker after a few in a row (at once for 429)."""
    state = cache.get(_key(endpoint)) or {"failures": 0, "open_until": 0}
    state["failures"] += 1
    if rate_limited:
        state["open_until"] = time.time() + RATE_LIMITED_SECONDS
    elif state["failures"] >= THRESHOLD:
        delay = min(30 * 2 ** (state["failures"] - THRESHOLD), MAX_OPEN_SECONDS)
        state["open_until"] = time.time() + delay
    cache.set(_key(endpoint), state, 3600)


def success(endpoint):
    if cache.get(_key(endpoint)):
        cache.delete(_key(endpoint))
