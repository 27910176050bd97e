"""The demo: creators of the TikTok sandbox connected to the product through
the real sign-in path, so `make run` shows live pages before anyone signs in.

The sandbox is filled by its own `seed_sandbox` command; everything here talks
to it over HTTP, exactly as the product talks to TikTok.
"""

import secrets
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.deletion import delete_creator
from editor.forms import AppearanceForm, VideosShownForm
from pages import publish
from pages.models import Page
from sandbox import guests
from sources.tiktok import client
from sources.tiktok.connect import sign_in_creator
from sources.tiktok.provider import pkce_pair
from sources.tiktok.scopes import user_info_fields
from sources.tiktok.views import granted_scopes

# The sandbox creators who also get a page in the product itself.
PAGE_CREATORS = ["mayacooks", "dailysketch.jo"]

# The links a demo creator would have added on their dashboard.
DEMO_LINKS = {
    "mayacooks": [
        ("My cookbook: Weeknight Dinners", "https://example.com/maya/cookbook"),
        ("Free weekly meal plan", "https://example.com/maya/newsletter"),
        ("The pans and knives I use", "https://example.com/maya/kitchen"),
        ("Brand collaborations", "mailto:collabs@example.com"),
    ],
    "dailysketch.jo": [
        ("Prints and originals", "https://example.com/jo/shop"),
        ("Sketchbook class for beginners", "https://example.com/jo/class"),
        ("Commission a portrait", "mailto:jo@example.com"),
    ],
}


class DemoSignInFailed(Exception):
    pass


def connect_demo_creator(sandbox_username, *, scopes=None):
    """Sign a sandbox creator in as if they had pressed Allow; returns the User.

    Posts the sandbox's consent form over HTTP (the server must be running at
    SITE_URL), exchanges the code with PKCE through the TikTok client, then
    creates user, connection and page exactly as the callback does and queues
    the first sync. Running it again for the same creator refreshes their
    connection and keeps their user and page.
    """
    scopes = list(scopes or settings.TIKTOK_SCOPES)
    redirect_uri = settings.SITE_URL + reverse("tiktok_callback")
    state = secrets.token_urlsafe(16)
    query = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "scope": ",".join(scopes),
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "state": state,
    }
    verifier = None
    if settings.TIKTOK_PKCE != "off":
        verifier, challenge = pkce_pair(settings.TIKTOK_PKCE)
        query.update(code_challenge=challenge, code_challenge_method="S256")
    consent = f"{settings.TIKTOK_AUTH_BASE}/v2/auth/authorize/?{urlencode(query)}"
    # As the browser that last authorised with that account: a public demo's
    # consent screen offers no one else's.
    response = client.session.post(
        consent,
        data={"account": sandbox_username, "scope": scopes, "decision": "allow"},
        cookies={guests.COOKIE: guests.cookie_value(sandbox_username)},
        allow_redirects=False,
        timeout=(settings.TIKTOK_CONNECT_TIMEOUT, settings.TIKTOK_READ_TIMEOUT),
    )
    location = response.headers.get("Location", "")
    if response.status_code != 302 or not location.startswith(redirect_uri):
        raise DemoSignInFailed(
            f"The sandbox did not authorize @{sandbox_username} (HTTP {response.status_code})."
        )
    answer = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    if answer.get("state") != state or "code" not in answer:
        raise DemoSignInFailed(f"The sandbox refused: {answer.get('error', 'no code')}.")
    token_set = client.exchange_code(
        answer["code"], redirect_uri=redirect_uri, code_verifier=verifier
    )
    token_set.scopes = granted_scopes(answer.get("scopes"), token_set.scopes)
    profile = client.user_info(token_set.access_token, user_info_fields(token_set.scopes))
    return sign_in_creator(token_set, {**profile, "open_id": token_set.open_id})


