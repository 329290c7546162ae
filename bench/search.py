"""`python -m bench.search`: the search index's cost inside the build, and /sok/ under load.

    .venv/bin/python -m bench.search [--count 10000] [--work DIR] [--duration 10] [--connections 50]

For a generated region (bench/synth.py, `--count` mottagningar):

1. a cold full build (`sitegen build --full`, a fresh process), and inside it the index's share:
   writing the same documents into a new index file (SqliteIndexWriter.replace_all), timed alone;
2. one clinic renamed: the incremental build (a fresh process) and the index update alone;
3. /sok/ under gunicorn at `--connections` connections with wrk, against the bare Flask route of
   bench/hello_app.py (same workers and client), the three measured ALTERNATELY `--rounds` times
   (medians, and the median of the rounds' ratios):
   - the mix: 50 queries (names with and without å/ä/ö, prefixes, municipalities, two words,
     filters, page 2, a typo with its suggestions) cycled, so after its first round each worker
     answers them from the pages it keeps (forms/search/cache.py);
   - distinct queries: the same kinds of query, every request a query no worker has seen (a fresh
     slice per round), so neither the kept pages nor the kept results help: the search's own speed;
4. what one request costs in one process (Flask's test client, CPU time, not moved much by the
   machine's load): the bare route, /sok/ answered from a kept page, rendered from kept results,
   and computed for a new query;
5. the front page's size, raw and gzipped;
6. the relevance of a few queries on the generated region (first hit, count).

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
import statistics
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

# wrk's threads take turns through the list (thread 0 the even entries, thread 1 the odd ones), so
# a list of distinct queries is never asked twice while it lasts.
THREADS = 2
LUA = """
paths = {%s}
local started = 0
function setup(thread)
  thread:set("tid", started)
  started = started + 1
end
counter = 0
request = function()
  local index = (counter * %d + tid) %% #paths + 1
  counter = counter + 1
  return wrk.format("GET", paths[index])
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
    return ["/sok/?" + urlencode(query) for query in _queries(Region.of(site), rng)]


def distinct_queries(site: Path, rng: random.Random, count: int) -> list[str]:
    """`count` different search addresses of the mix's kinds (typos made from the names, too)."""
    region = Region.of(site)
    found: dict[str, None] = {}
    for _ in range(count * 4):
        for query in _queries(region, rng, typo=True):
            found.setdefault("/sok/?" + urlencode(query))
        if len(found) >= count:
            break
    paths = list(found)[:count]
    rng.shuffle(paths)
    return paths


BROAD = ("vårdcentral", "mottagning", "tandvård", "bvc", "barnmorske", "hud", "central", "psykiatri")


@dataclasses.dataclass(frozen=True)
class Region:
    names: list[str]
    places: list[str]
    services: list[str]

    @classmethod
    def of(cls, site: Path) -> Region:
        documents = read_documents(site)
        return cls(
            [document.name for document in documents],
            sorted({document.municipality for document in documents}),
            sorted({name for document in documents for name in document.eservices}),
        )


def _queries(region: Region, rng: random.Random, typo: bool = False) -> list[dict[str, str]]:
    names, places, services = region.names, region.places, region.services
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
        broad = rng.choice(BROAD) if typo else "vårdcentral"
        queries.append({"q": broad, "kommun": rng.choice(places)})
    for _ in range(3):
        queries.append({"q": "mottagningen", "oppet": "nu", **({"sida": str(rng.randint(1, 400))} if typo else {})})
    for _ in range(3):
        queries.append({"kommun": rng.choice(places), "sida": str(rng.choice([2, 2, 2, 3, 4]) if typo else 2)})
    for _ in range(3):
        if typo:  # a name's word with a letter left out: no hits, suggestions
            word = max(rng.choice(names).split(), key=len)
            cut = rng.randrange(1, len(word) - 1)
            queries.append({"q": word[:cut] + word[cut + 1 :] + "q"})
        else:
            queries.append({"q": "vårdcetral"})  # a typo: no hits, suggestions
    queries.append({"q": "x" * 300 if not typo else rng.choice(names) + " " + "x" * 280})
    assert len(queries) == 50
    return queries


