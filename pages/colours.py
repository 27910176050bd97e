"""A page's own colours: a background and an accent chosen by the creator on
top of a theme, checked against WCAG AA before they are saved, and turned
into a small stylesheet of CSS variables.

The theme keeps deciding the text colours (dark or light text, and the text
on buttons); the creator's colours must leave that text readable. The
stylesheet is a pure function of its address (`/style/<theme>-<bg>-<accent>.css`),
so it needs no database, is cached for a year when a page shows it (minutes
otherwise: anyone can make up billions of names), and the
Content-Security-Policy keeps forbidding inline styles.
"""

import math
import re

AA_RATIO = 4.5
HEX_COLOUR = re.compile(r"#[0-9a-f]{6}")

# Each theme's colours in its light form (Classic follows the visitor's dark
# mode only while it has no custom colours): background, text, accent and the
# text on the accent. Keep in step with the .theme-* rules in static/css/site.css.
THEME_COLOURS = {
    "classic": {"bg": "#fafafa", "fg": "#161823", "accent": "#d9143f", "accent_fg": "#ffffff"},
    "midnight": {"bg": "#0e1330", "fg": "#f3f4ff", "accent": "#8fa2ff", "accent_fg": "#0e1330"},
    "sunset": {"bg": "#fff3ea", "fg": "#3a1518", "accent": "#b3261e", "accent_fg": "#ffffff"},
    "mint": {"bg": "#effaf5", "fg": "#0f2e23", "accent": "#0f6e4d", "accent_fg": "#ffffff"},
    "paper": {"bg": "#fbfaf7", "fg": "#1d1d1b", "accent": "#1d1d1b", "accent_fg": "#ffffff"},
}
STYLE_NAME = re.compile(r"(?P<theme>[a-z]{1,20})-(?P<bg>[0-9a-f]{6})-(?P<accent>[0-9a-f]{6})")


def normalize(value):
    """ "#ABCDEF" or "abcdef" -> "#abcdef"; anything else -> None."""
    value = (value or "").strip().lower()
    if not value.startswith("#"):
        value = "#" + value
    return value if HEX_COLOUR.fullmatch(value) else None


def _channels(colour):
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


def luminance(colour):
    """WCAG relative luminance of "#rrggbb"."""

    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    """WCAG contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def shown_ratio(ratio):
    """4.47 -> "4.4:1": rounded down, so a refused ratio never reads as 4.5:1."""
    return f"{math.floor(ratio * 10) / 10:.1f}:1"


def mix(a, b, share):
    """`a` with `share` (0..1) of `b` mixed in."""
    mixed = (round(x + (y - x) * share) for x, y in zip(_channels(a), _channels(b), strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _is_dark(colour):
    return luminance(colour) < 0.18


def problems(theme, background, accent):
    """What is wrong with these colours on this theme: {field: message}."""
    text = THEME_COLOURS[theme]
    found = {}
    if background:
        ratio = contrast(text["fg"], background)
        if ratio < AA_RATIO:
            advice = (
                "Choose a lighter background, or a theme with light text such as Midnight."
                if _is_dark(text["fg"])
                else "Choose a darker background, or a theme with dark text such as Classic."
            )
            found["background_color"] = (
                f"Text on this background has a contrast of {shown_ratio(ratio)}; "
                f"it needs at least 4.5:1 to be easy to read (WCAG AA). {advice}"
            )
    if accent:
        ratio = contrast(text["accent_fg"], accent)
        if ratio < AA_RATIO:
            lighter = _is_dark(text["accent_fg"])
            found["accent_color"] = (
                f"Button text on this accent has a contrast of {shown_ratio(ratio)}; "
                f"it needs at least 4.5:1 to be easy to read (WCAG AA). "
                f"Choose a {'lighter' if lighter else 'darker'} accent."
            )
    return found


def style_name(theme, background, accent):
    """The stylesheet's name for a page's colours, or "" without custom colours."""
    if not (background or accent) or theme not in THEME_COLOURS:
        return ""
    defaults = THEME_COLOURS[theme]
    bg = (background or defaults["bg"])[1:]
    return f"{theme}-{bg}-{(accent or defaults['accent'])[1:]}"


def _first_readable(candidates, *against):
    for colour in candidates:
        if all(contrast(colour, other) >= AA_RATIO for other in against):
            return colour
    return candidates[-1]


def stylesheet(name):
    """The CSS of a stylesheet name made by style_name(), or None for any other name."""
    match = STYLE_NAME.fullmatch(name)
    if match is None or match["theme"] not in THEME_COLOURS:
        return None
    text = THEME_COLOURS[match["theme"]]
    bg, accent = "#" + match["bg"], "#" + match["accent"]
    fg, accent_fg = text["fg"], text["accent_fg"]
    # Derived colours stay readable whatever was chosen; a name that failed
    # the check (typed by hand) gets text as readable as it can be.
    card = _first_readable([mix(bg, fg, s) for s in (0.07, 0.04, 0.02, 0)], fg)
    muted = _first_readable([mix(fg, bg, s) for s in (0.3, 0.2, 0.1, 0)], bg, card)
    variables = {
        "bg": bg,
        "fg": fg,
        "muted": muted,
        "card": card,
        "line": mix(bg, fg, 0.25),
        "accent": accent,
        "accent-fg": accent_fg,
        "focus": fg,
        "btn-bg": "var(--accent)",
        "btn-fg": "var(--accent-fg)",
    }
    rules = [
        ".profile.custom{" + "".join(f"--{k}:{v};" for k, v in variables.items()) + "}",
        ".profile.custom.btn-outline{--btn-bg:transparent;--btn-fg:var(--fg)}",
        ".profile.custom .pf-links a{border-color:var(--accent)}",
    ]
    if contrast(accent, bg) < AA_RATIO:
        # The accent is also a text colour (the verified mark): not on this background.
        rules.append(".profile.custom .pf-verified{color:inherit}")
    return "\n".join(rules) + "\n"
