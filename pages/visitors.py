"""Telling visitors apart for an hour, without knowing who they are.

A visitor is a keyed hash of their address and browser. The key is derived
from SECRET_KEY and the day, so yesterday's hashes cannot be matched with
today's, and the hash itself only ever lives in short-lived cache keys: it
is never written to the database, a log or a response. Used to cap reports
per reporter and to count a click or a view once per visitor and window.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The visitor's address: REMOTE_ADDR, or the last address of the header
    the site's proxy sets (CLIENT_IP_HEADER), which a client cannot forge."""
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        address = value.split(",")[-1].strip()
        if address:
            return address
    return request.META.get("REMOTE_ADDR", "")


@functools.lru_cache(maxsize=4)
def _day_key(day):
    material = f"linkinbio visitors {day}".encode()
    return hashlib.blake2b(material, key=settings.SECRET_KEY.encode()[:64]).digest()


def visitor_hash(request, now=None, about=""):
    """A short-lived, keyed hash of the client; the same all day, unlinkable
    after. `about` (say a page id) gives a hash of the client and that thing,
    which tells neither without the key."""
    day = int((time.time() if now is None else now) // 86400)
    client = f"{client_address(request)}|{request.META.get('HTTP_USER_AGENT', '')}|{about}"
    return hashlib.blake2b(client.encode(), key=_day_key(day), digest_size=12).hexdigest()


def first_time(key, seconds):
    """True the first time `key` is seen within `seconds` (one cache entry, no read)."""
    return cache.add(key, 1, seconds)


def hits(key, seconds):
    """Count one hit on `key`; returns the hits within the window. A cap, not a
    tally: on the file cache two processes may both count the same number."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # evicted meanwhile
        cache.set(key, 1, seconds)
        return 1
