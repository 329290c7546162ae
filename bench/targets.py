"""`python -m bench.targets`: issue 22's targets in one run and one table.

    .venv/bin/python -m bench.targets                  # targets 1-3, 5-11 minutes on 2 cores
    .venv/bin/python -m bench.targets --build          # and target 4 (many minutes more)
    .venv/bin/python -m bench.targets --quick          # a smoke run: few requests, one short round

Issue 22 is done when one command prints every target's figure against it. Before this, the
figures came from four commands in four layouts (bench.floor, bench.peer, bench.search
--cpu-only, bench.forms_start with the site benchmark), so this calls those modules' own
functions, which return their figures as data (bench.figures.Figure), and prints one Markdown table
of measure | result | target | met/missed. Each figure is the median of alternated rounds with
their range; the load average before and after and the bare Flask route's cost (0.12 ms when the
targets were set) say how busy the machine was, which moves every figure alike.

Target 1 needs the peer's extensions (`pip install -e ".[bench]"`) and wrk; `--no-peer` leaves it
out. Target 3's region is generated and built first (`--work DIR` keeps it for the next run).
Only 127.0.0.1 is contacted; every server is stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.figures import Figure, table

# --quick: enough to see every part run and every row filled, not a measurement.
QUICK = {
    "rounds": 1,
    "requests": 20,
    "peer_rounds": 1,
    "duration": 1,
    "warmup": 3,  # a second per page: the forms app's workers have started before the round
    "search_count": 150,
    "batches": 2,
    "per_batch": 20,
    "build_count": 100,
}


@contextmanager
def own_environment() -> Iterator[None]:
    """Each part sets FORMS_* for the app it builds in this process; the next must not inherit them."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        gc.collect()  # the part's app and its kept objects: not a cost of the next part's requests


def floor_part(args: argparse.Namespace) -> list[Figure]:
    """Target 2: the platform floor, CPU ms per request in one process."""
    from bench import floor

    return floor.figures(floor.run(args.rounds, args.requests))


def search_part(args: argparse.Namespace) -> list[Figure]:
    """Target 3: the region generated and built once (kept in --work), then new queries' CPU."""
    from bench.search import timed_build
    from bench.search_cpu import cpu_figures, run_cpu
    from bench.synth import generate

    scratch = Path(tempfile.mkdtemp(prefix="bench-targets-search-"))
    work = args.work / f"search-{args.search_count}" if args.work else scratch
    try:
        content, site = work / "content", work / "build"
        if not (site / "index.html").is_file():
            generate(content, args.search_count)
            seconds = timed_build(content, site, "--full")
            print(f"  {args.search_count:,} mottagningar generated and built in {seconds:.1f} s", flush=True)
        return cpu_figures(run_cpu(site, work, args.batches, args.per_batch), args.search_count)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def peer_part(args: argparse.Namespace) -> list[Figure]:
    """Target 1: the three pages against the fair peer under gunicorn, then CPU in one process."""
    from bench.peer.__main__ import booking_day, cpu, environment, figures, load, parser

    options = parser().parse_args(
        ["--rounds", str(args.peer_rounds), "--duration", str(args.duration), "--warmup", str(args.warmup),
         "--requests", str(args.requests), "--connections", str(args.connections)]
    )  # fmt: skip
    day = booking_day(datetime.date.today())
    with tempfile.TemporaryDirectory(prefix="bench-targets-peer-") as scratch:
        folder = Path(scratch)
        env = environment(folder)
        # Its CPU rounds as many as its load's: 3 × 9 pages × 300 requests is about a minute of CPU,
        # and on two cores shared with other jobs five took over three minutes of wall time.
        return figures(load(options, env, folder, day), cpu(options, env, folder, day))


def build_part(args: argparse.Namespace) -> list[Figure]:
    """Target 4 (only with --build): the cold build against Hugo's twin, a worker's start."""
    from bench.targets_build import build_figures

    with tempfile.TemporaryDirectory(prefix="bench-targets-build-") as scratch:
        return build_figures(args.build_count, args.build_rounds, Path(scratch))


