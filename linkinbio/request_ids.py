"""A request id on every answer and on every log line written while it is served.

The id is the proxy's `X-Request-ID` when it sent a sane one (so a line in
the load balancer's log and ours can be matched), otherwise a new random
one; the answer carries it back in `X-Request-ID`. Log records get it as
`request_id` (None outside a request: the workers, the scheduler).
"""

import contextvars
import logging
import os
import re

from django.core.signals import request_finished
from django.dispatch import receiver

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,64}")
current = contextvars.ContextVar("request_id", default=None)


def new_id(offered=None):
    """The proxy's id when it looks like one, else a fresh one."""
    if offered and _SANE.fullmatch(offered):
        return offered
    # As random as uuid4().hex and as long, for a fifth of its cost on every warm page.
    return os.urandom(16).hex()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = new_id(request.META.get("HTTP_X_REQUEST_ID"))
        # Kept until the response is closed: Django logs "Not Found: …" and
        # the like after the middleware has returned.
        current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def _forget(**kwargs):
    current.set(None)


class RequestIdFilter(logging.Filter):
    """Gives each record the id of the request being served (or None)."""

    def filter(self, record):
        record.request_id = current.get()
        return True
