"""Bar charts for the uppföljning, drawn on the server as SVG geometry (no JavaScript on any page).

Only the geometry is computed here; the template draws it (`staff/followup_macros.html`) inside an
`<svg role="img">` whose `<title>` and `<desc>` come first, and every chart has a table with the
same figures beside it, so the chart is never the only way to read a figure. Each series has its
own colour and a legend; the colours have at least 3:1 contrast to the white page (WCAG 1.4.11).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 34  # room for the value axis and the week labels
HEIGHT = 240
ROW = 26  # a horizontal chart's row height
LABEL_WIDTH = 220  # a horizontal chart's room for the e-service's name


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    css: str  # the bar's class in style.css (its colour)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str


@dataclass(frozen=True)
class Tick:
    at: float  # y (vertical chart) or x (horizontal chart)
    text: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"  # SVG text-anchor


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]
    legend: list[Series]
    horizontal: bool = False


def nice_top(largest: float) -> float:
    """A round top for the value axis: 1, 2 or 5 times a power of ten, at least the largest value."""
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 5, 10):
        if step * power >= largest:
            return float(step * power)
    return float(10 * power)


def _number(value: float, percent: bool) -> str:
    return f"{value:.0f}\u00a0%" if percent else f"{value:g}".replace(".", ",")


def columns(
    chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series], percent: bool = False
) -> Chart:
    """Vertical bars per week; more than one series are stacked."""
    count = max(len(labels), 1)
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    top = 100.0 if percent else nice_top(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / count
    bars = []
    for index in range(len(labels)):
        base = 0.0
        for s in series:
            value = s.values[index]
            if value > 0:
                height = plot_h * value / top
                y = TOP + plot_h - plot_h * (base + value) / top
                bars.append(Bar(LEFT + slot * index + slot * 0.15, y, slot * 0.7, height, s.css))
            base += value
    ticks = [Tick(TOP + plot_h - plot_h * part / 4, _number(top * part / 4, percent)) for part in range(5)]
    every = max(1, math.ceil(count / 13))  # at most 13 week labels: they must stay readable
    y = HEIGHT - BOTTOM + 18
    names = [Label(LEFT + slot * (i + 0.5), y, text) for i, text in enumerate(labels) if i % every == 0]
    return Chart(chart_id, title, desc, WIDTH, HEIGHT, bars, ticks, names, list(series) if len(series) > 1 else [])


def rows(chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[float], css: str) -> Chart:
    """Horizontal bars, one per named row (the e-services), with the value at the bar's end."""
    top = nice_top(max(values, default=0))
    plot_w = WIDTH - LABEL_WIDTH - 48
    height = TOP + ROW * max(len(labels), 1) + 8
    bars, names = [], []
    for index, (text, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + ROW * index
        width = plot_w * value / top
        bars.append(Bar(LABEL_WIDTH, y + 4, width, ROW - 8, css))
        short = text if len(text) <= 30 else text[:29] + "…"
        names.append(Label(LABEL_WIDTH - 6, y + ROW / 2 + 4, short, "end"))
        names.append(Label(LABEL_WIDTH + width + 4, y + ROW / 2 + 4, _number(value, False), "start"))
    return Chart(chart_id, title, desc, WIDTH, height, bars, [], names, [], horizontal=True)
