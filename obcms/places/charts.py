"""Bar charts drawn on the server as SVG (no script, so the CSP needs nothing new), readable
without colour: each series has its own fill pattern and a legend, every bar its value, and
the numbers are also in a table for screen readers (templates/places/chart.html)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from obcms.db.shared_cache import remembered

WIDTH, HEIGHT = 520, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 6, 30, 38
# Solid, diagonal hatch, dots: told apart in black and white and by the colour-blind.
PATTERNS = ("solid", "hatch", "dots")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: int
    title: str

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def label_y(self) -> float:
        """Where the value is written: just above the bar."""
        return round(self.y - 3, 1)


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Label:
    x: float
    text: str
    year: str


@dataclass
class Chart:
    id: str
    title: str
    series: list[str]
    labels: list[str]
    rows: list[tuple[str, list[int]]]
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    axis_labels: list[Label] = field(default_factory=list)
    missing: str = ""
    width: int = WIDTH
    height: int = HEIGHT

    left: int = LEFT

    @property
    def baseline(self) -> float:
        return self.height - BOTTOM

    @property
    def plot_right(self) -> float:
        return self.width - RIGHT

    @property
    def legend(self) -> list[tuple[float, int, str]]:
        """(x, series index, name) for each legend entry, along the top."""
        return [(LEFT + 120 * i, i, name) for i, name in enumerate(self.series)]

    @property
    def summary(self) -> str:
        totals = ", ".join(
            f"{name}: {sum(values[i] for _, values in self.rows)} in total"
            for i, name in enumerate(self.series)
        )
        return f"{self.title}, from {self.labels[0]} to {self.labels[-1]}. {totals}."


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 ... at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def bar_chart(chart_id: str, data: dict) -> Chart:
    """Geometry of a grouped bar chart from ``{"title", "labels", "series": [{"name",
    "values"}], "missing"?}`` (the shape trends.compute returns)."""
    names = [series["name"] for series in data["series"]]
    labels = list(data["labels"])
    rows = [(label, [s["values"][i] for s in data["series"]]) for i, label in enumerate(labels)]
    chart = Chart(
        id=chart_id,
        title=data["title"],
        series=names,
        labels=labels,
        rows=rows,
        missing=data.get("missing", ""),
    )
    if not names or not labels:
        return chart
    top = nice_ceiling(max((max(values) for _, values in rows), default=0))
    plot_height = chart.baseline - TOP
    group = (chart.plot_right - LEFT) / len(labels)
    width = group * 0.8 / len(names)
    for i, (label, values) in enumerate(rows):
        start = LEFT + group * i + group * 0.1
        for s, value in enumerate(values):
            height = plot_height * value / top
            chart.bars.append(
                Bar(
                    x=round(start + width * s, 1),
                    y=round(chart.baseline - height, 1),
                    width=round(width - 1, 1),
                    height=round(height, 1),
                    value=value,
                    series=s,
                    title=f"{names[s]}, {label}: {value}",
                )
            )
        month, _, year = label.partition(" ")
        first_of_year = i == 0 or month in ("Jan", "Q1")
        chart.axis_labels.append(
            Label(x=round(start + group * 0.4, 1), text=month, year=year if first_of_year else "")
        )
    chart.ticks = [
        Tick(y=round(chart.baseline - plot_height * k / 4, 1), value=round(top * k / 4))
        for k in range(5)
        if top * k % 4 == 0  # whole numbers only
    ]
    return chart


def charts(data: dict, prefix: str) -> list[Chart]:
    """Every chart of a trends.compute() result, ids unique on the page."""
    return [bar_chart(f"{prefix}-{name}", chart) for name, chart in data.items()]


def drawn(data: dict, prefix: str) -> SafeString:
    """The charts of ``data`` as HTML (templates/places/chart.html), remembered under the data
    they draw: their hundreds of numbers, each localised by the template, cost the dashboard
    and a place profile more than all their queries (issue 19)."""
    key = hashlib.sha256(f"{prefix}{sorted(data.items())!r}".encode()).hexdigest()
    return mark_safe(  # noqa: S308 (rendered by the template, which escapes)
        remembered(
            "charts",
            key,
            lambda: "".join(
                render_to_string("places/chart.html", {"chart": chart})
                for chart in charts(data, prefix)
            ),
        )
    )
