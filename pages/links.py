"""What a creator's link may point to: http, https, mailto and tel only, never a
blocked domain."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")
_TEL = re.compile(r"^\+?[0-9 ().-]{3,30}$")
_web = URLValidator(schemes=["http", "https"])
_email = EmailValidator()


def link_host(url):
    """The lower-case host of an http(s) link, or "" for other kinds."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    return (parts.hostname or "").lower().rstrip(".")


def _parents(host):
    """The host and its parent domains (not the bare top-level domain)."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def is_blocked(host):
    """Whether the host or one of its parent domains is on the blocked list."""
    return bool(host) and bool(blocked_hosts([host]))


def blocked_hosts(hosts):
    """The hosts among `hosts` that are blocked, in one query."""
    from pages.models import BlockedDomain  # a real cycle: models validate with this module

    hosts = {host for host in hosts if host}
    candidates = {parent for host in hosts for parent in _parents(host)}
    if not candidates:
        return set()
    blocked = set(
        BlockedDomain.objects.filter(domain__in=candidates).values_list("domain", flat=True)
    )
    return {host for host in hosts if blocked.intersection(_parents(host))}


def validate_link_url(value):
    """Refuse anything but a well-formed http, https, mailto or tel link."""
    value = (value or "").strip()
    if any(ch in value for ch in "\x00\r\n\t"):
        raise ValidationError("Links cannot contain control characters.", code="invalid")
    scheme = urlsplit(value).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise ValidationError(
            "Use a web address (https://…), an e-mail (mailto:…) or a phone number (tel:…).",
            code="scheme",
        )
    if scheme in ("http", "https"):
        try:
            _web(value)
        except ValidationError:
            raise ValidationError("This web address does not look right.", code="invalid") from None
        if is_blocked(link_host(value)):
            raise ValidationError("Links to this site are not allowed here.", code="blocked")
    elif scheme == "mailto":
        address = value[len("mailto:") :].split("?", 1)[0]
        try:
            _email(address)
        except ValidationError:
            message = "This e-mail address does not look right."
            raise ValidationError(message, code="invalid") from None
    elif not _TEL.match(value[len("tel:") :]):
        raise ValidationError("This phone number does not look right.", code="invalid")


def normalize_link_url(value):
    """Add https:// to a bare domain such as "shop.example.com/x"."""
    value = (value or "").strip()
    if value and ":" not in value.split("/", 1)[0] and "." in value.split("/", 1)[0]:
        return "https://" + value
    return value
