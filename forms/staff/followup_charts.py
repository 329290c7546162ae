"""Bar charts for the uppföljning, drawn on the server as SVG geometry (no JavaScript on any page).

Only the geometry is computed here; the template draws it (`staff/followup_macros.html`) inside an
`<svg role="img">` whose `<title>` and `<desc>` come first, and every chart has a table with the
same figures beside it, so the chart is never the only way to read a figure. Each series has its
own colour and a legend; the colours have at least 3:1 contrast to the white page (WCAG 1.4.11).

The drawing is 640 units wide and shrinks with the screen: at 320 px to 288 CSS px, where 13-unit
labels were 6 px. So style.css sets the labels' size in units by the chart's own width (container
queries: up to 28 units, at least 12 CSS px at 288 px) and, where the chart is narrow, hides the
`minor` labels (every other week and the quarter ticks) so the larger ones stay apart. The room
here is made for the largest size: the value axis's margin, the week labels' band, and a
horizontal chart's names on a line of their own above each bar (beside it, 30 characters needed
470 units at that size).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 100, 8, 18, 44  # room for the value axis ("100 %") and the week labels at 28 units
HEIGHT = 260
WEEK_LABEL = 36  # the week labels' baseline below the plot
ROW = 64  # a horizontal chart's row: the name's line (28 units at the most) and the bar under it
NAME, BAR_TOP, BAR_HEIGHT = 30, 38, 18  # within a row: the name's baseline, the bar's top and height
VALUE_ROOM = 72  # a horizontal chart's room for the value after the longest bar


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
    minor: bool = False  # hidden where the chart is narrow


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"  # SVG text-anchor
    minor: bool = False  # hidden where the chart is narrow (style.css), so the larger labels stay apart


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
    left: float = LEFT  # where the plot starts: the value axis's labels end just before it


def nice_top(largest: float) -> float:
    """A round top for the value axis: 1, 2 or 5 times a power of ten, at least the largest value."""
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 5, 10):
        if step * power >= largest:
            return float(step * power)
    return float(10 * power)


TICKS = 4  # at most this many steps up the value axis (five ticks with 0): apart at 320 px


def count_step(largest: float) -> int:
    """The step of a count axis: counts are whole, so its ticks are too ("1,25" cases is no count).

    The smallest of 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, … that reaches the largest value in at
    most TICKS steps; the axis's top is then the first multiple of it at or above the largest.
    """
    for power in range(0, 16):
        for step in ((1, 2, 5) if power == 0 else (10, 20, 25, 50)):
            scaled = step * 10 ** max(power - 1, 0)
            if scaled * TICKS >= largest:
                return scaled
    return 10**16  # pragma: no cover - no count is this large


def count_axis(largest: float) -> list[int]:
    """The ticks of a count axis, from 0 up to a multiple of its step at or above the largest."""
    step = count_step(largest)
    steps = max(1, math.ceil(largest / step))
    return [step * i for i in range(steps + 1)]


def _number(value: float, percent: bool) -> str:
    return f"{value:.0f}\u00a0%" if percent else f"{value:g}".replace(".", ",")


def columns(
    chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series], percent: bool = False
) -> Chart:
    """Vertical bars per week; more than one series are stacked."""
    count = max(len(labels), 1)
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    # Percentages keep 0/25/50/75/100 %; counts tick at whole numbers (count_axis).
    marks = [25.0 * part for part in range(5)] if percent else [float(v) for v in count_axis(max(totals, default=0))]
    top = marks[-1]
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
    steps = len(marks) - 1
    # Where four steps would crowd a narrow chart every other label hides, counted from the top down
    # so that the top and 0 stay.
    ticks = [
        Tick(TOP + plot_h - plot_h * mark / top, _number(mark, percent), minor=steps == TICKS and part % 2 == 1)
        for part, mark in enumerate(marks)
    ]
    every = max(1, math.ceil(count / 13))  # at most 13 week labels: they must stay readable
    y = HEIGHT - BOTTOM + WEEK_LABEL
    names = [
        Label(LEFT + slot * (i + 0.5), y, text, minor=(i // every) % 2 == 1)
        for i, text in enumerate(labels)
        if i % every == 0
    ]
    return Chart(chart_id, title, desc, WIDTH, HEIGHT, bars, ticks, names, list(series) if len(series) > 1 else [])


def rows(chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[float], css: str) -> Chart:
    """Horizontal bars, one per named row (the e-services): the name above its bar, the value at the
    bar's end."""
    top = nice_top(max(values, default=0))
    plot_w = WIDTH - RIGHT - VALUE_ROOM
    height = ROW * max(len(labels), 1) + 8
    bars, names = [], []
    for index, (text, value) in enumerate(zip(labels, values, strict=True)):
        y = ROW * index
        width = plot_w * value / top
        bars.append(Bar(0, y + BAR_TOP, width, BAR_HEIGHT, css))
        short = text if len(text) <= 30 else text[:29] + "…"
        names.append(Label(0, y + NAME, short, "start"))
        names.append(Label(width + 6, y + BAR_TOP + BAR_HEIGHT - 1, _number(value, False), "start"))
    return Chart(chart_id, title, desc, WIDTH, height, bars, [], names, [], horizontal=True, left=0)
