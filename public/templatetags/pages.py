from urllib.parse import urlsplit

from django import template
from django.utils.safestring import mark_safe

from pages.safety import hosts
from public import inline_script, inline_style

register = template.Library()


@register.simple_tag
def page_css():
    """The public page's stylesheet, to inline in a <style> element (its
    bytes exactly: the Content-Security-Policy admits them by their hash)."""
    return mark_safe(inline_style.CSS)  # noqa: S308 (our own static file)


@register.simple_tag
def page_js():
    """The public page's script, to inline in a <script> element (its bytes
    exactly: the Content-Security-Policy admits them by their hash)."""
    return mark_safe(inline_script.SCRIPT)  # noqa: S308 (our own static file)


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


@register.filter
def shown_host(url):
    """Where a link goes, in a few characters: its host as `shown_url` writes
    it, or the address itself for mail and phone links."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url.split(":", 1)[-1] if parts.scheme.lower() in ("mailto", "tel") else url
    return hosts.shown(parts.hostname)