def wrk_mix(port: int, paths: list[str], connections: int, duration: int, folder: Path) -> tuple[float, float, float]:
    from bench.forms_load import _ms

    script = folder / "mix.lua"
    script.write_text(LUA % (", ".join(f'"{path}"' for path in paths), THREADS), encoding="utf-8")
    output = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
         "-s", str(script), f"http://127.0.0.1:{port}/"],
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
    queries = (example.name, plain, example.municipality, f"vårdc {example.municipality}", "tandvard", "bvc",
               "central", f"central {example.municipality}")  # fmt: skip
    for text in queries:
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
    mix = query_mix(site, random.Random(12))
    per_round = args.distinct
    distinct = distinct_queries(site, random.Random(13), per_round * args.rounds)
    hello = start_gunicorn("bench.hello_app:app", env, args.workers, args.threads, log, "/")
    forms = start_gunicorn("forms:create_app()", env, args.workers, args.threads, log, "/sok/?q=a")
    rows: dict[str, list[tuple[float, float, float]]] = {"bare": [], "mix": [], "distinct": []}
    try:
        for number in range(args.rounds):  # alternated: the machine's load moves all three alike
            rows["bare"].append(wrk_mix(hello.port, ["/"], args.connections, args.duration, work))
            rows["mix"].append(wrk_mix(forms.port, mix, args.connections, args.duration, work))
            fresh = distinct[number * per_round : (number + 1) * per_round]
            rows["distinct"].append(wrk_mix(forms.port, fresh, args.connections, args.duration, work))
            asked = rows["distinct"][-1][0] * args.duration
            if asked > len(fresh):
                print(f"note: round {number + 1} asked about {asked:.0f} queries of {len(fresh)} distinct ones;"
                      " raise --distinct so that none is asked twice")  # fmt: skip
    finally:
        forms.stop()
        hello.stop()
    print(
        f"\n/sok/ under gunicorn ({args.workers} workers × {args.threads} threads), {args.connections} connections,"
        f" {args.rounds} alternated rounds of {args.duration} s (medians; load average {os.getloadavg()[0]:.1f})"
    )
    print("| measurement | requests/s | p50 | p99 | share of the bare route's requests/s | p99 ÷ bare p99 |")
    print("|---|---|---|---|---|---|")
    labels = {
        "bare": "bare Flask route",
        "mix": "/sok/, mix of 50 queries (kept pages after the first round)",
        "distinct": f"/sok/, every request a new query ({per_round:,} distinct a round: nothing kept helps)",
    }
    for number in range(args.rounds):
        print("round", number + 1, "; ".join(
            f"{name} {rows[name][number][0]:.0f}/s p99 {rows[name][number][2]:.0f} ms" for name in labels
        ))  # fmt: skip
    for name, label in labels.items():
        rps, p50, p99 = (statistics.median(row[i] for row in rows[name]) for i in range(3))
        share = statistics.median(row[0] / bare[0] for row, bare in zip(rows[name], rows["bare"], strict=True))
        slower = statistics.median(row[2] / bare[2] for row, bare in zip(rows[name], rows["bare"], strict=True))
        print(f"| {label} | {rps:.0f} | {p50:.1f} ms | {p99:.1f} ms | {share:.0%} | {slower:.1f}× |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=None, help="keep the generated content and site here")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    parser.add_argument("--workers", type=int, default=2 * cores)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--distinct", type=int, default=6000, help="distinct queries per round of that pass")
    parser.add_argument("--no-load", action="store_true", help="skip the load test")
    parser.add_argument("--load-only", action="store_true", help="only the load test, on --work's built site")
    parser.add_argument("--cpu-only", action="store_true", help="only the CPU per request, on --work's built site")
    parser.add_argument("--batches", type=int, default=5, help="batches of new queries (CPU per new query)")
    parser.add_argument("--per-batch", type=int, default=400, help="distinct new queries per batch")
    args = parser.parse_args(argv)
    from bench.search_cpu import measure_cpu

    scratch = tempfile.mkdtemp(prefix="bench-search-")
    work = args.work or Path(scratch)
    try:
        content, site = work / "content", work / "build"
        if args.load_only or args.cpu_only:
            measure_cpu(site, work, args.batches, args.per_batch)
            if args.load_only:
                measure_load(site, work, args)
            return 0
        synthetic = generate(content, args.count)
        print(f"\nsearch index, {args.count} mottagningar ({cores} cores, load average {os.getloadavg()[0]:.1f})")
        measure_build(content, site, work, synthetic.clinics)
        print_relevance(site)
        measure_cpu(site, work, args.batches, args.per_batch)
        if not args.no_load and ensure_wrk():
            measure_load(site, work, args)
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
