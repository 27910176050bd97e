from urllib.parse import urlsplit

from django import template

from pages import hosts

register = template.Library()


@register.filter
def compact(value):
    """1234 → "1.2K", 3400000 → "3.4M" (the way TikTok shows counts)."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return ""
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if value >= limit:
            text = f"{value / limit:.1f}".removesuffix(".0")
            return f"{text}{suffix}"
    return str(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def shown_url(url):
    """A link's address as its creator should read it: international host
    names in their script, names that mix scripts (a look-alike) in punycode."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    netloc = parts.netloc.replace(parts.hostname, hosts.shown(parts.hostname), 1)
    return parts._replace(netloc=netloc).geturl()
