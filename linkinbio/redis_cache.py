"""Django's Redis cache, for a site that must outlive its Redis.

The shared cache only ever holds what the database or a process can make
again, so losing it must cost speed, never an answer. While Redis cannot be
reached (refused, or silent past a short timeout), this backend behaves as an
empty cache that forgets every write: reads miss, `add` and `incr` find no
key, writes do nothing. Redis may come back with what it held (a network
blip, a paused machine): the keys this process set or deleted meanwhile are
then deleted, so none of them says what was true before the outage (a page's
old version) until it expires; the next reader makes each again from the
database. After a failure it leaves Redis alone for
RETRY_SECONDS (a circuit), so requests do not each wait for a timeout; then
one caller tries again while the others keep skipping.

An outage is logged twice per process, when it starts and when Redis is
back, never once per request. `reachable` says which it is now, for callers
that keep something in their own memory meanwhile (pages/cache.py,
stats/visitors.py).
"""

import logging
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (redis.ConnectionError, redis.TimeoutError)
_DROPPED = object()
# Keys written while Redis was away, to delete once it is back: about 10 MB.
MAX_OWED = 100_000


class OutageTolerantRedisCache(RedisCache):
    """OPTIONS: RETRY_SECONDS (5) between tries while Redis is away, and
    redis-py's socket_connect_timeout (0.5 s) and socket_timeout (1 s)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = options.pop("RETRY_SECONDS", 5)
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_since = None  # monotonic time of this outage's first failure
        self._retry_at = 0.0
        self._lock = threading.Lock()
        self._owed = set()  # keys written while Redis was away
        self._owed_overflow = False

    @property
    def reachable(self):
        """False from a failure until a call succeeds again."""
        return self._down_since is None

    def _call(self, missing, method, *args, **kwargs):
        if self._down_since is not None:
            with self._lock:
                now = time.monotonic()
                if now < self._retry_at:
                    return missing
                self._retry_at = now + self.retry_seconds  # this caller tries; others skip
        try:
            result = method(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._failed(exc)
            return missing
        if self._down_since is not None:
            self._back()
        return result

    def _failed(self, exc):
        with self._lock:
            self._retry_at = time.monotonic() + self.retry_seconds
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        logger.warning(
            "Redis is unreachable (%s): pages are served from memory or rendered from the "
            "database, counts wait in this process; trying again every %s s",
            exc.__class__.__name__,
            self.retry_seconds,
        )

    def _back(self):
        with self._lock:
            if self._down_since is None:
                return
            seconds = time.monotonic() - self._down_since
            self._down_since = None
        logger.warning("Redis is back after %.0f s", seconds)
        self._settle()

    def _write(self, missing, keys, version, method, *args):
        """A write; when Redis is away, its keys are owed a delete."""
        result = self._call(_DROPPED, method, *args)
        if result is not _DROPPED:
            return result
        with self._lock:
            for key in keys:
                if len(self._owed) >= MAX_OWED:
                    self._owed_overflow = True
                    break
                self._owed.add(self.make_and_validate_key(key, version=version))
        return missing

    def _settle(self):
        """Delete the keys written while Redis was away (what it still holds of
        them is older than what this process meant)."""
        with self._lock:
            owed, self._owed = list(self._owed), set()
            overflow, self._owed_overflow = self._owed_overflow, False
        if overflow:
            logger.warning(
                "More than %s keys were written while Redis was away: pages edited meanwhile "
                "may show their older version until it expires",
                MAX_OWED,
            )
        try:
            for start in range(0, len(owed), 1000):
                self._cache.delete_many(owed[start : start + 1000])
        except OUTAGE_ERRORS as exc:
            with self._lock:
                self._owed.update(owed)
            self._failed(exc)

    def add(self, *args, **kwargs):
        return self._call(False, super().add, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._call(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write(None, [key], version, super().set, key, value, timeout, version)

    def touch(self, *args, **kwargs):
        return self._call(False, super().touch, *args, **kwargs)

    def delete(self, key, version=None):
        return self._write(False, [key], version, super().delete, key, version)

    def get_many(self, *args, **kwargs):
        return self._call({}, super().get_many, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call(False, super().has_key, *args, **kwargs)

    def incr(self, key, delta=1, version=None):
        result = self._call(None, super().incr, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (Redis is unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write([], list(data), version, super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._write(None, keys, version, super().delete_many, keys, version)

    def clear(self):
        return self._call(False, super().clear)
