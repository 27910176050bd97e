"""The control API for tests and demos: JSON under /sandbox/tiktok/_sandbox/.

Only mounted with the sandbox, and only answers while TIKTOK_SANDBOX_CONTROL is
on and PUBLIC_DEMO off (it has no authentication: on a public demo every
endpoint answers 404, whatever the switch says). No CSRF token needed, but a
POST must say Content-Type: application/json (415 otherwise), which another
site's page cannot send without a CORS preflight. Bad input answers 400
{"error": "..."}, an unknown account 404.

    GET    stats                     {"calls": {"oauth.token": n, "oauth.revoke": n,
                                      "user.info": n, "video.list": n, "video.query": n}}
    POST   reset                     zero counters; clear faults, codes, tokens, rate windows
    GET    faults                    {"faults": [{"endpoint", "kind", "times", "delay"}]}
    POST   faults                    {"endpoint": "video.list" | ... | "*", "kind": "rate_limit" |
                                      "server_error" | "timeout" | "slow" | "malformed" |
                                      "token_invalid", "times": 1, "delay": 2.0,
                                      "variant": "html" | "truncated"}  -> 201
                                     OAuth endpoints only: {"endpoint": "oauth.token" |
                                      "oauth.revoke", "kind": "oauth_error", "error":
                                      "invalid_request" | "invalid_grant" | "invalid_client" |
                                      "server_error" | "temporarily_unavailable" |
                                      "access_denied" | ... (any code), "status": 200, "times": 1}
                                      answers {"error", "error_description", "log_id"} with that
                                      HTTP status; {"endpoint": "oauth.revoke", "kind":
                                      "empty_body"} revokes, then answers 200 with no body;
                                     data endpoints: {"kind": "api_error", "error":
                                      "scope_permission_missed" | ... (any code)} answers
                                      TikTok's envelope with that code; "account": "<username>"
                                      arms api_error, rate_limit, server_error or
                                      token_invalid for that account's calls only
    DELETE faults                    clear them all
    GET    accounts                  {"accounts": [{"username", "display_name", "open_id",
                                      "union_id", "video_count"}]}
    POST   accounts                  {"username", "display_name", "bio_description", "is_verified",
                                      "follower_count", "following_count", "likes_count",
                                      "videos": [{"title", "video_description", "create_time",
                                      "duration", "width", "height", "like_count", "comment_count",
                                      "share_count", "view_count", "is_public"}] | "video_count": N}
                                      -> 201 new (200 updated; given videos replace the old ones)
    GET    accounts/<username>       the account and its videos
    POST   accounts/<username>/videos        {"videos": [...]} or {"video_count": N}
                                             -> 201 {"ids": [...]} (the creator posted)
    DELETE accounts/<username>/videos/<id>   deleted on TikTok
    POST   accounts/<username>/videos/<id>/cover  the creator chose another cover (a new
                                             cover_image_url path) -> {"cover_version": n}
    POST   accounts/<username>/revoke        the user removed the app ({"client_key"} optional)
    POST   accounts/<username>/remove_access {"reason": 0-5, "fault": "" | "twice" | "late" |
                                             "bad_signature", "delay": 10, "client_key"}: revoke
                                             and deliver the signed authorization.removed event
                                             to the app's webhook_url (sandbox/webhooks.py)
                                             -> {"revoked": n, "deliveries": [...]}
    GET    webhooks                  {"deliveries": [{"id", "url", "body", "attempts",
                                      "last_status", "delivered", "dropped", "next_attempt_at"}]}
    POST   webhooks                  make the attempts that are due now -> {"attempts": [status]}
    POST   accounts/<username>/expire        access tokens expire now ({"refresh": true}: all)
    GET    clients                   {"clients": [{"client_key", "name", "redirect_uris",
                                      "scopes"}]}
    POST   clients                   {"client_key", "client_secret", "redirect_uris": [...],
                                      "name", "scopes", "webhook_url"} -> 201 (200 when it
                                      exists: URIs are added)
"""

import json
from functools import wraps

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox import creators, webhooks
from sandbox.app_permissions import controls_on
from sandbox.models import ENDPOINTS, Account, CallCounter, Client, Fault, WebhookDelivery

