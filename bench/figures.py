"""One measured figure against its target: what every benchmark of issue 22 hands to bench.targets.

Each benchmark module used to print its own verdict in its own words, so reading issue 22's state
meant running four commands and comparing four layouts. A `Figure` is the figure as data (the
rounds' values, the target and which side of it is good), so bench.targets can put all of them in
one table and a test can check that no row lost its number or its target.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A measure's values, one per round (alternated rounds: their median is the figure).

    `target` None marks a reference (the bare route, the kept-page mix): printed beside the
    targets so a reader can tell a busy machine from a slow program, judged against nothing.
    """

    measure: str
    values: list[float]
    unit: str
    target: float | None = None
    at_least: bool = False  # the target is a floor (≥, a ratio of requests/s), not a ceiling (≤)
    note: str = ""
    digits: int = 2

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.median >= self.target if self.at_least else self.median <= self.target

    def result(self) -> str:
        low, high = min(self.values), max(self.values)
        unit = f" {self.unit}" if self.unit and self.unit != "×" else self.unit
        return f"{self.median:.{self.digits}f}{unit} ({low:.{self.digits}f}–{high:.{self.digits}f})"

    def goal(self) -> str:
        if self.target is None:
            return "reference"
        unit = f" {self.unit}" if self.unit and self.unit != "×" else self.unit
        return f"{'≥' if self.at_least else '≤'} {self.target:g}{unit}"

    def verdict(self) -> str:
        return {None: "–", True: "met", False: "missed"}[self.met]


def table(figures: list[Figure]) -> list[str]:
    """The figures as one Markdown table, pasted as is into docs/performance.md."""
    lines = ["| measure | result: median (range) | target | met/missed | note |", "|---|---|---|---|---|"]
    for figure in figures:
        lines.append(f"| {figure.measure} | {figure.result()} | {figure.goal()} | {figure.verdict()} | {figure.note} |")
    return lines
