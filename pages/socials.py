"""The row of social icons under a creator's bio: a fixed list of networks,
each with the one shape of account name it accepts and the address it links to.

A creator types a handle (`@name`, `name`) or pastes their profile address on
that network; what is stored is the bare handle, and the address is built
from it here, so no stored value can point anywhere else.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator


@dataclass(frozen=True)
class Network:
    key: str
    name: str
    address: str  # format string for the handle
    hosts: tuple  # hosts of a pasted profile address
    handle: re.Pattern
    example: str

    def url(self, handle):
        return self.address.format(handle)


NETWORKS = (
    Network(
        "tiktok",
        "TikTok",
        "https://www.tiktok.com/@{}",
        ("tiktok.com", "www.tiktok.com"),
        re.compile(r"[A-Za-z0-9_.]{2,24}"),
        "@yourname",
    ),
    Network(
        "instagram",
        "Instagram",
        "https://www.instagram.com/{}/",
        ("instagram.com", "www.instagram.com"),
        re.compile(r"[A-Za-z0-9_.]{1,30}"),
        "@yourname",
    ),
    Network(
        "youtube",
        "YouTube",
        "https://www.youtube.com/@{}",
        ("youtube.com", "www.youtube.com", "m.youtube.com"),
        re.compile(r"[A-Za-z0-9_.-]{3,30}"),
        "@yourchannel",
    ),
    Network(
        "x",
        "X",
        "https://x.com/{}",
        ("x.com", "www.x.com", "twitter.com", "www.twitter.com"),
        re.compile(r"[A-Za-z0-9_]{1,15}"),
        "@yourname",
    ),
    Network(
        "threads",
        "Threads",
        "https://www.threads.net/@{}",
        ("threads.net", "www.threads.net", "threads.com", "www.threads.com"),
        re.compile(r"[A-Za-z0-9_.]{1,30}"),
        "@yourname",
    ),
    Network(
        "snapchat",
        "Snapchat",
        "https://www.snapchat.com/add/{}",
        ("snapchat.com", "www.snapchat.com"),
        re.compile(r"[A-Za-z][A-Za-z0-9_.-]{2,14}"),
        "yourname",
    ),
    Network(
        "email",
        "E-mail",
        "mailto:{}",
        (),
        re.compile(r".+"),
        "you@example.com",
    ),
)
BY_KEY = {network.key: network for network in NETWORKS}
_email = EmailValidator()


def clean_handle(network, value):
    """The handle to store for what the creator typed ("" to remove it), or
    ValidationError with words for them."""
    value = (value or "").strip()
    if not value:
        return ""
    if network.key == "email":
        value = value.removeprefix("mailto:")
        try:
            # A quoted local part passes the validator but, in a mailto:
            # address, smuggles ?cc= and &body= into the visitor's mail app.
            if any(ch in value for ch in '"?&%<>\\'):
                raise ValidationError("")
            _email(value)
        except ValidationError:
            raise ValidationError("This e-mail address does not look right.") from None
        return value
    if "/" in value or value.lower().startswith(("http:", "https:")):
        value = _handle_in_address(network, value)
    value = value.removeprefix("@")
    if not network.handle.fullmatch(value):
        raise ValidationError(
            f"This does not look like a name on {network.name}: type it like {network.example}."
        )
    return value


def _handle_in_address(network, value):
    """The handle in a pasted profile address on the network's own site."""
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError:
        host = ""
    if host not in network.hosts:
        raise ValidationError(
            f"Paste an address on {network.name} or type your name like {network.example}."
        )
    path = [segment for segment in parts.path.split("/") if segment]
    if path and path[0] == "add":  # snapchat.com/add/name
        path = path[1:]
    return path[0] if path else ""


def shown(socials):
    """The icons to show, in the fixed order: (network, handle, url)."""
    socials = socials if isinstance(socials, dict) else {}
    return [
        (network, socials[network.key], network.url(socials[network.key]))
        for network in NETWORKS
        if socials.get(network.key)
    ]