def peer_ready() -> str:
    """Why target 1 cannot run here, or "" when it can."""
    import importlib.util

    if importlib.util.find_spec("flask_session") is None or importlib.util.find_spec("flask_sqlalchemy") is None:
        return 'the peer needs its extensions: .venv/bin/python -m pip install -e ".[bench]" (or --no-peer)'
    if shutil.which("wrk") is None:
        return "the peer's load needs wrk (apt-get install wrk) (or --no-peer)"
    return ""


def collect(args: argparse.Namespace) -> tuple[list[Figure], list[str]]:
    """Every part the options ask for, in turn: the figures, and a line per part of how long it took."""
    parts: list[tuple[str, Callable[[argparse.Namespace], list[Figure]]]] = [
        ("target 2, the platform floor", floor_part),
        ("target 3, a search nobody has made yet", search_part),
    ]
    if not args.no_peer:
        parts.append(("target 1, against the peer", peer_part))
    if args.build:
        parts.append(("target 4, the cold build and a worker's start", build_part))
    figures: list[Figure] = []
    took: list[str] = []
    for name, part in parts:
        print(f"{name} …", flush=True)
        started = time.monotonic()
        with own_environment():
            figures.extend(part(args))
        took.append(f"{name}: {time.monotonic() - started:.0f} s")
    return figures, took


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.targets", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny sizes, one short round")
    parser.add_argument("--rounds", type=int, default=5, help="the floor's alternated CPU rounds (5)")
    parser.add_argument("--requests", type=int, default=300, help="requests per page and CPU round (300)")
    parser.add_argument("--peer-rounds", type=int, default=3, help="the peer's rounds, of load and of CPU (3)")
    parser.add_argument("--duration", type=int, default=3, help="seconds of wrk per page and server and round (3)")
    parser.add_argument("--warmup", type=int, default=12, help="seconds of unmeasured load per server (12)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--no-peer", action="store_true", help="leave target 1 out")
    parser.add_argument("--search-count", type=int, default=10_000, help="mottagningar for target 3 (10,000)")
    parser.add_argument("--batches", type=int, default=5, help="batches of new queries (5)")
    parser.add_argument("--per-batch", type=int, default=400, help="new queries per batch (400)")
    parser.add_argument("--work", type=Path, default=None, help="keep target 3's built region here, reuse it")
    parser.add_argument("--build", action="store_true", help="target 4 too (many minutes)")
    parser.add_argument("--build-count", type=int, default=10_000, help="mottagningar for target 4 (10,000)")
    parser.add_argument("--build-rounds", type=int, default=3, help="alternated cold builds and starts (3)")
    args = parser.parse_args(argv)
    if args.quick:
        for name, value in QUICK.items():
            if parser.get_default(name) == getattr(args, name):
                setattr(args, name, value)
    return args


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    if not args.no_peer and (why := peer_ready()):
        print(why, file=sys.stderr)
        return 2
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    before = os.getloadavg()
    started = time.monotonic()
    figures, took = collect(args)
    after = os.getloadavg()
    bare = next(figure for figure in figures if figure.measure.startswith("bare Flask route"))
    print(f"\nissue 22's targets, {datetime.datetime.now():%Y-%m-%d %H:%M}, {cores} cores"
          f"{' (--quick: a smoke run, not a measurement)' if args.quick else ''}")  # fmt: skip
    print(f"load average before {before[0]:.1f} / {before[1]:.1f}, after {after[0]:.1f} / {after[1]:.1f} (1 / 5 min); "
          f"bare Flask route {bare.median:.2f} ms CPU per request (0.12 ms when the targets were set)\n")  # fmt: skip
    print("\n".join(table(figures)))
    print(f"\n{'; '.join(took)}; {time.monotonic() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
