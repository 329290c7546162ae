"""Two revisions of sitegen on the same content, alternated in one run: is a change a slowdown?

A refactor (moving modules, splitting the build into stages) must not make the build slower. Timing
one revision now and another later compares two machines' moods as much as two programs, so this
builds the same synthetic region with each revision in turn, alternating which goes first, and
reports the median of the per-round ratios, of wall time and of CPU time (user + system of the
build and its workers, which a shared machine's load distorts less):

    .venv/bin/python -m bench.revisions 6377e39 HEAD --count 1000 --rounds 5

Each revision is checked out into a temporary worktree and run with its own source on PYTHONPATH
(the libraries come from this .venv). Per round and revision: a cold full build (no output, no
cache), then an incremental build after one clinic's name changed. The two revisions'
outputs are compared byte for byte at the end of every round.

Two revisions far apart may not read the same content (keys added since, pages that changed):
`--own-content` builds each revision's own synthetic region, from its own bench/synth.py, of the
same size, and compares times only (`python -m bench.revisions 6377e39 HEAD --own-content`).
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

from bench.__main__ import REPO, Run, measure, tree_hashes
from bench.synth import generate


def _worktree(revision: str, where: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(where), revision], cwd=REPO, check=True)
    return where


def _build(tree: Path, content: Path, out: Path) -> Run:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # -P: without it `-m` puts the working directory (this checkout, where measure runs) before
    # PYTHONPATH, and both "revisions" would run this checkout's sitegen.
    command = [sys.executable, "-P", "-m", "sitegen", "build", "--content", str(content), "--out", str(out)]
    return measure(command, env=env)


def _summary(label: str, runs: dict[str, list[Run]]) -> str:
    walls = {name: [run.seconds for run in done] for name, done in runs.items()}
    cpus = {name: [run.cpu for run in done] for name, done in runs.items()}
    wall_ratios = [new / old for old, new in zip(walls["old"], walls["new"], strict=True)]
    cpu_ratios = [new / old for old, new in zip(cpus["old"], cpus["new"], strict=True)]
    return (
        f"{label}: wall old median {statistics.median(walls['old']):.2f} s, "
        f"new {statistics.median(walls['new']):.2f} s, "
        f"median ratio new/old {statistics.median(wall_ratios):.3f} ({min(wall_ratios):.3f}–{max(wall_ratios):.3f}); "
        f"CPU old {statistics.median(cpus['old']):.2f} s, new {statistics.median(cpus['new']):.2f} s, "
        f"ratio {statistics.median(cpu_ratios):.3f} ({min(cpu_ratios):.3f}–{max(cpu_ratios):.3f})"
    )


def _own_content(tree: Path, where: Path, count: int) -> Path:
    """`count` mottagningar from the revision's own bench/synth.py (same seed, its own format)."""
    script = (
        "import sys; from pathlib import Path; from bench.synth import generate; "
        "generate(Path(sys.argv[1]), int(sys.argv[2]))"
    )
    subprocess.run([sys.executable, "-c", script, str(where), str(count)], cwd=tree, check=True)
    return where


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
    parser.add_argument(
        "--own-content", action="store_true", help="each revision builds its own synthetic content; no byte check"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hittavard-revisions-") as temp:
        work = Path(temp)
        trees = {"old": _worktree(args.old, work / "old"), "new": _worktree(args.new, work / "new")}
        try:
            contents = {name: work / "content" for name in trees}
            if args.own_content:
                contents = {
                    name: _own_content(tree, work / f"content-{name}", args.count) for name, tree in trees.items()
                }
            synthetic = generate(work / "content", args.count)
            clinic = work / "content" / "clinics" / f"{synthetic.clinics[len(synthetic.clinics) // 2]}.yaml"
            cold: dict[str, list[Run]] = {"old": [], "new": []}
            one: dict[str, list[Run]] = {"old": [], "new": []}
            for round_number in range(args.rounds):
                order = ["old", "new"] if round_number % 2 == 0 else ["new", "old"]
                outs = {name: work / f"out-{name}" for name in order}
                for name in order:
                    shutil.rmtree(outs[name], ignore_errors=True)
                    shutil.rmtree(work / ".sitegen-cache" / f"build-out-{name}", ignore_errors=True)
                    cold[name].append(_build(trees[name], contents[name], outs[name]))
                for content in set(contents.values()):
                    if (content / "clinics" / clinic.name).is_file():
                        _rename(content / "clinics" / clinic.name, round_number)
                for name in order:
                    one[name].append(_build(trees[name], contents[name], outs[name]))
                if not args.own_content and tree_hashes(outs["old"]) != tree_hashes(outs["new"]):
                    print(f"round {round_number + 1}: the two revisions' sites DIFFER", file=sys.stderr)
                    return 1
                same = "own content each" if args.own_content else "sites identical"
                print(
                    f"round {round_number + 1}: cold old {cold['old'][-1].seconds:.2f} s "
                    f"({cold['old'][-1].cpu:.2f} s CPU) new {cold['new'][-1].seconds:.2f} s "
                    f"({cold['new'][-1].cpu:.2f} s CPU); one clinic old {one['old'][-1].seconds:.2f} s "
                    f"new {one['new'][-1].seconds:.2f} s; {same}; load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            print(f"\n{args.count} mottagningar, {args.rounds} alternated rounds, {args.old} → {args.new}")
            for label, runs in (("cold full build", cold), ("one clinic changed", one)):
                print(_summary(label, runs))
        finally:
            for tree in trees.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
