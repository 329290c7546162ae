"""`python -m bench.suite_speeds`: the speed figures that used to be timed assertions in the tests.

    .venv/bin/python -m bench.suite_speeds [--runs 3] [--no-load]

The tests prove behaviour only (a slow link is given up on, links are asked concurrently, a cached
run asks nobody, a double-submitted send stores one case); how fast each happens is printed here:

- the link checker (sitegen/links.py) against a server on 127.0.0.1: giving up on a server that
  answers after 3 s with a 0.5 s timeout; 6 addresses that each take 0.4 s, checked concurrently
  and with one worker; a redirect loop; a second run of 3 addresses answered from the cache;
- the double-submit load of tests/forms/test_durability.py (3 gunicorn workers, 20 client threads,
  50 citizens with 2 drafts each, every send POSTed twice at once): on SQLite, and on PostgreSQL
  when FORMS_TEST_POSTGRES_URL names a server (a fresh database is made on it and dropped).

Each figure is the median of --runs runs. Nothing is sent beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAUSE = 0.4
SLOW = 3.0
TIMEOUT = 0.5


class _Handler(BaseHTTPRequestHandler):
    """/good, /slow (3 s), /pause/N (0.4 s), /loop-a ↔ /loop-b."""

    def _reply(self) -> None:
        if self.path == "/slow":
            time.sleep(SLOW)
        elif self.path.startswith("/pause"):
            time.sleep(PAUSE)
        location = {"/loop-a": "/loop-b", "/loop-b": "/loop-a"}.get(self.path)
        self.send_response(302 if location else 200)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the checker gave up waiting
            self.end_headers()

    do_GET = _reply
    do_HEAD = _reply

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def link_server() -> Iterator[Callable[[str], str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield lambda path: f"http://127.0.0.1:{server.server_address[1]}{path}"
    finally:
        server.shutdown()
        server.server_close()


def seconds(action: Callable[[], object], runs: int) -> float:
    """The median wall time of `runs` runs of `action`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def link_figures(runs: int) -> list[tuple[str, float]]:
    from sitegen.editor.links import LinkCache, check_url, check_urls

    with link_server() as url, tempfile.TemporaryDirectory() as folder:
        paused = [url(f"/pause/{n}") for n in range(6)]
        cache_file = Path(folder) / "links.json"
        cached = [url("/good"), url("/slow"), url("/loop-a")]
        check_urls(cached, TIMEOUT, LinkCache(cache_file, 3600))
        actions: list[tuple[str, Callable[[], object]]] = [
            (f"a server answering after {SLOW:g} s, timeout {TIMEOUT:g} s", lambda: check_url(url("/slow"), TIMEOUT)),
            (f"6 addresses of {PAUSE:g} s each, concurrently", lambda: check_urls(paused, TIMEOUT)),
            (f"6 addresses of {PAUSE:g} s each, one worker", lambda: check_urls(paused, TIMEOUT, workers=1)),
            ("a redirect loop found", lambda: check_url(url("/loop-a"), TIMEOUT)),
            ("3 addresses answered from the cache", lambda: check_urls(cached, TIMEOUT, LinkCache(cache_file, 3600))),
        ]
        return [(what, seconds(action, runs)) for what, action in actions]


def write_fixture_content(root: Path) -> Path:
    """The forms tests' fixture content (tests/forms/conftest.py), which the load test runs on."""
    from tests.forms import conftest

    (root / "eservices").mkdir(parents=True)
    (root / "clinics").mkdir()
    (root / "site.yaml").write_text(conftest.SITE, encoding="utf-8")
    forms = {"begar-intyg": conftest.INTYG, "fornya-hjalpmedel": conftest.HJALPMEDEL,
             "fornya-recept": conftest.RECEPT, "allt": conftest.ALLT}
    for name, text in forms.items():
        (root / "eservices" / f"{name}.yaml").write_text(text, encoding="utf-8")
    (root / "clinics" / "testmottagningen.yaml").write_text(conftest.CLINIC, encoding="utf-8")
    (root / "clinics" / "andra-mottagningen.yaml").write_text(conftest.OTHER_CLINIC, encoding="utf-8")
    return root


def load_figures(database_url: str, folder: Path) -> dict[str, float]:
    """One run of the durability test's load; checks one case row per draft, returns its times."""
    from forms.store.engine import make_engine
    from tests.forms import test_durability as durability
    from tests.forms.gunicorn_run import demo_file, gunicorn, made_up_people

    people = made_up_people(durability.LOAD_PEOPLE)
    env = {
        "FORMS_CONTENT_DIR": str(write_fixture_content(folder / "content")),
        "FORMS_DEMO_DATA": str(demo_file(folder / "people.yaml", people)),
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "bench-key-shared-by-the-workers",
        "FORMS_RATELIMIT_LOGIN": "1000 per minute",
        "FORMS_DATABASE_URL": database_url,
    }
    make_engine(database_url).dispose()
    with gunicorn(env, workers=durability.LOAD_WORKERS, log=folder / "gunicorn.log") as server:
        figures = durability.run_load(server.base, people)
    engine = make_engine(database_url)
    try:
        stored = len(durability.stored_cases(engine))
    finally:
        engine.dispose()
    if figures["errors"] or stored != figures["drafts"]:
        raise SystemExit(f"the load went wrong: {figures['errors'][:3]}, {stored} rows for {figures['drafts']} drafts")
    return {"requests": figures["requests"], "sends": figures["sends"], "prepare": figures["prepare_seconds"],
            "send": figures["send_seconds"], "total": figures["seconds"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-load", action="store_true", help="only the link checker")
    options = parser.parse_args(argv)
    print(f"Link checker, median of {options.runs} runs (load average {os.getloadavg()[0]:.1f})")
    print(f"| {'what':<52} | seconds |\n|{'-' * 54}|---------|")
    for what, value in link_figures(options.runs):
        print(f"| {what:<52} | {value:7.3f} |")
    if options.no_load:
        return 0
    from tests.support import postgres

    print(f"\nDouble-submitted sends (tests/forms/test_durability.py's load), median of {options.runs} runs")
    print("| database   | requests | sends | prepare s | sends s | total s |")
    print("|------------|----------|-------|-----------|---------|---------|")
    databases = ["sqlite"] + (["postgresql"] if os.environ.get(postgres.ENV) else [])
    for name in databases:
        runs = []
        for _ in range(options.runs):
            with tempfile.TemporaryDirectory() as folder:
                if name == "sqlite":
                    runs.append(load_figures(f"sqlite:///{folder}/cases.sqlite3", Path(folder)))
                else:
                    with postgres.fresh_database(os.environ[postgres.ENV]) as url:
                        runs.append(load_figures(url, Path(folder)))
        median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(f"| {name:<10} | {median['requests']:8.0f} | {median['sends']:5.0f} | {median['prepare']:9.1f} | "
              f"{median['send']:7.1f} | {median['total']:7.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
