"""What a creator's link may point to: http, https, mailto and tel only, never a
blocked domain, a local or private address, or an address with a password in it.

Hosts are compared in the form browsers reach (pages/safety/hosts.py), and a stored
web address carries that form, so `ｓｐａｍ。example` is `spam.example` here too.
"""

import re
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from pages.safety import hosts
from pages.safety.moderation import BlockedDomain

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")
_TEL = re.compile(r"^\+?[0-9 ().-]{3,30}$")
_web = URLValidator(schemes=["http", "https"])
_email = EmailValidator()


def link_host(url):
    """The normalised host of an http(s) link, or "" for other kinds. A host
    that does not normalise, or an address with credentials, comes back as
    typed, and counts as blocked."""
    try:
        parts = urlsplit(url)
    except ValueError:  # a broken IPv6 literal
        return "?"
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    if "@" in parts.netloc or "\\" in url:  # not where the site thinks it goes
        return parts.netloc
    try:
        return hosts.normalize(parts.hostname)
    except (hosts.BadHost, ValueError):
        return parts.netloc or "?"


def _refused(host):
    """Whether no link may point to this host, whatever the blocked list says."""
    try:
        return hosts.normalize(host) != host or _refusal(host) is not None
    except hosts.BadHost:
        return True


def _refusal(host):
    """Why no link may point to this normalised host, or None. The site's own
    address is always fine (a development site lives on 127.0.0.1)."""
    if host == link_host(settings.SITE_URL):
        return None
    return hosts.refusal(host)


def _parents(host):
    """The host and its parent domains (not the bare top-level domain)."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def is_blocked(host):
    """Whether the host or one of its parent domains is on the blocked list."""
    return bool(host) and bool(blocked_hosts([host]))


def blocked_flags(urls):
    """For each address, whether links to its site are blocked (one query for all)."""
    hosts = [link_host(url) for url in urls]
    blocked = blocked_hosts(hosts)
    return [bool(host) and host in blocked for host in hosts]


def blocked_hosts(hosts):
    """The hosts among `hosts` that are blocked, in one query."""
    wanted = {host for host in hosts if host}
    refused = {host for host in wanted if _refused(host)}
    candidates = {parent for host in wanted - refused for parent in _parents(host)}
    if not candidates:
        return refused
    blocked = set(
        BlockedDomain.objects.filter(domain__in=candidates).values_list("domain", flat=True)
    )
    return refused | {host for host in wanted if blocked.intersection(_parents(host))}


def validate_link_url(value):
    """Refuse anything but a well-formed http, https, mailto or tel link."""
    value = (value or "").strip()
    if any(ch in value for ch in "\x00\r\n\t"):
        raise ValidationError("Links cannot contain control characters.", code="invalid")
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme not in ALLOWED_SCHEMES:
        raise ValidationError(
            "Use a web address (https://…), an e-mail (mailto:…) or a phone number (tel:…).",
            code="scheme",
        )
    if scheme in ("http", "https"):
        value = normalize_web_address(value)
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


def normalize_web_address(value):
    """The http(s) address with its host in the form browsers reach, or
    ValidationError: for a host that does not normalise, a local or private
    address, or a user name or password in the address."""
    invalid = ValidationError("This web address does not look right.", code="invalid")
    if "\\" in value:  # browsers read it as "/": what the site checks is not where they go
        raise invalid
    try:
        parts = urlsplit(value)
    except ValueError:
        raise invalid from None
    if "@" in parts.netloc:
        raise ValidationError(
            "Addresses with a user name or password in them are not allowed.", code="credentials"
        )
    try:
        host = hosts.normalize(parts.hostname)
        port = parts.port
    except (hosts.BadHost, ValueError):
        raise invalid from None
    reason = _refusal(host)
    if reason:
        raise ValidationError(reason, code="private")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    value = urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))
    try:
        _web(value)
    except ValidationError:
        raise invalid from None
    return value


def normalize_link_url(value):
    """The link as stored: https:// added to a bare domain such as
    "shop.example.com/x", a web address's host in the form browsers reach.
    Anything it cannot read is left for `validate_link_url` to refuse."""
    value = (value or "").strip()
    if value and ":" not in value.split("/", 1)[0] and "." in value.split("/", 1)[0]:
        value = "https://" + value
    if value.split(":", 1)[0].lower() in ("http", "https"):
        try:
            return normalize_web_address(value)
        except (ValidationError, ValueError):
            return value
    return value
