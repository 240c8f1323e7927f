"""Bar charts drawn on the server as SVG: no script, no styles, readable by screen readers.

One implementation for every chart cityid draws (the dashboard, the transparency
report). A chart is rows of labelled counts, optionally split into series that stack;
each chart names itself with <title> and <desc>, each bar carries its own <title>, and
the same rows feed the HTML data table printed beside the picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

INK = "#14213d"
DEFAULT_COLOUR = "#1f5fa8"


@dataclass(frozen=True)
class Series:
    """One kind of count a bar is made of (a decision, a status), and its colour."""

    name: str
    colour: str = DEFAULT_COLOUR


@dataclass(frozen=True)
class BarRow:
    """One bar: its label and its count per series name (missing series count 0)."""

    label: str
    values: Mapping[str, int] = field(default_factory=dict)

    def value(self, series: str) -> int:
        return int(self.values.get(series, 0))

    @property
    def total(self) -> int:
        return sum(int(n) for n in self.values.values())


@dataclass(frozen=True)
class Chart:
    """What to draw: `chart_id` must be unique on its page (it names title and desc)."""

    chart_id: str
    title: str
    description: str
    series: tuple[Series, ...]
    rows: tuple[BarRow, ...]
    empty_label: str = "none yet"
    # What the rows are (the data table's first column heading).
    row_heading: str = "label"

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    def svg(self, width: int = 720, bar_height: int = 26) -> Markup:
        """The chart as markup a template may print (every text in it is escaped)."""
        return Markup(bar_chart_svg(self, width=width, bar_height=bar_height))  # noqa: S704


def single_series(
    chart_id: str,
    title: str,
    description: str,
    counts: Sequence[tuple[str, int]],
    series: str = "count",
    colour: str = DEFAULT_COLOUR,
    row_heading: str = "label",
) -> Chart:
    """A chart of one count per label (cards by status, enrollments per day)."""
    rows = tuple(BarRow(label, {series: n}) for label, n in counts)
    return Chart(
        chart_id, title, description, (Series(series, colour),), rows, row_heading=row_heading
    )


def bar_chart_svg(chart: Chart, width: int = 720, bar_height: int = 26) -> str:
    """Horizontal bars, stacked by series, with a legend when there is more than one."""
    rows = chart.rows or (BarRow(chart.empty_label),)
    show_legend = len(chart.series) > 1
    label_w = max(90, 8 * max(len(row.label) for row in rows) + 12)
    gap = 8
    legend_h = 34 if show_legend else 6
    height = legend_h + len(rows) * (bar_height + gap) + gap
    most = max([row.total for row in rows] + [1])
    scale = max(width - label_w - 60, 40) / most
    cid = escape(chart.chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{escape(chart.title)}</title>',
        f'<desc id="{cid}-desc">{escape(chart.description)}</desc>',
    ]
    if show_legend:
        x = label_w
        for series in chart.series:
            parts.append(
                f'<rect x="{x}" y="6" width="14" height="14" fill="{escape(series.colour)}"/>'
            )
            parts.append(
                f'<text x="{x + 18}" y="18" font-size="13" fill="{INK}">'
                f"{escape(series.name)}</text>"
            )
            x += 30 + 8 * len(series.name)
    for index, row in enumerate(rows):
        y = legend_h + index * (bar_height + gap)
        text_y = f"{y + bar_height * 0.7:.0f}"
        parts.append(
            f'<text x="0" y="{text_y}" font-size="13" fill="{INK}">{escape(row.label)}</text>'
        )
        x_bar = float(label_w)
        for series in chart.series:
            n = row.value(series.name)
            if not n:
                continue
            w = n * scale
            parts.append(
                f'<rect x="{x_bar:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                f'fill="{escape(series.colour)}"><title>'
                f"{escape(row.label)}: {n} {escape(series.name)}</title></rect>"
            )
            x_bar += w
        parts.append(
            f'<text x="{x_bar + 6:.1f}" y="{text_y}" font-size="13" fill="{INK}">{row.total}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
