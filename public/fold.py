"""Whether a phone shows the public page's first row of covers without
scrolling: then the first cover is the largest thing it paints, else the
profile picture is.

The page asks for that one picture first (fetchpriority="high") and lets the
others wait: on a phone's network, pictures fetched side by side share its
bandwidth and its connections, and the largest paint waits for the slowest of
those it was made to share with.

An estimate of the layout at 360x740 CSS pixels (a common Android phone) with
static/css/page.css, in CSS pixels, measured in Chromium. A wrong guess costs
little: a cover that shows is fetched at once all the same.
"""

import math

PHONE_HEIGHT = 740
# The part of a cover that must show for it to outweigh the 96 px picture
# (a cover is 158 px wide on this phone).
COVER_SHOWN = 60
# The header with no picture, a one-line name, no bio, no socials, down to the
# top of the covers (the handle, the "Latest videos" heading, the margins).
HEADER = 130
PICTURE = 108
NAME_LINE, NAME_CHARACTERS = 29, 20
BIO_LINE, BIO_CHARACTERS, BIO_MARGIN = 24, 36, 8
SOCIAL_ROW, SOCIALS_A_ROW, SOCIALS_MARGIN = 50, 3, 12
LINKS_MARGIN, LINK, LINK_HEADER, LINK_LINE, LINK_CHARACTERS = 19, 69, 43, 24, 32


def _lines(text, characters):
    return sum(max(1, math.ceil(len(line) / characters)) for line in text.splitlines() or [""])


def covers_top(has_picture, name, bio, socials, links):
    """Where the first row of covers starts, in CSS pixels from the top."""
    top = HEADER + (PICTURE if has_picture else 0)
    top += NAME_LINE * (_lines(name, NAME_CHARACTERS) - 1)
    if bio:
        top += BIO_MARGIN + BIO_LINE * _lines(bio, BIO_CHARACTERS)
    if socials:
        top += SOCIALS_MARGIN + SOCIAL_ROW * math.ceil(len(socials) / SOCIALS_A_ROW)
    if links:
        top += LINKS_MARGIN
        for link in links:
            if link.is_header:
                top += LINK_HEADER
            else:
                top += LINK + LINK_LINE * (_lines(link.title, LINK_CHARACTERS) - 1)
    return top


def covers_seen_first(has_picture, name, bio, socials, links):
    """Whether enough of the first row of covers shows on a 360x740 phone for
    its first cover to be the largest thing painted."""
    return covers_top(has_picture, name, bio, socials, links) + COVER_SHOWN <= PHONE_HEIGHT