def add_demo_links(page, username):
    """Give a fresh demo page the links its creator would have added; keeps existing ones."""
    if page.links.exists():
        return
    for position, (title, url) in enumerate(DEMO_LINKS.get(username, []), start=1):
        page.links.create(title=title, url=url, position=position)
    publish.page_changed(page)


# What a creator can change on their page, back to how the seed made it.
SHOWCASE_FIELDS = [
    field.name
    for field in Page._meta.fields
    if field.name in {*AppearanceForm.Meta.fields, *VideosShownForm.Meta.fields, "socials"}
]


def restore_showcase(page):
    """Put a showcased page back as the seed made it: its settings, its links
    (the seed's, in order), every video shown and unpinned. True if anything changed."""
    changed = False
    for name in SHOWCASE_FIELDS:
        default = Page._meta.get_field(name).get_default()
        if getattr(page, name) != default:
            setattr(page, name, default)
            changed = True
    seeded = DEMO_LINKS.get(page.username, [])
    with transaction.atomic():
        if changed:
            page.save(update_fields=SHOWCASE_FIELDS)
        links = [(link.title, link.url, link.enabled) for link in page.links.order_by("position")]
        if links != [(title, url, True) for title, url in seeded]:
            page.links.all().delete()
            for position, (title, url) in enumerate(seeded, start=1):
                page.links.create(title=title, url=url, position=position)
            changed = True
        videos = page.videos.exclude(hidden=False, pinned=False)
        changed = bool(videos.update(hidden=False, pinned=False)) or changed
        if changed:
            publish.page_changed(page)
    return changed


def reseed_showcase():
    """A public demo's showcased pages, re-seeded every hour; returns how many changed."""
    if not settings.PUBLIC_DEMO:
        return 0
    return sum(restore_showcase(page) for page in Page.objects.filter(is_showcased=True))


def expire_guests(now=None):
    """A public demo's guests go after SANDBOX_GUEST_HOURS: their account and
    page here (as "Delete account" does), then their sandbox account. Staff
    and showcased creators stay. Returns how many creators were deleted."""
    if not settings.PUBLIC_DEMO:
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.SANDBOX_GUEST_HOURS)
    expired = (
        get_user_model()
        .objects.filter(is_staff=False, is_superuser=False, date_joined__lt=cutoff)
        .exclude(page__is_showcased=True)
    )
    deleted = 0
    for user in expired[:200]:
        delete_creator(user)
        deleted += 1
    guests.expire_guests(now)
    return deleted


def live_guests():
    """A public demo's guest accounts alive now (for /metrics)."""
    return guests.live_guests()


def server_is_up(timeout=1.0):
    try:
        return requests.get(f"{settings.SITE_URL}/healthz", timeout=timeout).ok
    except requests.RequestException:
        return False


def wait_for_server(seconds):
    """Poll SITE_URL/healthz for up to `seconds`; True once it answers."""
    deadline = time.monotonic() + seconds
    while not server_is_up():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)
    return True


def connect_demo_pages(usernames=None, write=print):
    """Give demo creators a product page through the real OAuth path (needs the running server).

    Skips with a note when no server answers at SITE_URL.
    """
    if not server_is_up():
        write(
            f"Demo pages skipped: no server answers at {settings.SITE_URL}. "
            "Start it, then run `manage.py seed_demo --pages`."
        )
        return []
    users = []
    for username in usernames or PAGE_CREATORS:
        try:
            user = connect_demo_creator(username)
        except Exception as exc:  # a demo nicety must not stop the seed
            write(f"Demo page for @{username} failed: {exc.__class__.__name__}: {exc}")
        else:
            users.append(user)
            Page.objects.filter(user=user).update(is_showcased=True)
            if settings.PUBLIC_DEMO:
                user.page.refresh_from_db()
                restore_showcase(user.page)
            else:
                add_demo_links(user.page, username)
            write(f"Demo page for @{username} connected through the sandbox.")
    return users
