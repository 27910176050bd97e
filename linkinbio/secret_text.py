"""What never leaves the site in free text: TikTok's tokens and codes, the
OAuth state, secrets, cookies and visitors' addresses.

Both ways out use it: error reports to Sentry (`error_reports.py`) and log
lines (`logs.py`), so a log line of a failing request says no more than the
report of it does.
"""

import ipaddress
import re

FILTERED = "[Filtered]"
# Keys whose values are never sent, wherever they appear (query, form, headers,
# extra data, local variables), compared lower-case.
SECRET_KEYS = {
    "access_token",
    "refresh_token",
    "token",
    "code",
    "code_verifier",
    "state",
    "client_secret",
    "secret",
    "password",
    "authorization",
    "cookie",
    "set-cookie",
    "x-csrftoken",
    "csrfmiddlewaretoken",
    "sessionid",
    "csrftoken",
    "x-forwarded-for",
    "x-real-ip",
    "cf-connecting-ip",
    "remote_addr",
    "ip_address",
    "metrics_token",
    "tiktok-signature",
}
# TikTok's tokens (act.…, rft.…) and anything shaped like an address, in free text.
SECRET_TEXT = re.compile(
    r"\b(?:act|rft)\.[A-Za-z0-9._~+/=-]+"
    r"|\b(?:\d{1,3}\.){3}\d{1,3}\b"
    r"|\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{0,4}\b",
    re.IGNORECASE,
)
# A secret parameter inside a URL in free text (a request's repr in a local variable).
SECRET_PARAM = re.compile(
    r"([?&](?:" + "|".join(re.escape(key) for key in sorted(SECRET_KEYS)) + r")=)[^&'\"\s>]*",
    re.IGNORECASE,
)
# A secret key in a printed dict or QueryDict: {'code': ['…'], 'state': '…'}.
SECRET_ITEM = re.compile(
    r"""(['"](?:"""
    + "|".join(re.escape(key) for key in sorted(SECRET_KEYS))
    + r""")['"]\s*:\s*)(\[[^\]]*\]|'[^']*'|"[^"]*")""",
    re.IGNORECASE,
)
# Words that may be IPv6 addresses in their short forms (2001:db8::7, ::1):
# filtered when they are one.
MAYBE_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?![\w:])")


def _address(match):
    word = match[0].rstrip(".")
    try:
        ipaddress.IPv6Address(word)
    except ValueError:
        return match[0]
    return FILTERED + match[0][len(word) :]


def scrub(text):
    """`text` with every token, secret parameter and address replaced."""
    text = SECRET_TEXT.sub(FILTERED, text)
    text = MAYBE_IPV6.sub(_address, text)
    text = SECRET_ITEM.sub(rf"\g<1>'{FILTERED}'", text)
    return SECRET_PARAM.sub(rf"\g<1>{FILTERED}", text)
