"""What one /sok/ request costs in one process, and issue 22's target 3 (a search nobody has made yet).

`python -m bench.search --cpu-only --work DIR` prints it; bench.targets takes the figures as data
(`cpu_figures`), so the target's verdict is computed in one place. CPU time of this process
(Flask's test client), which the load of other jobs on a shared machine moves far less than wall
time or requests/s.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.figures import Figure
from bench.forms_load import REPO
from bench.search import distinct_queries, query_mix

NEW_QUERY_TARGET = 2.0  # ms of CPU for a search nobody has made yet (issue 22, target 3)


@dataclass(frozen=True)
class SearchCpu:
    """CPU ms per request: the reference pages, and each new query's own time in order of asking."""

    bare: float
    kept: float  # a page of the mix answered by the WSGI layer's kept pages
    rendered: float  # the mix's kept results, the page rendered again by the app
    computed: float  # a new query each time, after the mix (the reader warm)
    new_queries: list[float]  # the target's measure: queries this process was never asked
    batches: int

    def batch_means(self) -> list[float]:
        """Each batch's mean: what a worker answering only new queries spends per request."""
        size = len(self.new_queries) // self.batches
        return [statistics.fmean(self.new_queries[i * size : (i + 1) * size]) for i in range(self.batches)]


def run_cpu(site: Path, work: Path, batches: int = 5, per_batch: int = 400) -> SearchCpu:
    """The app on `site` (a built region) in this process, measured; nothing printed."""
    os.environ.update(
        FORMS_CONTENT_DIR=str(REPO / "content"), FORMS_SITE_DIR=str(site),
        FORMS_DATABASE_URL=f"sqlite:///{work / 'forms-cpu.sqlite3'}", FORMS_SECRET_KEY=os.urandom(32).hex(),
    )  # fmt: skip
    from bench.hello_app import app as hello
    from forms import create_app
    from forms.search.cache import SearchPageCache

    app = create_app()
    layer = app.wsgi_app
    assert isinstance(layer, SearchPageCache)
    mix = query_mix(site, random.Random(12))
    fresh = distinct_queries(site, random.Random(14), 500)

    def cpu_ms(client: Any, paths: list[str], rounds: int = 1) -> float:
        started = time.process_time()
        for _ in range(rounds):
            for path in paths:
                client.get(path)
        return (time.process_time() - started) / (rounds * len(paths)) * 1000

    client = app.test_client()
    cpu_ms(client, mix)  # every page of the mix kept
    bare = cpu_ms(hello.test_client(), ["/"] * 50, rounds=20)
    kept = cpu_ms(client, mix, rounds=20)
    app.wsgi_app = layer.app  # type: ignore[method-assign]
    rendered = cpu_ms(client, mix, rounds=4)  # the reader's kept results, the page rendered again
    computed = cpu_ms(client, fresh)
    asked = {*mix, *fresh}  # the reader keeps recent results: none of these may come again
    unasked = [path for path in distinct_queries(site, random.Random(15), batches * per_batch + len(asked))
               if path not in asked]  # fmt: skip
    times = new_query_times(client, unasked[: batches * per_batch])
    return SearchCpu(bare, kept, rendered, computed, times, batches)


def new_query_times(client: Any, paths: list[str]) -> list[float]:
    """The CPU ms of each request, every one a query this process has never been asked."""
    times = []
    for path in paths:
        started = time.process_time()
        response = client.get(path)
        times.append((time.process_time() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def cpu_figures(result: SearchCpu, count: int) -> list[Figure]:
    """Target 3 as a figure, with the kept-page mix beside it (the issue asks for both)."""
    times = result.new_queries
    deciles = statistics.quantiles(times, n=10)
    return [
        Figure(
            f"target 3: a search nobody has made yet, CPU ms ({count:,} mottagningar)",
            result.batch_means(),
            "ms",
            NEW_QUERY_TARGET,
            note=f"{len(times):,} new queries in {result.batches} batches, the batches' means; single requests: "
            f"median {statistics.median(times):.2f}, 90th percentile {deciles[-1]:.2f}, max {max(times):.2f}",
        ),
        Figure("/sok/ kept-page mix, CPU ms per request", [result.kept], "ms", note="beside target 3"),
    ]


def measure_cpu(site: Path, work: Path, batches: int = 5, per_batch: int = 400) -> None:
    """`bench.search --cpu-only`: the reference pages, then target 3 against its 2 ms."""
    result = run_cpu(site, work, batches, per_batch)
    print("\n/sok/ in one process (Flask's test client), CPU ms per request")
    print("| request | CPU ms | ÷ bare route |\n|---|---|---|")
    for label, value in (
        ("bare Flask route", result.bare),
        ("/sok/ mix, kept page (the WSGI layer answers)", result.kept),
        ("/sok/ mix, kept results, page rendered by the app (layer off)", result.rendered),
        ("/sok/ new query each time (nothing kept)", result.computed),
    ):
        print(f"| {label} | {value:.2f} | {value / result.bare:.1f} |")
    print_new_queries(result)


def print_new_queries(result: SearchCpu) -> None:
    """Issue 22's target 3: a search nobody has made yet ≤ NEW_QUERY_TARGET ms of CPU.

    The queries (the mix's kinds, typos and deep pages included) are cut into `batches`
    consecutive batches; each batch's mean is what a worker answering only new queries spends per
    request, so the figure against the target is the median of the batches' means, with their
    range; the single requests' median and 90th percentile say how the cost is spread.
    """
    times, means = result.new_queries, result.batch_means()
    mean = statistics.median(means)
    deciles = statistics.quantiles(times, n=10)
    verdict = "met" if mean <= NEW_QUERY_TARGET else "missed"
    print(
        f"\nnew queries (issue 22, target 3): {len(times):,} distinct queries never asked, {result.batches} batches,"
        f" load average {os.getloadavg()[0]:.1f}"
    )
    print("| measurement | CPU ms per request |\n|---|---|")
    print(f"| new query, mean per batch: median (range) | {mean:.2f} ({min(means):.2f}–{max(means):.2f}) |")
    print(f"| new query, single requests: median, 90th percentile, max | {statistics.median(times):.2f},"
          f" {deciles[-1]:.2f}, {max(times):.2f} |")  # fmt: skip
    print(f"| kept-page mix, for comparison | {result.kept:.2f} |")
    print(f"target ≤ {NEW_QUERY_TARGET:.1f} ms per new query: **{verdict}**")
