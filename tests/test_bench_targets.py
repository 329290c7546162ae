"""`python -m bench.targets` prints every figure of issue 22 with a number and a target.

The quick mode runs the parts that need no gunicorn (the platform floor and the search, in this
process, on a tiny region). Target 1's load needs the peer's extensions (the `bench` extra, which
scripts/setup.sh and scripts/test.sh do not install) and wrk, so its rows are checked from
made-up rounds through the same function that turns the peer's measurements into figures.
Target 4 takes minutes at any useful size and needs Hugo; it is left to `--build`.
"""

from __future__ import annotations

import re

import pytest

from bench import targets
from bench.figures import Figure, table
from bench.peer.__main__ import LoadResult, figures

FLOOR_PAGES = ("404", "empty logged-in page", "form page", "booking day page", "staff case list")
NUMBER = r"\d+\.\d+"


def rows(printed: str) -> dict[str, list[str]]:
    """The table's rows by their measure: [result, target, verdict, note]."""
    found = {}
    for line in printed.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 5 and cells[0] != "measure":
            found[cells[0]] = cells[1:]
    return found


def test_the_quick_run_prints_every_floor_and_search_target_with_a_number_and_a_target(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert targets.main(["--quick", "--no-peer", "--search-count", "60"]) == 0
    printed = capsys.readouterr().out
    table_rows = rows(printed)
    wanted = [f"target 2: {page}, CPU ms per request" for page in FLOOR_PAGES]
    wanted.append("target 3: a search nobody has made yet, CPU ms (60 mottagningar)")
    for measure in wanted:
        result, target, verdict, _ = table_rows[measure]
        assert re.fullmatch(rf"{NUMBER} ms \({NUMBER}–{NUMBER}\)", result), (measure, result)
        assert re.fullmatch(r"≤ \d+(\.\d+)? ms", target), (measure, target)
        assert verdict in ("met", "missed"), (measure, verdict)
    for reference in ("bare Flask route", "/sok/ kept-page mix"):
        (measure,) = [name for name in table_rows if name.startswith(reference)]
        assert re.fullmatch(rf"{NUMBER} ms \({NUMBER}–{NUMBER}\)", table_rows[measure][0])
    assert re.search(rf"load average before {NUMBER} / {NUMBER}, after {NUMBER} / {NUMBER}", printed)
    assert re.search(rf"bare Flask route {NUMBER} ms CPU per request", printed)


def test_the_peer_comparison_gives_each_page_a_ratio_of_requests_and_of_cpu_against_the_fair_peer() -> None:
    pages = ("form page", "empty page", "day page")
    rps = {}
    for page in pages:
        rps[(page, "forms")] = [900.0, 1000.0]
        rps[(page, "every")] = [100.0, 100.0]
        rps[(page, "modified")] = [500.0, 400.0]
    servers = ("forms", "every", "modified")
    cpu = {(page, name): [1.0, 1.0] if name == "forms" else [2.5, 1.5] for page in pages for name in servers}
    found = {figure.measure: figure for figure in figures(LoadResult(rps, dict.fromkeys(pages, 0), {}), cpu)}
    for page in pages:
        ratio = found[f"target 1: {page}, requests/s ÷ the fair peer's"]
        assert (ratio.values, ratio.goal(), ratio.verdict()) == ([1.8, 2.5], "≥ 2×", "met")
        share = found[f"target 1: {page}, CPU per request ÷ the fair peer's"]
        assert (share.values, share.goal(), share.verdict()) == ([0.4, 1.0 / 1.5], "≤ 0.5×", "missed")
    assert len(table(list(found.values()))) == 2 + 6


def test_a_figure_on_the_wrong_side_of_its_target_is_missed_and_a_reference_is_judged_against_nothing() -> None:
    assert Figure("ceiling", [1.2, 0.9, 1.0], "ms", 1.0).verdict() == "met"
    assert Figure("ceiling", [1.2, 1.1, 1.0], "ms", 1.0).verdict() == "missed"
    assert Figure("floor", [1.9, 2.1, 2.0], "×", 2.0, at_least=True).verdict() == "met"
    assert Figure("floor", [1.9, 2.1, 1.95], "×", 2.0, at_least=True).verdict() == "missed"
    assert Figure("bare", [0.1], "ms").verdict() == "–"
