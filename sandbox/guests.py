"""Who may sign in as whom on the consent screen, and guest accounts.

TikTok keeps a browser signed in to one account, and only that person can
authorize with it. The sandbox stands for that with a signed cookie naming the
account this browser last authorised with. On a private machine (the default)
the consent screen lists every sandbox account, as a developer expects. In a
public demo (settings.PUBLIC_DEMO) it lists none: a stranger continues as the
account their own browser used before, or as a new throw-away guest account
made for them, which is deleted after SANDBOX_GUEST_HOURS. Nobody can pick a
showcased creator, so nobody can edit or delete their page.
"""

import hashlib
import ipaddress
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from sandbox import creators
from sandbox.models import Account

COOKIE = "sandbox_tiktok_account"
NEW = "new"  # the consent form's value for "a new guest account"
UNUSED_GUEST_MINUTES = 15

GUEST_NAMES = ["Sunny", "River", "Maple", "Pixel", "Juniper", "Comet", "Willow", "Echo"]
GUEST_TOPICS = [
    "My first video",
    "Trying a new recipe",
    "Sunday walk",
    "Desk setup tour",
    "Learning to juggle",
    "Answering your questions",
]


class GuestRefused(Exception):
    """No guest account now: too many from this client or in all (429), or
    the form was posted from another site (403)."""

    def __init__(self, message, status=429):
        super().__init__(message)
        self.status = status


def _signer():
    return signing.TimestampSigner(salt="sandbox.account")


def cookie_value(username):
    """The signed cookie value that remembers `username` in a browser."""
    return _signer().sign(username)


def remember(response, account, path):
    response.set_cookie(
        COOKIE,
        cookie_value(account.username),
        path=path,
        max_age=settings.SANDBOX_GUEST_HOURS * 3600,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def remembered(request):
    """The account this browser last authorised with, or None (a forged or stale cookie too)."""
    try:
        username = _signer().unsign(
            request.COOKIES.get(COOKIE, ""), max_age=settings.SANDBOX_GUEST_HOURS * 3600
        )
    except signing.BadSignature:
        return None
    return Account.objects.filter(username=username).first()


def choices(request):
    """(accounts the screen lists, the one chosen by default)."""
    mine = remembered(request)
    if settings.PUBLIC_DEMO:
        return ([mine] if mine else []), (mine.username if mine else NEW)
    accounts = list(Account.objects.filter(guest_until__isnull=True)[:50])
    if mine and mine not in accounts:
        accounts.insert(0, mine)
    chosen = mine.username if mine else (accounts[0].username if accounts else "")
    return accounts, chosen


def account_for(request, choice):
    """The account a consent decision names, if this browser may use it; None if not.

    In a public demo it may make a guest account; raises GuestRefused when
    that is over a limit."""
    if settings.PUBLIC_DEMO:
        if choice == NEW:
            return make_guest(request)
        mine = remembered(request)
        return mine if mine and mine.username == choice else None
    return Account.objects.filter(username=choice).first()


def _client(request):
    """A keyed hash of the client's address (an IPv6 client by its /64),
    unlinkable after the day; never stored."""
    header = settings.CLIENT_IP_HEADER
    address = request.META.get("REMOTE_ADDR", "")
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        address = value.split(",")[-1].strip() or address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        pass
    else:
        if ip.version == 6 and not ip.ipv4_mapped:
            address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    day = int(time.time() // 86400)
    material = f"sandbox guests {day} {address}".encode()
    return hashlib.blake2b(material, key=settings.SECRET_KEY.encode()[:64], digest_size=12)


def _from_another_site(request):
    # Browsers say where a form was posted from: a page elsewhere posting the
    # consent form from its visitors' browsers makes no guests.
    return request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none")


def make_guest(request):
    """A fresh account with a few videos, for this browser only.

    It lives UNUSED_GUEST_MINUTES until an app exchanges its code
    (`keep_guest`), so guests made and never used free their place soon."""
    if _from_another_site(request):
        raise GuestRefused(
            "Open the sign-in from the app to continue as a new guest account.", status=403
        )
    alive = Account.objects.filter(guest_until__gt=timezone.now()).count()
    if alive >= settings.SANDBOX_GUEST_LIMIT:
        raise GuestRefused(
            "The demo has as many guests as it can take right now. Please try again in an hour."
        )
    key = "sandbox:guests:" + _client(request).hexdigest()
    cache.add(key, 0, 3600)  # an hour from this client's first guest
    try:
        made = cache.incr(key)
    except ValueError:  # expired between add and incr
        made = 1
    if made > settings.SANDBOX_GUESTS_PER_HOUR:
        raise GuestRefused(
            "You have made several guest accounts in the last hour. "
            "Continue with the one you have, or try again later."
        )
    created = False
    while not created:  # a name no one has, so no one else's guest is handed out
        suffix = secrets.token_hex(4)
        name = GUEST_NAMES[int(suffix, 16) % len(GUEST_NAMES)]
        account, created = creators.upsert(
            {
                "username": f"guest.{suffix}",
                "display_name": f"{name} (guest)",
                "bio_description": "A guest account of the linkinbio demo.",
                "follower_count": 100 + int(suffix, 16) % 900,
                "videos": creators.generated_videos(6, seed=suffix, topics=GUEST_TOPICS),
            }
        )
    account.guest_until = timezone.now() + timedelta(minutes=UNUSED_GUEST_MINUTES)
    account.save(update_fields=["guest_until"])
    return account


def keep_guest(account):
    """An app signed the guest in: it lives its full SANDBOX_GUEST_HOURS from now."""
    if account.guest_until:
        account.guest_until = timezone.now() + timedelta(hours=settings.SANDBOX_GUEST_HOURS)
        account.save(update_fields=["guest_until"])


def live_guests(now=None):
    """How many guest accounts are alive now."""
    return Account.objects.filter(guest_until__gt=now or timezone.now()).count()


def expire_guests(now=None):
    """Delete guest accounts past their time (their tokens and videos go with them)."""
    deleted, _ = Account.objects.filter(guest_until__lte=now or timezone.now()).delete()
    return deleted
