"""`python -m bench.search`: the search index's cost inside the build, and /sok/ under load.

    .venv/bin/python -m bench.search [--count 10000] [--work DIR] [--duration 10] [--connections 50]

For a generated region (bench/synth.py, `--count` mottagningar):

1. a cold full build (`sitegen build --full`, a fresh process), and inside it the index's share:
   writing the same documents into a new index file (SqliteIndexWriter.replace_all), timed alone;
2. one clinic renamed: the incremental build (a fresh process) and the index update alone;
3. /sok/ under gunicorn at `--connections` connections with wrk, a mix of 50 queries (names with
   and without å/ä/ö, prefixes, municipalities, two words, filters, page 2, a typo with its
   suggestions) against the bare Flask route of bench/hello_app.py, same workers and client;
4. the front page's size, raw and gzipped;
5. the relevance of a few queries on the generated region (first hit, count).

Only 127.0.0.1 is ever contacted; the servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gzip
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.forms_load import REPO, ensure_wrk, start_gunicorn
from bench.synth import generate
from sitegen.search.opening import OpeningHours
from sitegen.search.query import Query
from sitegen.search.reader import SqliteSearcher
from sitegen.search.writer import SqliteIndexWriter, read_documents

LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def timed_build(content: Path, out: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "sitegen"), "build", "--content", str(content), "--out", str(out), *extra],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def query_mix(site: Path, rng: random.Random) -> list[str]:
    """50 search addresses drawn from the region's own names and places."""
    documents = read_documents(site)
    names = [document.name for document in documents]
    places = sorted({document.municipality for document in documents})
    services = sorted({name for document in documents for name in document.eservices})
    fold = str.maketrans("åäöÅÄÖ", "aaoAAO")
    queries: list[dict[str, str]] = []
    for _ in range(10):
        queries.append({"q": rng.choice(names)})
    for _ in range(6):
        queries.append({"q": rng.choice(names).translate(fold).lower()})
    for _ in range(6):
        name = rng.choice(names).split()[0]
        queries.append({"q": name[: max(3, len(name) // 2)]})  # a prefix
    for _ in range(6):
        queries.append({"q": rng.choice(places)})
    for _ in range(4):
        queries.append({"q": f"vårdcentral {rng.choice(places).translate(fold)}"})
    for _ in range(4):
        queries.append({"q": rng.choice(services)})
    for _ in range(4):
        queries.append({"q": "vårdcentral", "kommun": rng.choice(places)})
    for _ in range(3):
        queries.append({"q": "mottagningen", "oppet": "nu"})
    for _ in range(3):
        queries.append({"kommun": rng.choice(places), "sida": "2"})
    for _ in range(3):
        queries.append({"q": "vårdcetral"})  # a typo: no hits, suggestions
    queries.append({"q": "x" * 300})
    assert len(queries) == 50
    return ["/sok/?" + urlencode(query) for query in queries]


def wrk_mix(port: int, paths: list[str], connections: int, duration: int, folder: Path) -> tuple[float, float, float]:
    from bench.forms_load import _ms

    script = folder / "mix.lua"
    script.write_text(LUA % ", ".join(f'"{path}"' for path in paths), encoding="utf-8")
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s", "-s", str(script),
         f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True, timeout=duration + 60,
    ).stdout  # fmt: skip

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    # The latency distribution's lines ("     50%   12.00ms"), not the thread stats' "+/- Stdev 90.50%".
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if bad:
        raise RuntimeError(f"{bad.group(1)} answers were not 2xx/3xx:\n{output}")
    return rps, p50, p99


def measure_build(content: Path, site: Path, work: Path, synthetic_clinics: list[str]) -> None:
    shutil.rmtree(site, ignore_errors=True)
    cold = timed_build(content, site, "--full")
    documents = read_documents(site)
    started = time.perf_counter()
    SqliteIndexWriter(work / "index-alone").replace_all(documents)
    index_alone = time.perf_counter() - started

    slug = synthetic_clinics[len(synthetic_clinics) // 2]
    path = content / "clinics" / f"{slug}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: ", "name: Nya ", 1), encoding="utf-8")
    incremental = timed_build(content, site)
    document = next(document for document in read_documents(site) if document.slug == slug)
    renamed = dataclasses.replace(document, name=document.name + " igen")
    started = time.perf_counter()
    SqliteIndexWriter(site).update([renamed], [])
    update_alone = time.perf_counter() - started

    front = (site / "index.html").read_bytes()
    print("| measurement | seconds | share |\n|---|---|---|")
    print(f"| cold full build (sitegen build --full) | {cold:.2f} | |")
    print(f"| of which: writing the index (alone) | {index_alone:.2f} | {index_alone / cold:.1%} of the cold build |")
    print(f"| one clinic renamed: incremental build | {incremental:.2f} | |")
    print(f"| of which: updating its index rows (alone) | {update_alone:.3f} | {update_alone / incremental:.1%} |")
    print(f"front page: {len(front):,} bytes, {len(gzip.compress(front, 6)):,} bytes gzipped")


def print_relevance(site: Path) -> None:
    documents = read_documents(site)
    searcher = SqliteSearcher(site, OpeningHours())
    moment = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)
    example = documents[123]
    plain = example.name.lower().translate(str.maketrans("åäö", "aao"))
    print("\n| query | matches | first hit |\n|---|---|---|")
    for text in (example.name, plain, example.municipality, f"vårdc {example.municipality}", "tandvard", "bvc"):
        result = searcher.search(Query(text=text, moment=moment, per_page=1))
        first = f"{result.hits[0].name} ({result.hits[0].municipality})" if result.hits else "-"
        print(f"| {text} | {result.total} | {first} |")


def measure_load(site: Path, work: Path, args: argparse.Namespace) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "FORMS_CONTENT_DIR": str(REPO / "content"),  # /sok/ reads only the index of FORMS_SITE_DIR
        "FORMS_SITE_DIR": str(site),
        "FORMS_DATABASE_URL": f"sqlite:///{work / 'forms.sqlite3'}",
        "FORMS_SECRET_KEY": os.urandom(32).hex(),
    }
    log = work / "gunicorn.log"
    paths = query_mix(site, random.Random(12))
    hello = start_gunicorn("bench.hello_app:app", env, args.workers, args.threads, log, "/")
    try:
        ceiling = wrk_mix(hello.port, ["/"], args.connections, args.duration, work)
    finally:
        hello.stop()
    forms = start_gunicorn("forms:create_app()", env, args.workers, args.threads, log, "/sok/?q=a")
    try:
        search = wrk_mix(forms.port, paths, args.connections, args.duration, work)
    finally:
        forms.stop()
    print(f"\n/sok/ under gunicorn ({args.workers} workers × {args.threads} threads), {args.connections} connections")
    print("| measurement | requests/s | p50 | p99 |\n|---|---|---|---|")
    print(f"| bare Flask route | {ceiling[0]:.0f} | {ceiling[1]:.1f} ms | {ceiling[2]:.1f} ms |")
    print(f"| /sok/, mix of 50 queries | {search[0]:.0f} | {search[1]:.1f} ms | {search[2]:.1f} ms |")
    share, slower = search[0] / ceiling[0], search[2] / ceiling[2]
    print(f"/sok/: {share:.0%} of the bare route's requests/s; p99 {slower:.1f}× its p99")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=None, help="keep the generated content and site here")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    parser.add_argument("--workers", type=int, default=2 * cores)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-load", action="store_true", help="skip the load test")
    parser.add_argument("--load-only", action="store_true", help="only the load test, on --work's built site")
    args = parser.parse_args(argv)
    scratch = tempfile.mkdtemp(prefix="bench-search-")
    work = args.work or Path(scratch)
    try:
        content, site = work / "content", work / "build"
        if args.load_only:
            measure_load(site, work, args)
            return 0
        synthetic = generate(content, args.count)
        print(f"\nsearch index, {args.count} mottagningar ({cores} cores, load average {os.getloadavg()[0]:.1f})")
        measure_build(content, site, work, synthetic.clinics)
        print_relevance(site)
        if not args.no_load and ensure_wrk():
            measure_load(site, work, args)
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
