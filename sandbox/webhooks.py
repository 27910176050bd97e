"""TikTok's webhooks as TikTok sends them: a creator removes an app's access.

`remove_access` revokes the account's tokens for the app and queues the
`authorization.removed` event for the app's callback URL. Deliveries are
POSTed apart from the request that caused them (a thread of the process, as
TikTok's own queue would), signed `TikTok-Signature: t=<unix>,s=<hex>` (an
HMAC-SHA256 keyed with the app's secret over "<t>.<body>", signed again at
each attempt), and retried with exponential backoff until the app answers
200 or 72 hours have passed. Faults:

- "twice": the same event is delivered twice;
- "late": the first attempt waits `delay` seconds;
- "bad_signature": the first attempt is signed with a wrong key.

`deliver_due()` makes every attempt that is due now; tests call it instead of
the thread. Deliveries a process had not made when it stopped are made by
the next `deliver_due()` (the next removal, or POST _sandbox/webhooks).
"""

import hashlib
import hmac
import json
import logging
import threading
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import F
from django.utils import timezone

from sandbox import creators
from sandbox.models import Client, WebhookDelivery

logger = logging.getLogger(__name__)

FAULTS = ("", "twice", "late", "bad_signature")
REASONS = range(6)  # 0 unknown … 5 the developer revoked (TikTok's "Webhook events")
GIVE_UP = timedelta(hours=72)
TIMEOUT = 5
session = requests.Session()
session.headers["User-Agent"] = "TikTok-Webhooks (sandbox)"


def sign(body, secret, timestamp):
    """The TikTok-Signature header for `body` (bytes) signed at `timestamp`."""
    payload = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


def event_body(client, account, reason, created=None):
    """The JSON body of an authorization.removed event (`content` is a JSON string)."""
    return json.dumps(
        {
            "client_key": client.client_key,
            "event": "authorization.removed",
            "create_time": int(created if created is not None else time.time()),
            "user_openid": account.open_id_for(client.client_key),
            "content": json.dumps({"reason": reason}),
        }
    )


def remove_access(account, reason, *, client=None, fault="", delay=10.0, background=True):
    """The user removed the app (or TikTok did, for `reason`): revoke, then tell the app.

    Returns (tokens revoked, deliveries queued).
    """
    if reason not in REASONS:
        raise ValueError("reason must be 0 to 5.")
    if fault not in FAULTS:
        raise ValueError(f"fault must be one of {', '.join(f for f in FAULTS if f)}.")
    client = client or Client.ensure_default()
    now = timezone.now()
    with transaction.atomic():
        revoked = creators.remove_app(account, client.client_key)
        deliveries = []
        if client.webhook_url:
            body = event_body(client, account, reason)
            first = now + timedelta(seconds=delay) if fault == "late" else now
            for _ in range(2 if fault == "twice" else 1):
                deliveries.append(
                    WebhookDelivery.objects.create(
                        client=client,
                        url=client.webhook_url,
                        body=body,
                        created=now,
                        next_attempt_at=first,
                        bad_signatures=1 if fault == "bad_signature" else 0,
                    )
                )
        if deliveries and background:
            transaction.on_commit(start_delivering)
    return revoked, deliveries


def _backoff(attempts):
    base = settings.TIKTOK_SANDBOX_WEBHOOK_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def attempt(delivery):
    """POST one delivery once (if no other thread took this attempt); returns its status."""
    now = timezone.now()
    taken = WebhookDelivery.objects.filter(
        pk=delivery.pk,
        delivered_at=None,
        dropped=False,
        next_attempt_at=delivery.next_attempt_at,
    ).update(
        attempts=F("attempts") + 1,
        next_attempt_at=now + timedelta(seconds=TIMEOUT * 3),
    )
    if not taken:
        return "taken"
    delivery.refresh_from_db()
    secret = delivery.client.client_secret
    if delivery.bad_signatures:
        secret = "not-" + secret
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            bad_signatures=F("bad_signatures") - 1
        )
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "TikTok-Signature": sign(body, secret, int(time.time())),
    }
    try:
        response = session.post(delivery.url, data=body, headers=headers, timeout=TIMEOUT)
        status = str(response.status_code)
    except requests.RequestException as exc:
        status = type(exc).__name__
    now = timezone.now()
    update = {"last_status": status[:100]}
    if status == "200":
        update["delivered_at"] = now
    else:
        update["next_attempt_at"] = now + _backoff(delivery.attempts)
        update["dropped"] = update["next_attempt_at"] > delivery.created + GIVE_UP
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**update)
    return status


def deliver_due():
    """Make every delivery attempt that is due now; returns their statuses."""
    due = WebhookDelivery.objects.filter(
        delivered_at=None, dropped=False, next_attempt_at__lte=timezone.now()
    ).select_related("client")
    return [attempt(delivery) for delivery in due]


def next_due():
    """When the next pending attempt is due, or None."""
    pending = WebhookDelivery.objects.filter(delivered_at=None, dropped=False)
    return pending.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()


_running = threading.Lock()


def start_delivering():
    """Deliver in a thread of this process until nothing is pending (one thread at a time)."""
    if _running.acquire(blocking=False):
        threading.Thread(target=_deliver_until_done, name="sandbox-webhooks", daemon=True).start()


def _deliver_until_done():
    try:
        while True:
            close_old_connections()
            deliver_due()
            upcoming = next_due()
            if upcoming is None:
                return
            time.sleep(min(max((upcoming - timezone.now()).total_seconds(), 0.05), 60))
    except Exception:
        logger.exception("Sandbox webhook deliveries stopped")
    finally:
        connections.close_all()
        _running.release()
