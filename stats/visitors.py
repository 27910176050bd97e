"""Telling visitors apart for an hour, without knowing who they are.

A visitor is a keyed hash of their address and browser. The key is a random
salt made for each day and kept only in the cache (and the processes'
memory) for two days, then thrown away: once it is gone, nobody (not even
with SECRET_KEY and the database) can tell whose hash was whose, or match
yesterday's hashes with today's. The hash itself only ever lives in
short-lived cache keys: it is never written to the database, a log or a
response. Used to count a click or a view once per visitor and window, and
to count a page's unique visitors per day.

An address alone (an IPv6 client by its /64, the block one subscriber gets)
is hashed the same way: reports are capped per address, and one address adds
at most NEW_VISITORS_PER_ADDRESS new visitors to a page an hour, so that a
client sending a new User-Agent with each request cannot pump up the counts.
That bound is kept in each process's memory, under the hash: nothing stored.

With the file cache, two processes starting a day at the same instant may
each make a salt; one of them wins in the cache and the other keeps its own
until it restarts, so a visitor served by both may count twice that day.

While the shared cache is unreachable (Redis down), each process goes on
alone: it keeps the day's salt it has (or makes one, and takes the shared
one once the cache is back), and counts first times and hits in its own
bounded memory, so limits still hold per process and no click goes uncounted.
"""

import functools
import hashlib
import ipaddress
import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache

from pages.cache import reachable


def client_address(request):
    """The visitor's address: REMOTE_ADDR, or the last address of the header
    the site's proxy sets (CLIENT_IP_HEADER), which a client cannot forge.
    Anything in that header that is not an address (a client reaching the
    site past its proxy can send any text) is ignored: the login lockout
    stores the address in a column that takes only addresses. The port some
    proxies add (203.0.113.9:51234, [2001:db8::5]:443) is not part of it:
    each connection of one client comes from another."""
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        address = _without_port(value.split(",")[-1].strip())
        if _is_address(address):
            return address
    return request.META.get("REMOTE_ADDR", "")


def _is_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _without_port(address):
    if address.startswith("["):
        return address[1:].split("]", 1)[0]
    if address.count(":") == 1:  # IPv4 and a port; an IPv6 address has at least two
        return address.split(":", 1)[0]
    return address


SALT_SECONDS = 2 * 86400
_salts = {}
_unshared = set()  # days whose salt this process made while the cache was away
_salts_lock = threading.Lock()


def _day_key(day):
    """The day's salt: made once, shared through the cache, never stored elsewhere."""
    salt = _salts.get(day)
    if salt is None or (_unshared and day in _unshared and reachable()):
        with _salts_lock:
            key = f"pages:visitors:salt:{day}"
            cache.add(key, _salts.get(day) or secrets.token_bytes(32), SALT_SECONDS)
            salt = cache.get(key)
            if salt is None:
                salt = _salts.get(day) or secrets.token_bytes(32)
                _unshared.add(day)
            else:
                _unshared.discard(day)
            for old in [known for known in _salts if known < day - 1]:
                del _salts[old]
                _unshared.discard(old)
            _salts[day] = salt
    return salt


def forget_salts():
    """Drop the salts this process remembers (the cache's expire on their own)."""
    _salts.clear()
    _unshared.clear()


def day_of(now=None):
    """The day number (UTC) that a hash made at `now` belongs to."""
    return int((time.time() if now is None else now) // 86400)


def visitor_hash(request, now=None, about=""):
    """A short-lived, keyed hash of the client; the same all day, unlinkable
    after. `about` (say a page id) gives a hash of the client and that thing,
    which tells neither without the key."""
    day = day_of(now)
    client = f"{client_address(request)}|{request.META.get('HTTP_USER_AGENT', '')}|{about}"
    return hashlib.blake2b(client.encode(), key=_day_key(day), digest_size=12).hexdigest()


@functools.lru_cache(maxsize=4096)
def _network(address):
    """The part of an address that names one client: all of an IPv4 address,
    the /64 of an IPv6 one (an IPv4 one written as IPv6 is that IPv4 address)."""
    if ":" not in address:
        return address
    try:
        ip = ipaddress.IPv6Address(address.split("%", 1)[0])
    except ValueError:
        return address
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False).network_address)


def address_hash(request, now=None, about=""):
    """A keyed hash of the client's address alone (its /64 for IPv6), like
    visitor_hash: whatever browser it says it is, the same all day."""
    client = f"{_network(client_address(request))}|{about}"
    return hashlib.blake2b(client.encode(), key=_day_key(day_of(now)), digest_size=12).hexdigest()


# A family, a class or a café behind one address is a few browsers an hour on
# one creator's page; a script rotating its User-Agent is thousands.
NEW_VISITORS_PER_ADDRESS = 20
ADDRESSES_REMEMBERED = 50_000
_admitted = OrderedDict()  # hash() of (network, page id, hour) -> hash() of the clients admitted
_admitted_lock = threading.Lock()


def admits(request, page_id, now=None):
    """Whether this client may count on the page now: the visitors one address
    counts as on a page in an hour are at most NEW_VISITORS_PER_ADDRESS (in
    this process; each process has its own bound). A visitor is the whole
    address and the agent, as visitor_hash tells them, so an IPv6 client
    walking through the addresses of its /64 is bounded like one rotating
    its User-Agent."""
    now = time.time() if now is None else now
    address = client_address(request)
    # Python's hash() of a string is keyed by a secret of the process, which
    # is all that memory needs (and cheaper than address_hash).
    key = hash((_network(address), page_id, int(now // 3600)))
    client = hash((address, request.META.get("HTTP_USER_AGENT", "")))
    with _admitted_lock:
        # A tuple of ints, not a set: the garbage collector leaves it alone.
        clients = _admitted.get(key, ())
        if client in clients:
            return True
        if len(clients) >= NEW_VISITORS_PER_ADDRESS:
            return False
        _admitted[key] = (*clients, client)
        _admitted.move_to_end(key)
        while len(_admitted) > ADDRESSES_REMEMBERED:
            _admitted.popitem(last=False)
        return True


def forget_admitted():
    """Drop the addresses this process remembers (tests)."""
    with _admitted_lock:
        _admitted.clear()


def first_time(key, seconds):
    """True the first time `key` is seen within `seconds` (one cache entry, no read)."""
    if cache.add(key, 1, seconds):
        return True
    return False if reachable() else _alone.hit(key, seconds) == 1


def hits(key, seconds):
    """Count one hit on `key`; returns the hits within the window. A cap, not a
    tally: on the file cache two processes may both count the same number."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # evicted meanwhile, or the cache is away
        if not reachable():
            return _alone.hit(key, seconds)
        cache.set(key, 1, seconds)
        return 1


class Tally:
    """Hits per key within a window, in this process's memory only (bounded:
    the oldest keys go first), for while the shared cache is away."""

    def __init__(self, max_keys):
        self.max_keys = max_keys
        self.keys = OrderedDict()  # key -> (hits, monotonic end of its window)
        self.lock = threading.Lock()

    def hit(self, key, seconds):
        now = time.monotonic()
        with self.lock:
            count, until = self.keys.get(key, (0, 0.0))
            if until <= now:
                count, until = 0, now + seconds
            self.keys[key] = (count + 1, until)
            self.keys.move_to_end(key)
            while len(self.keys) > self.max_keys:
                self.keys.popitem(last=False)
            return count + 1

    def clear(self):
        with self.lock:
            self.keys.clear()


_alone = Tally(100_000)
