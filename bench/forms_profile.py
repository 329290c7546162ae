"""`python -m bench.forms_profile`: what one citizen request costs in one process, without load.

    .venv/bin/python -m bench.forms_profile [--requests 300] [--rounds 5] [--profile]

The throughput benchmark (bench.forms_load) runs on a shared 2-core machine whose load moves the
requests/s by a factor of three within minutes. CPU time per request in one process moves far
less, so it is the figure to compare between two versions of the code, and its ratio to the bare
Flask route's CPU time bounds what the served ratio can reach on a CPU-bound machine.

Logs a test citizen in with Flask's test client (a fresh SQLite file, the demo content), approves
the villkor of "Skicka meddelande" and answers page 1, then times `--requests` GETs of each of:
the bare Flask route (bench/hello_app.py), the forms app's 404 page (its hooks and layout, no
data) and the form page; in `--rounds` alternated rounds, printing the median CPU ms per request.
`--profile` adds cProfile's top functions of the form page by internal time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.forms_load import ESERVICE, demo_people

REPO = Path(__file__).resolve().parent.parent
BASE = "https://localhost"


def _token(client: Any, path: str) -> str:
    html = client.get(path, base_url=BASE).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not match:
        raise RuntimeError(f"no CSRF token on {path}")
    return match.group(1)


def logged_in_client(folder: Path) -> Any:
    people = demo_people(folder / "people.yaml", 1)
    os.environ.update(
        {
            "FORMS_CONTENT_DIR": str(REPO / "content"),
            "FORMS_DATABASE_URL": f"sqlite:///{folder / 'forms.sqlite3'}",
            "FORMS_DEMO_DATA": str(folder / "people.yaml"),
            "FORMS_TEST_LOGIN": "1",
            "FORMS_SECRET_KEY": os.urandom(32).hex(),
            "FORMS_RATELIMIT_LOGIN": "100000 per minute",
        }
    )
    from forms import create_app

    client = create_app().test_client()
    token = _token(client, "/e-tjanster/logga-in/")
    client.post("/e-tjanster/logga-in/", data={"csrf_token": token, "personnummer": people[0]}, base_url=BASE)
    token = _token(client, ESERVICE)
    client.post(ESERVICE, data={"csrf_token": token, "approve": "yes"}, base_url=BASE)
    page = f"{ESERVICE}sida/1/"
    token = _token(client, page)
    client.post(page, data={"csrf_token": token, "subject": "En fråga", "message": "Hej!"}, base_url=BASE)
    return client


def cpu_ms(get: Callable[[], int], requests: int) -> float:
    start = time.process_time()
    for _ in range(requests):
        if get() not in (200, 404):
            raise RuntimeError("unexpected status")
    return (time.process_time() - start) * 1000 / requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.forms_profile", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--target", default="form page", help="which request --profile profiles: 'form page' or '404'")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="forms-profile-") as scratch:
        client = logged_in_client(Path(scratch))
        from bench import hello_app

        hello = hello_app.app.test_client()
        page = f"{ESERVICE}sida/1/"
        targets: dict[str, Callable[[], int]] = {
            "bare Flask route": lambda: hello.get("/", base_url=BASE).status_code,
            "the app's 404 page": lambda: client.get("/e-tjanster/finns-inte/", base_url=BASE).status_code,
            "form page (page 1, logged in)": lambda: client.get(page, base_url=BASE).status_code,
        }
        for get in targets.values():
            for _ in range(30):  # warm: templates compiled, statements cached
                get()
        results: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(max(1, args.rounds)):
            for name, get in targets.items():
                results[name].append(cpu_ms(get, args.requests))
        bare = statistics.median(results["bare Flask route"])
        print(f"CPU ms per request, one process, median of {args.rounds} alternated rounds of {args.requests}:")
        for name, values in results.items():
            median = statistics.median(values)
            print(f"  {name:32} {median:6.2f} ms   {bare / median:6.1%} of the bare route's rate")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            chosen = next(get for name, get in targets.items() if args.target in name)
            for _ in range(args.requests):
                chosen()
            profiler.disable()
            order, lines = os.environ.get("PROFILE_SORT", "tottime"), int(os.environ.get("PROFILE_LINES", "30"))
            pstats.Stats(profiler).sort_stats(order).print_stats(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
