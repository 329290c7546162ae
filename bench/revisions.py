"""Two revisions of sitegen on the same content, alternated in one run: is a change a slowdown?

A refactor (moving modules, splitting the build into stages) must not make the build slower. Timing
one revision now and another later compares two machines' moods as much as two programs, so this
builds the same synthetic region with each revision in turn, alternating which goes first, and
reports the median of the per-round ratios:

    .venv/bin/python -m bench.revisions 6377e39 HEAD --count 1000 --rounds 5

Each revision is checked out into a temporary worktree and run with its own source on PYTHONPATH
(the libraries come from this .venv). Per round and revision: a cold full build (no output, no
cache), then an incremental build after one clinic's name changed. The two revisions'
outputs are compared byte for byte at the end of every round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.__main__ import REPO, measure, tree_hashes
from bench.synth import generate


def _worktree(revision: str, where: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(where), revision], cwd=REPO, check=True)
    return where


def _build(tree: Path, content: Path, out: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "sitegen", "build", "--content", str(content), "--out", str(out)]
    return measure(command, env=env).seconds


def _rename(clinic: Path, round_number: int) -> None:
    """Change one mottagning's name: its page (and the index) must be written again."""
    lines = clinic.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("name: "):
            lines[index] = f"name: {line[6:].strip().rsplit(' runda', 1)[0]} runda {round_number}\n"
            break
    clinic.write_text("".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--count", type=int, default=1000, help="mottagningar in the synthetic region")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hittavard-revisions-") as temp:
        work = Path(temp)
        trees = {"old": _worktree(args.old, work / "old"), "new": _worktree(args.new, work / "new")}
        try:
            synthetic = generate(work / "content", args.count)
            clinic = work / "content" / "clinics" / f"{synthetic.clinics[len(synthetic.clinics) // 2]}.yaml"
            cold: dict[str, list[float]] = {"old": [], "new": []}
            one: dict[str, list[float]] = {"old": [], "new": []}
            for round_number in range(args.rounds):
                order = ["old", "new"] if round_number % 2 == 0 else ["new", "old"]
                outs = {name: work / f"out-{name}" for name in order}
                for name in order:
                    shutil.rmtree(outs[name], ignore_errors=True)
                    shutil.rmtree(work / ".sitegen-cache" / f"build-out-{name}", ignore_errors=True)
                    cold[name].append(_build(trees[name], work / "content", outs[name]))
                _rename(clinic, round_number)
                for name in order:
                    one[name].append(_build(trees[name], work / "content", outs[name]))
                if tree_hashes(outs["old"]) != tree_hashes(outs["new"]):
                    print(f"round {round_number + 1}: the two revisions' sites DIFFER", file=sys.stderr)
                    return 1
                print(
                    f"round {round_number + 1}: cold old {cold['old'][-1]:.2f} s new {cold['new'][-1]:.2f} s; "
                    f"one clinic old {one['old'][-1]:.2f} s new {one['new'][-1]:.2f} s; sites identical",
                    flush=True,
                )
            print(f"\n{args.count} mottagningar, {args.rounds} alternated rounds, {args.old} → {args.new}")
            for label, runs in (("cold full build", cold), ("one clinic changed", one)):
                ratios = [new / old for old, new in zip(runs["old"], runs["new"], strict=True)]
                print(
                    f"{label}: old median {statistics.median(runs['old']):.2f} s, new median "
                    f"{statistics.median(runs['new']):.2f} s, median ratio new/old {statistics.median(ratios):.3f}"
                )
        finally:
            for tree in trees.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
