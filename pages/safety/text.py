"""Text from a page's source made safe to store and show.

TikTok's profiles and video titles are anyone's input. A NUL is refused by
PostgreSQL (one bad bio would fail every sync of that creator), a lone
surrogate by any UTF-8 database, and bidi overrides (U+202E and friends)
turn what a visitor reads around. They are removed before anything is stored,
and every text is cut to the length of its column.
"""

import re

# Long text without a column limit (a bio): what TikTok allows, with room.
LONG_TEXT = 1000
# Controls other than tab and newline, bidi embeddings, overrides and
# isolates, and lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean(value, max_length=LONG_TEXT):
    """`value` without NUL, controls (newlines and tabs stay) or bidi
    overrides, cut to `max_length`."""
    return _UNSAFE.sub("", value)[:max_length]


def clean_line(value, max_length):
    """One line of text: `clean` without newlines or tabs either."""
    return _UNSAFE_LINE.sub("", value)[:max_length]


def is_clean_id(value, max_length):
    """Whether an identifier from the source can be stored as it is."""
    return bool(value) and len(value) <= max_length and value.isascii() and value.isprintable()
