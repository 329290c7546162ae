"""Issue 22's target 4 for bench.targets: the cold build against the Hugo twin, and a worker's start.

Only with `python -m bench.targets --build`: generating 10,000 mottagningar, their Hugo twin and
alternated cold builds of both take many minutes, so the other targets' run (a few minutes) does
not wait for it. The parts are the site benchmark's own (bench.__main__'s `measure`, the twin of
bench.hugotwin) and bench.forms_start's `starts`, called, not copied.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from bench.figures import Figure

BUILD_TARGET = 1.0  # the cold build's time ÷ the Hugo twin's
START_SECONDS = 2.0  # create_app() from the build's snapshot at 10,000 mottagningar
START_MB = 100.0  # what the content adds to a worker's resident memory


def build_figures(count: int, rounds: int, work: Path) -> list[Figure]:
    """Cold builds of sitegen and the twin, alternated `rounds` times, then a worker's start."""
    from bench.__main__ import REPO, ensure_hugo, measure
    from bench.forms_start import starts
    from bench.hugotwin import hugo_command, make_twin
    from bench.synth import generate

    ensure_hugo()
    content, out, twin = work / "content", work / "site", work / "hugo-site"
    hugo_out, hugo_cache = work / "hugo-public", work / "hugo-cache"
    generate(content, count)
    make_twin(content, twin)
    ours = [sys.executable, "-m", "sitegen", "build", "--content", str(content), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    wall: list[float] = []
    cpu: list[float] = []
    for number in range(max(1, rounds)):
        for folder in (out, out.parent / ".sitegen-cache", hugo_out, hugo_cache, twin / "resources"):
            shutil.rmtree(folder, ignore_errors=True)
        if number % 2 == 0:  # alternate which goes first: a busy minute lands on both alike
            mine, theirs = measure(ours, env), measure(hugo_command(twin, hugo_out, hugo_cache))
        else:
            theirs, mine = measure(hugo_command(twin, hugo_out, hugo_cache)), measure(ours, env)
        wall.append(mine.seconds / theirs.seconds)
        cpu.append(mine.cpu / theirs.cpu)
        print(
            f"  cold build round {number + 1}: sitegen {mine.seconds:.1f} s ({mine.cpu:.1f} s CPU), "
            f"Hugo {theirs.seconds:.1f} s ({theirs.cpu:.1f} s CPU)",
            flush=True,
        )
    started = starts(content, out, work, max(1, rounds), yaml=False)["snapshot"]
    size = f"{count:,} mottagningar"
    return [
        Figure(f"target 4: cold build, CPU ÷ the Hugo twin's ({size})", cpu, "×", BUILD_TARGET),
        Figure(f"target 4: cold build, wall time ÷ the Hugo twin's ({size})", wall, "×", BUILD_TARGET),
        Figure(
            f"target 4: worker start from the snapshot, s ({size})", [r["seconds"] for r in started], "s", START_SECONDS
        ),
        Figure(f"target 4: content in a worker, MB ({size})", [r["mb"] for r in started], "MB", START_MB, digits=0),
    ]
