"""Host names as browsers reach them.

A browser folds `ｅｖｉｌ。example.com．`, `ev<soft hyphen>il.example.com` and
`EVIL.example.com` to the same host, and reads `0x7f.1` or `2130706433` as
127.0.0.1. Every host the site stores or compares goes through `normalize`
first (UTS-46 mapping, then IDNA 2008 via the `idna` package), so a block on
one spelling holds for all of them.
"""

import ipaddress
import re
import unicodedata

import idna

_NUMBER = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")
# Scripts that share a writing system: mixing them in one label is ordinary.
_SCRIPT_FAMILIES = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "IDEOGRAPHIC": "CJK"}


class BadHost(ValueError):
    """A host that does not normalise, or one links may not point to."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def normalize(host):
    """The host in the form a browser reaches: lower-case ASCII (punycode for
    international names), no trailing dot, IPv4 in dotted decimal. Raises
    BadHost when there is no such form."""
    host = host or ""
    if ":" in host:  # an IPv6 literal (urlsplit has removed the brackets)
        try:
            return str(ipaddress.IPv6Address(host.split("%", 1)[0]))
        except ValueError:
            raise BadHost("This web address does not look right.") from None
    try:
        mapped = idna.uts46_remap(host, std3_rules=True, transitional=False)
    except (idna.IDNAError, UnicodeError):
        raise BadHost("This web address does not look right.") from None
    mapped = mapped.rstrip(".")
    if not mapped:
        raise BadHost("This web address does not look right.")
    address = _ipv4(mapped)
    if address is not None:
        return address
    try:
        return idna.encode(mapped).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        raise BadHost("This web address does not look right.") from None


def _ipv4(host):
    """Dotted decimal for a host a browser reads as an IPv4 address (WHATWG
    URL: the last label is a number, each part decimal, 0-octal or 0x-hex);
    None for a name. Raises BadHost for a number browsers refuse."""
    parts = host.split(".")
    if not _NUMBER.match(parts[-1]):
        return None
    numbers = []
    for part in parts:
        if not _NUMBER.match(part):
            raise BadHost("This web address does not look right.")
        if part[:2].lower() == "0x":
            numbers.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            try:
                numbers.append(int(part, 8))
            except ValueError:
                raise BadHost("This web address does not look right.") from None
        else:
            numbers.append(int(part))
    if len(numbers) > 4 or any(n > 255 for n in numbers[:-1]):
        raise BadHost("This web address does not look right.")
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        raise BadHost("This web address does not look right.")
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n << (8 * (3 - i))
    return str(ipaddress.IPv4Address(value))


def refusal(host):
    """Why links may not point to this normalised host, or None.

    Loopback, private, link-local and other non-public addresses (cloud
    metadata at 169.254.169.254, the visitor's own router) and `localhost`.
    """
    if host == "localhost" or host.endswith(".localhost"):
        return "Links to this computer's own addresses are not allowed."
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not is_public(address):
        return "Links to private or local network addresses are not allowed."
    return None


# IPv6 ranges that carry an IPv4 address, which Python calls global whatever
# that IPv4 address is: IPv4-compatible, SIIT, NAT64 (well-known and local).
_EMBEDDING_IPV4 = [
    ipaddress.ip_network(n) for n in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
]


def is_public(address):
    """Whether an IP address is on the public internet, looking inside IPv6
    addresses that wrap an IPv4 one (mapped, 6to4, NAT64, ...); Teredo is
    refused outright."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.teredo:
            return False
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and any(address in network for network in _EMBEDDING_IPV4):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            address = inner
    return address.is_global


def shown(host):
    """The host as a creator should see it: Unicode, unless a label mixes
    scripts (`аpple.com` with a Cyrillic а), which is shown in punycode."""
    try:
        host = normalize(host)
    except BadHost:
        return host
    labels = []
    for label in host.split("."):
        try:
            text = idna.decode(label) if label.startswith("xn--") else label
        except (idna.IDNAError, UnicodeError):
            return host
        if len(_scripts(text)) > 1:
            return host
        labels.append(text)
    return ".".join(labels)


def _scripts(text):
    scripts = set()
    for ch in text:
        if ch.isalpha():
            script = unicodedata.name(ch, "UNKNOWN").split()[0]
            scripts.add(_SCRIPT_FAMILIES.get(script, script))
    return scripts
