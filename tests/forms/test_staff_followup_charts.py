"""The uppföljning's value axes: counts tick at whole numbers, percentages at 0/25/50/75/100 %.

A count axis divided its round top by four, so a week of five cases read "1,25" and "3,75" beside
the bars: no one has 1,25 cases.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from forms.staff.followup_charts import TICKS, Series, columns, count_axis

STEPS = {1, 2, 5} | {m * 10**k for k in range(6) for m in (10, 20, 25, 50)}
WEEKS = ["v. 1", "v. 2", "v. 3"]


def _ticks(values: list[float], percent: bool = False) -> list[str]:
    chart = columns("c", "Titel", "Beskrivning", WEEKS, [Series("Ärenden", values, "chart-a")], percent)
    return [tick.text for tick in chart.ticks]


def test_a_count_axis_ticks_at_whole_steps_up_to_the_first_multiple_at_or_above_the_largest() -> None:
    for largest in range(0, 3000):
        marks = count_axis(largest)
        step = marks[1]
        assert step in STEPS and marks == [step * i for i in range(len(marks))], largest
        assert marks[-1] - step < max(largest, 1) <= marks[-1], largest
        assert 2 <= len(marks) <= TICKS + 1, largest  # at most five ticks, 0 included


def test_a_week_of_five_cases_ticks_at_whole_numbers() -> None:
    assert _ticks([5, 3, 0]) == ["0", "2", "4", "6"]
    assert _ticks([1, 4, 2]) == ["0", "1", "2", "3", "4"]
    assert _ticks([90, 12, 0]) == ["0", "25", "50", "75", "100"]
    assert _ticks([0, 0, 0]) == ["0", "1"]  # an empty chart still has an axis


def test_stacked_counts_tick_by_the_weeks_totals() -> None:
    chart = columns("c", "T", "D", WEEKS, [Series("Webben", [3, 1, 0], "a"), Series("Personal", [4, 0, 0], "b")])
    assert [t.text for t in chart.ticks] == ["0", "2", "4", "6", "8"]
    tallest = min(bar.y for bar in chart.bars)
    assert tallest == pytest.approx(chart.ticks[-2].at - (chart.ticks[-2].at - chart.ticks[-1].at) / 2)  # 7 of 8


def test_a_percentage_axis_keeps_its_quarters() -> None:
    assert _ticks([40, 100, 0], percent=True) == [f"{p}\u00a0%" for p in (0, 25, 50, 75, 100)]


def test_on_a_narrow_chart_the_shown_labels_are_apart_and_keep_the_top_and_zero() -> None:
    """style.css hides the minor labels where the chart is narrow; the ones shown, up to 28 units
    tall there, stand at least two label heights apart."""
    for largest in range(0, 300):
        chart = columns("c", "T", "D", WEEKS, [Series("Ärenden", [largest, 0, 0], "a")])
        shown = [t.at for t in chart.ticks if not t.minor]
        assert not chart.ticks[0].minor and not chart.ticks[-1].minor
        assert min(a - b for a, b in pairwise(shown)) >= 2 * 28, largest
