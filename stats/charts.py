"""Charts drawn on the server as SVG: no script, no chart library, nothing the strict
Content-Security-Policy has to allow (colours come from classes in the admin's style
sheet, light and dark). Each chart names itself for screen readers, and every bar or
point has a <title> with its figure; the page shows the same numbers as a table."""

from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 200
LEFT, BOTTOM, TOP = 44, 24, 10


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def _n(value: float) -> str:
    return f"{value:.1f}"


def bars(
    points: list[tuple[date, int]], label: str, *, second: list[int] | None = None
) -> SafeString:
    """A column per day (and, with `second`, a line over them: visitors over views)."""
    count = max(len(points), 1)
    top = _nice_max(max([v for _, v in points] + (second or []) + [0]))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / count
    width = max(step * 0.7, 1)

    def y(value):
        return TOP + plot_h - (value / top) * plot_h

    columns = format_html_join(
        "",
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
        (
            (
                LEFT + i * step + (step - width) / 2,
                y(v),
                width,
                TOP + plot_h - y(v),
                f"{day:%a %d %b}",
                f"{v:,}",
            )
            for i, (day, v) in enumerate(points)
        ),
    )
    line = ""
    if second:
        coords = " ".join(
            f"{LEFT + i * step + step / 2:.1f},{y(v):.1f}" for i, v in enumerate(second)
        )
        line = format_html('<polyline class="chart-line" points="{}"></polyline>', coords)
    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - 8, _n(y(v)), _n(y(v)), LEFT - 6, _n(y(v) + 4), f"{v:,}")
            for v in (0, top // 2, top)
        ),
    )
    every = max(count // 7, 1)
    ticks = format_html_join(
        "",
        '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (_n(LEFT + i * step + step / 2), HEIGHT - 6, f"{day:%d %b}")
            for i, (day, _) in enumerate(points)
            if i % every == 0
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="none">{}{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        label,
        grid,
        columns,
        mark_safe(line),
        ticks,
    )


def hbars(rows: list[tuple[str, int]], label: str) -> SafeString:
    """A top-N list (pages, referrers, episodes): each name and figure over a thin bar. No
    viewBox, so the text keeps its size however narrow the column."""
    if not rows:
        return format_html('<p class="chart-empty">{}</p>', "Nothing counted yet.")
    top = max(v for _, v in rows) or 1
    row_height = 30
    height = row_height * len(rows)
    items = format_html_join(
        "",
        '<g><text class="chart-label" x="0" y="{}">{} · {}</text>'
        '<rect class="chart-bar" x="0" y="{}" width="{}%" height="7" rx="2"><title>{}: {}</title>'
        "</rect></g>",
        (
            (
                i * row_height + 13,
                name[:80],
                f"{v:,}",
                i * row_height + 18,
                _n(max(100 * v / top, 0.5)),
                name,
                f"{v:,}",
            )
            for i, (name, v) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="chart chart-h" role="img" aria-label="{}" width="100%" height="{}">{}</svg>',
        label,
        height,
        items,
    )