FAULT_ENDPOINTS = [*ENDPOINTS, "*"]


class BadRequest(Exception):
    pass


def _body(request):
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def _json(body, status=200):
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def control(*methods):
    """A JSON control view: CSRF exempt, method-checked, 400 on bad input.

    The switch is read on every request, so it follows the settings of the
    moment (TIKTOK_SANDBOX_CONTROL off, or a public demo: 404, as if the
    endpoint did not exist).
    """

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not controls_on():
                raise Http404("No such page.")
            if request.method not in methods:
                return _json({"error": f"Use {' or '.join(methods)}."}, 405)
            if request.method == "POST" and request.content_type != "application/json":
                # A form or text/plain POST from another site's page (sent
                # without a CORS preflight) must not drive a developer's sandbox.
                return _json({"error": "Send JSON (Content-Type: application/json)."}, 415)
            try:
                return view(request, *args, **kwargs)
            except BadRequest as exc:
                return _json({"error": str(exc)}, 400)
            except Account.DoesNotExist:
                return _json({"error": "No such account."}, 404)

        return wrapper

    return decorator


@control("GET")
def stats(request):
    return _json(CallCounter.snapshot())


@control("POST")
def reset(request):
    creators.reset()
    return _json({})


@control("GET", "POST", "DELETE")
def faults(request):
    if request.method == "DELETE":
        Fault.objects.all().delete()
        return _json({})
    if request.method == "GET":
        armed = Fault.objects.filter(remaining__gt=0)
        return _json({"faults": [fault.as_dict() for fault in armed]})
    body = _body(request)
    if body.get("endpoint") not in FAULT_ENDPOINTS:
        raise BadRequest(f"endpoint must be one of {', '.join(FAULT_ENDPOINTS)}.")
    if body.get("kind") not in Fault.KINDS:
        raise BadRequest(f"kind must be one of {', '.join(Fault.KINDS)}.")
    times = body.get("times", 1)
    delay = body.get("delay", 2.0)
    variant = body.get("variant", "")
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 100_000:
        raise BadRequest("times must be an integer from 1 to 100000.")
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 3600:
        raise BadRequest("delay must be a number of seconds, at most 3600.")
    if variant not in ("", "html", "truncated"):
        raise BadRequest("variant must be html or truncated.")
    error, status = _oauth_fault(body)
    error = error or _api_fault(body)
    account = _fault_account(body)
    fault = Fault.objects.create(
        endpoint=body["endpoint"],
        kind=body["kind"],
        remaining=times,
        delay=float(delay),
        variant=variant,
        error=error,
        status=status,
        account=account,
    )
    return _json(fault.as_dict(), 201)


def _api_fault(body):
    """The code of an api_error fault (a data endpoint's error.code)."""
    if body["kind"] != "api_error":
        return ""
    if body["endpoint"] not in ("user.info", "video.list", "video.query"):
        raise BadRequest("api_error is a fault of user.info, video.list or video.query.")
    error = body.get("error")
    if not isinstance(error, str) or not 0 < len(error) <= 40 or error == "ok":
        raise BadRequest("error must be a Display API error code such as scope_permission_missed.")
    return error


def _fault_account(body):
    """The username a fault is armed for ("" for everybody)."""
    username = body.get("account", "")
    if not username:
        return ""
    if not isinstance(username, str):
        raise BadRequest("account must be a username.")
    if body["kind"] not in Fault.ACCOUNT_KINDS:
        raise BadRequest(f"A fault for one account is one of {', '.join(Fault.ACCOUNT_KINDS)}.")
    return Account.objects.get(username=username).username


def _oauth_fault(body):
    """(error, status) of an oauth_error fault; checks where the OAuth kinds may go."""
    kind, where = body["kind"], body["endpoint"]
    if kind == "empty_body" and where != "oauth.revoke":
        raise BadRequest("empty_body is a fault of oauth.revoke.")
    if kind != "oauth_error":
        return "", 200
    if where not in ("oauth.token", "oauth.revoke"):
        raise BadRequest("oauth_error is a fault of oauth.token or oauth.revoke.")
    error, status = body.get("error"), body.get("status", 200)
    if not isinstance(error, str) or not 0 < len(error) <= 40:
        raise BadRequest(f"error must be an OAuth error code such as {Fault.OAUTH_ERRORS[0]}.")
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
        raise BadRequest("status must be an HTTP status from 200 to 599.")
    return error, status


