"""TikTok's webhooks: the callback URL registered for the app.

TikTok POSTs JSON events signed in `TikTok-Signature: t=<unix>,s=<hex>`, an
HMAC-SHA256 keyed with the client secret over "<t>.<raw body>" ("Check the
signature"), at least once, retrying with backoff for 72 hours until it gets
a 200. The callback checks the signature on the raw body in constant time,
refuses a timestamp far from now (a replay), stores the event once and
answers 200 at once; a task acts on it (removals.py).
"""

import hashlib
import hmac
import json
import logging
import re
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sources.tiktok.models import WebhookEvent
from sources.tiktok.tasks import handle_webhook_event

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "TikTok-Signature"
REMOVED = "authorization.removed"


class BadSignature(Exception):
    """The delivery is not TikTok's, or not from now."""


def signature(raw_body, secret, timestamp):
    """The hex HMAC-SHA256 TikTok sends for this body at this time."""
    payload = str(timestamp).encode() + b"." + raw_body
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


_HEX_SIGNATURE = re.compile(r"[0-9a-f]{64}")
MAX_SIGNATURES = 4


def parse_header(value):
    """(t, [s, ...]) from "t=1633174587,s=abc…"; BadSignature when it is not that shape."""
    timestamp, signatures = None, []
    for part in (value or "").split(","):
        name, _, item = part.strip().partition("=")
        if name == "t" and item.isascii() and item.isdigit() and len(item) <= 12:
            timestamp = int(item)
        elif name == "s" and _HEX_SIGNATURE.fullmatch(item) and len(signatures) < MAX_SIGNATURES:
            # Only what an HMAC-SHA256 can be: anything else (non-ASCII text
            # included, which compare_digest refuses with a TypeError) signs nothing.
            signatures.append(item)
    if timestamp is None or not signatures:
        raise BadSignature("no t= and s= in the signature header")
    return timestamp, signatures


def verify(raw_body, header, *, secret=None, now=None):
    """Raise BadSignature unless `header` signs `raw_body` with the client secret, lately."""
    secret = settings.TIKTOK_CLIENT_SECRET if secret is None else secret
    if not secret:
        raise BadSignature("no client secret to check it with")
    timestamp, signatures = parse_header(header)
    now = time.time() if now is None else now
    if abs(now - timestamp) > settings.TIKTOK_WEBHOOK_TOLERANCE_SECONDS:
        raise BadSignature("the timestamp is too far from now")
    wanted = signature(raw_body, secret, timestamp)
    # Every candidate is compared, so the time taken says nothing of which matched.
    matches = [hmac.compare_digest(wanted, candidate) for candidate in signatures]
    if not any(matches):
        raise BadSignature("the signature does not match")


def _event_key(body):
    """What makes two deliveries the same event (TikTok gives events no id)."""
    parts = [body.get("event"), body.get("user_openid"), body.get("create_time")]
    parts.append(body.get("content"))
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _reason(content):
    """`content` is a JSON string ({"reason": 1}); a dict is tolerated."""
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            return None
    reason = content.get("reason") if isinstance(content, dict) else None
    if not isinstance(reason, int) or isinstance(reason, bool):
        return None
    # TikTok documents 0-5; anything else is "unknown", never a number too
    # large for the column.
    return reason if 0 <= reason <= 5 else None


def _create_time(value):
    return value if isinstance(value, int) and 0 <= value < 2**40 else 0


def receive(body):
    """Store an authorization.removed event once and queue its handling.

    Returns the stored WebhookEvent and whether this delivery was its first.
    """
    key = _event_key(body)
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                key=key,
                event=REMOVED,
                open_id=str(body.get("user_openid") or "")[:100],
                reason=_reason(body.get("content")),
                create_time=_create_time(body.get("create_time")),
            )
            transaction.on_commit(lambda: handle_webhook_event.enqueue(event.pk))
    except IntegrityError:
        WebhookEvent.objects.filter(key=key).update(deliveries=F("deliveries") + 1)
        return WebhookEvent.objects.get(key=key), False
    return event, True


def _answer(status, **body):
    return JsonResponse(body, status=status)


@csrf_exempt
@require_POST
def callback(request):
    raw = request.body
    try:
        verify(raw, request.headers.get(SIGNATURE_HEADER, ""))
    except BadSignature as exc:
        logger.warning("TikTok webhook refused: %s", exc)
        return _answer(401, error="bad signature")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        logger.warning("TikTok webhook refused: the body is not a JSON object")
        return _answer(400, error="not a JSON object")
    event = str(body.get("event") or "")
    if body.get("client_key") not in (None, settings.TIKTOK_CLIENT_KEY):
        logger.warning("TikTok webhook for another app's client key acknowledged and ignored")
        return _answer(200)
    if event != REMOVED:
        logger.info("TikTok webhook %r acknowledged and ignored", event[:64])
        return _answer(200)
    stored, first = receive(body)
    if not first:
        logger.info("TikTok webhook event %s delivered again: nothing to do", stored.pk)
    return _answer(200)
