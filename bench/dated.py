"""`python -m bench.dated`: what the nightly rebuild costs when the date moves.

    .venv/bin/python -m bench.dated                 # 2,000 mottagningar, 3 runs per figure
    .venv/bin/python -m bench.dated --size 10000

Generates the synthetic region of bench/synth.py, gives every tenth mottagning a holiday as
avvikande öppettider and a dated notice, builds it for one day, and then times fresh `sitegen
build` processes: the same day again (nothing to do), the next day when nothing dated comes or
goes, and a day on which every dated page changes (the holiday comes within six weeks). Each
figure is the median of --runs runs; the pages re-rendered are reported by the build itself.
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synth import generate

HOLIDAY = datetime.date(2027, 6, 25)  # midsommarafton
DATED = f"""\
opening_exceptions:
  - {{date: {HOLIDAY.isoformat()}, hours: Stängt, note: Midsommarafton}}
notices:
  - title: Vi bygger om entrén
    text: Använd ingång B under ombyggnaden.
    from: 2027-03-01
    until: 2027-09-30
"""


def _build(content: Path, out: Path, day: datetime.date) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--content", str(content), "--out", str(out),
         "--today", day.isoformat()],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - started, result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-dated-"))
    try:
        content, out = scratch / "content", scratch / "site"
        synthetic = generate(content, args.size)
        for slug in synthetic.clinics[::10]:
            path = content / "clinics" / f"{slug}.yaml"
            path.write_text(path.read_text(encoding="utf-8") + DATED, encoding="utf-8")
        first = HOLIDAY - datetime.timedelta(days=60)  # notice up, holiday not yet within six weeks
        seconds, summary = _build(content, out, first)
        print(f"{args.size} mottagningar, {len(synthetic.clinics[::10])} with dated content")
        print(f"full build: {seconds:.2f} s ({summary})")
        rows = [
            ("same day again", lambda run: first),
            ("next day, nothing dated changes", lambda run: first + datetime.timedelta(days=1 + 2 * run)),
            ("the holiday comes within six weeks", lambda run: HOLIDAY - datetime.timedelta(days=41)),
        ]
        for name, day_of in rows:
            times = []
            for run in range(args.runs):
                if name.startswith("the holiday"):
                    _build(content, out, first)  # back to the day before it, then move
                seconds, summary = _build(content, out, day_of(run))
                times.append(seconds)
            print(f"{name}: median {statistics.median(times):.2f} s ({summary})")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
