"""Errors to Sentry when SENTRY_DSN is set, scrubbed before they leave.

An event may carry what this site promises never to send anywhere: TikTok
tokens and authorization codes (in a query string, a form, an exception's
message or a local variable), the OAuth state, session and CSRF cookies, the
client secret, and visitors' addresses. `scrub` removes them from every event
before the SDK sends it; Sentry's own "send default PII" stays off.
"""

import re

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from linkinbio.secret_text import FILTERED, SECRET_KEYS
from linkinbio.secret_text import scrub as scrub_text

QUERY_PAIR = re.compile(r"([^&=]+)=([^&]*)")

_text = scrub_text


def _query(value):
    def pair(match):
        key = match[1]
        return f"{key}={FILTERED}" if key.lower() in SECRET_KEYS else f"{key}={_text(match[2])}"

    return QUERY_PAIR.sub(pair, value)


def _clean(value, depth=0):
    """A copy of value with secret keys' values and secret-looking text filtered."""
    if depth > 20:
        return FILTERED
    if isinstance(value, dict):
        return {
            key: FILTERED if str(key).lower() in SECRET_KEYS else _clean(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_clean(item, depth + 1) for item in value]
    if isinstance(value, str):
        return _text(value)
    return value


def scrub(event, hint=None):
    """Sentry's before_send: the event without tokens, codes, cookies or addresses."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("env", None)  # REMOTE_ADDR, SERVER_NAME
        if isinstance(request.get("query_string"), str):
            request["query_string"] = _query(request["query_string"])
        if isinstance(request.get("url"), str):
            request["url"] = _text(request["url"].split("?", 1)[0])
        for part in ("headers", "data"):
            if part in request:
                request[part] = _clean(request[part])
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {k: v for k, v in user.items() if k == "id"}
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = _text(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            for part in ("vars", "pre_context", "context_line", "post_context"):
                if part in frame:
                    frame[part] = _clean(frame[part])
    for key in ("logentry", "extra", "contexts", "tags"):
        if key in event:
            event[key] = _clean(event[key])
    if isinstance(event.get("message"), str):
        event["message"] = _text(event["message"])
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        breadcrumbs["values"] = _clean(breadcrumbs.get("values") or [])
    elif isinstance(breadcrumbs, list):
        event["breadcrumbs"] = _clean(breadcrumbs)
    return event


def init(dsn, *, release="", environment="", transport=None):
    """Start sending errors to Sentry (settings call this when SENTRY_DSN is set)."""
    options = {
        "dsn": dsn,
        # Django's unhandled errors only: no integration of a library the site does
        # not use, and no log records (they have their own path to the operator).
        "default_integrations": False,
        "integrations": [DjangoIntegration()],
        # Source lines around a frame may hold a literal; the traceback's lines and locals do.
        "include_source_context": False,
        "before_send": scrub,
        "before_breadcrumb": lambda crumb, hint: _clean(crumb),
        "traces_sample_rate": 0.0,
        "release": release or None,
        "environment": environment or None,
    }
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
