"""Small server-rendered SVG charts: readable without JavaScript, no library.

The SVG is decoration for sighted visitors (aria-hidden); every chart's
numbers are also in a table beside it.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 600, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 28
SERIES = (("views", "chart-views", ""), ("clicks", "chart-clicks", ' stroke-dasharray="6 4"'))


def nice_ceiling(value):
    """The smallest of 1, 2, 5, 10, 20, 50, ... at least `value` (and at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def line_chart(points, label_of):
    """An SVG of views and clicks over time: `points` is a list of
    (moment, views, clicks), `label_of(moment)` its axis label."""
    count = len(points)
    top = nice_ceiling(max((max(v, c) for _, v, c in points), default=0))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x(n):
        return LEFT + (plot_w * n / (count - 1) if count > 1 else plot_w / 2)

    def y(value):
        return TOP + plot_h - plot_h * value / top

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" aria-hidden="true" focusable="false">',
        f'<line class="chart-axis" x1="{LEFT}" y1="{y(0):.1f}" '
        f'x2="{WIDTH - RIGHT}" y2="{y(0):.1f}"/>',
        f'<line class="chart-grid" x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}"/>',
        f'<text class="chart-label" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{top}</text>',
        f'<text class="chart-label" x="{LEFT - 6}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>',
    ]
    for n in sorted({0, count // 2, count - 1}) if count else ():
        anchor = (
            "start" if n == 0 and count > 1 else "end" if n == count - 1 and count > 1 else "middle"
        )
        parts.append(
            f'<text class="chart-label" x="{x(n):.1f}" y="{HEIGHT - 8}" '
            f'text-anchor="{anchor}">{escape(label_of(points[n][0]))}</text>'
        )
    if not any(v or c for _, v, c in points):
        parts.append(
            f'<text class="chart-empty" x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" '
            f'text-anchor="middle">No visits in this period yet</text>'
        )
    else:
        for index, (_, css, dash) in enumerate(SERIES, start=1):
            coords = " ".join(f"{x(n):.1f},{y(point[index]):.1f}" for n, point in enumerate(points))
            parts.append(f'<polyline class="{css}" points="{coords}" fill="none"{dash}/>')
            if count <= 31:
                parts.extend(
                    f'<circle class="{css}" cx="{x(n):.1f}" cy="{y(point[index]):.1f}" r="3"/>'
                    for n, point in enumerate(points)
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (numbers and escaped labels only)
