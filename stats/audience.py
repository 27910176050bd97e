"""What a visit says about where it came from and what it came with.

The request's own headers only: the referrer's site (or `utm_source`), the
device class and browser from the user agent (parsed by ua-parser, which
also knows the crawlers), and the first language the browser asks for.
Nothing here identifies a person; the answers become daily counts.
"""

import functools
import re
from urllib.parse import urlsplit

from ua_parser import parse

# Sites a creator's visitors come from, by the end of the referrer's host.
KNOWN_SITES = (
    ("tiktok.com", "tiktok.com"),
    ("tiktokv.com", "tiktok.com"),
    ("tiktokw.us", "tiktok.com"),
    ("musical.ly", "tiktok.com"),
    ("instagram.com", "instagram.com"),
    ("youtube.com", "youtube.com"),
    ("youtu.be", "youtube.com"),
    ("facebook.com", "facebook.com"),
    ("fb.com", "facebook.com"),
    ("t.co", "x.com"),
    ("twitter.com", "x.com"),
    ("x.com", "x.com"),
    ("snapchat.com", "snapchat.com"),
    ("pinterest.com", "pinterest.com"),
    ("bing.com", "bing.com"),
    ("duckduckgo.com", "duckduckgo.com"),
)
# google.com, google.co.uk, google.com.br, ...: all Google search.
_GOOGLE = re.compile(r"(^|\.)google(\.[a-z]{2,3}){1,2}$")
_HOST_PREFIXES = ("www.", "m.", "l.", "lm.", "mobile.", "vm.", "vt.")
# TikTok's in-app browser sends no referrer; its user agent names the app.
TIKTOK_APPS = frozenset({"TikTok", "musical_ly", "trill", "TikTok Lite"})
# Searched in the lowered user agent (re.IGNORECASE costs 8 times as much).
_TIKTOK_AGENT = re.compile(r"musical_ly|bytedancewebview|trill_\d|tiktok")
_UTM = re.compile(r"[^a-z0-9._-]+")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")
DIRECT = "direct"
MAX_SUBJECT = 100


@functools.lru_cache(maxsize=4096)
def _parsed(agent):
    result = parse(agent[:1000])
    return result.user_agent, result.os, result.device


def is_crawler(agent):
    """Whether ua-parser knows the user agent as a crawler ("Spider")."""
    _, _, hardware = _parsed(agent)
    return hardware is not None and hardware.family == "Spider"


def source(referer, agent="", utm_source="", own_host=""):
    """Where the visit came from: `utm:<value>` when the link carries a
    utm_source, else the referrer's site (`tiktok.com`, `instagram.com`,
    `youtube.com`, `google`, another site's domain), else `tiktok.com` for
    TikTok's in-app browser, else `direct`."""
    utm = _UTM.sub("-", utm_source.strip().lower())[:40].strip("-")
    if utm:
        return f"utm:{utm}"
    host = (_host(referer) or "").lower().rstrip(".")
    if host and host != own_host:
        for suffix, site in KNOWN_SITES:
            if host == suffix or host.endswith("." + suffix):
                return site
        if _GOOGLE.search(host):
            return "google"
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and host.count(".") > 1:
                host = host[len(prefix) :]
                break
        return host[:MAX_SUBJECT]
    if in_tiktok_app(agent):
        return "tiktok.com"
    return DIRECT


def _host(referer):
    try:
        return urlsplit(referer.strip()).hostname
    except ValueError:
        return None


def in_tiktok_app(agent):
    """Whether the visit comes from TikTok's in-app browser."""
    found, _, _ = _parsed(agent)
    family = found.family if found else ""
    return family in TIKTOK_APPS or bool(_TIKTOK_AGENT.search(agent.lower()))


def device(agent):
    """`phone`, `tablet`, `desktop` or `other`, from the parsed user agent."""
    _, system, hardware = _parsed(agent)
    family = system.family if system else ""
    model = hardware.family if hardware else ""
    if model == "iPad" or "Tablet" in model or model.startswith("Kindle"):
        return "tablet"
    if family == "Android":
        # Android tablets leave "Mobile" out of their user agent (Google's own rule).
        return "phone" if "Mobile" in agent else "tablet"
    if family in {"iOS", "Windows Phone", "BlackBerry OS", "KaiOS", "Firefox OS"}:
        return "phone"
    if family in {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "FreeBSD"}:
        return "desktop"
    return "other"


def browser(agent):
    """The browser's name (`Mobile Safari`, `Chrome Mobile`, `TikTok`, ...)."""
    found, _, _ = _parsed(agent)
    name = found.family if found else "Other"
    return name[:MAX_SUBJECT]


def language(accept_language):
    """The first language the browser asks for (`en-us`, `fr`), or `unknown`."""
    first = accept_language.split(",", 1)[0].split(";", 1)[0].strip().lower()
    return first if _LANGUAGE.match(first) else "unknown"