@control("GET", "POST")
def account_list(request):
    if request.method == "GET":
        return _json({"accounts": [creators.describe(a) for a in Account.objects.all()]})
    body = _body(request)
    try:
        account, created = creators.upsert(body)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    return _json(creators.describe(account), 201 if created else 200)


@control("GET")
def account_detail(request, username):
    account = Account.objects.get(username=username)
    return _json(creators.describe(account, with_videos=True))


@control("POST")
def account_videos(request, username):
    account = Account.objects.get(username=username)
    body = _body(request)
    try:
        videos = creators.add_videos(account, body.get("videos"), body.get("video_count", 0))
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    return _json({"ids": [v.video_id for v in videos]}, 201)


@control("DELETE")
def account_video(request, username, video_id):
    account = Account.objects.get(username=username)
    deleted, _ = account.videos.filter(video_id=video_id).delete()
    if not deleted:
        return _json({"error": "No such video."}, 404)
    return _json({})


@control("POST")
def account_video_cover(request, username, video_id):
    account = Account.objects.get(username=username)
    cover_version = creators.change_cover(account, video_id)
    if cover_version is None:
        return _json({"error": "No such video."}, 404)
    return _json({"cover_version": cover_version})


@control("POST")
def account_revoke(request, username):
    account = Account.objects.get(username=username)
    body = _body(request)
    return _json({"revoked": creators.remove_app(account, body.get("client_key"))})


@control("POST")
def account_remove_access(request, username):
    account = Account.objects.get(username=username)
    body = _body(request)
    client = None
    if body.get("client_key"):
        client = Client.lookup(str(body["client_key"]))
        if client is None:
            raise BadRequest("No such client_key.")
    reason, delay = body.get("reason", 1), body.get("delay", 10.0)
    if isinstance(reason, bool) or not isinstance(reason, int):
        raise BadRequest("reason must be an integer from 0 to 5.")
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 3600:
        raise BadRequest("delay must be a number of seconds, at most 3600.")
    try:
        revoked, deliveries = webhooks.remove_access(
            account, reason, client=client, fault=str(body.get("fault") or ""), delay=delay
        )
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    return _json({"revoked": revoked, "deliveries": [d.as_dict() for d in deliveries]})


@control("GET", "POST")
def webhook_deliveries(request):
    if request.method == "POST":
        return _json({"attempts": webhooks.deliver_due()})
    return _json({"deliveries": [d.as_dict() for d in WebhookDelivery.objects.all()]})


@control("POST")
def account_expire(request, username):
    account = Account.objects.get(username=username)
    body = _body(request)
    return _json({"expired": creators.expire_tokens(account, bool(body.get("refresh")))})


@control("GET", "POST")
def clients(request):
    if request.method == "GET":
        Client.ensure_default()
        return _json({"clients": [_describe_client(c) for c in Client.objects.order_by("id")]})
    body = _body(request)
    key = body.get("client_key") or settings.TIKTOK_CLIENT_KEY
    uris = body.get("redirect_uris", [])
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        raise BadRequest("redirect_uris must be a list of URLs.")
    scopes = body.get("scopes")
    if scopes is not None and not isinstance(scopes, list):
        raise BadRequest("scopes must be a list.")
    existed = Client.objects.filter(client_key=key).exists()
    if key == settings.TIKTOK_CLIENT_KEY:
        Client.ensure_default()
    webhook_url = body.get("webhook_url")
    if webhook_url is not None and not isinstance(webhook_url, str):
        raise BadRequest("webhook_url must be a URL (or empty for none).")
    client = Client.register(
        key, body.get("client_secret"), uris, body.get("name"), scopes, webhook_url
    )
    return _json(_describe_client(client), 200 if existed else 201)


def _describe_client(client):
    return {
        "client_key": client.client_key,
        "name": client.name,
        "redirect_uris": client.redirect_uris,
        "scopes": client.scope_list,
        "webhook_url": client.webhook_url,
    }
