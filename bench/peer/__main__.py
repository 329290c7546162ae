"""`python -m bench.peer`: the forms app beside the peer (bench/peer/app.py), the comparison of issue 22.

    .venv/bin/python -m bench.peer [--rounds 5] [--duration 3] [--connections 50] [--requests 300]
    .venv/bin/python -m bench.peer --series 150 [--target forms|every|modified]

Starts three gunicorn servers on 127.0.0.1 with the same settings (2 workers per core × 4 threads,
gthread): the forms app (test login, a fresh SQLite file, the demo's tidbok, the real clock) and the
peer twice, writing its session on every request (Flask-Session's default, "every") and only when
it changed ("modified", the fair one: the forms app writes its session only when it changes). One
logged-in citizen's cookie is sent on every connection. The peer's pages are padded to the forms
app's byte sizes, measured first. Then, in `--rounds` alternated rounds of `--duration` seconds
with wrk, for each of the form page, the empty logged-in page and the booking day page: the forms
app, the peer "every", the peer "modified". It prints medians with ranges and the median of the
rounds' ratios against the target (≥ 2× the fair peer's requests/s), then CPU ms per request in
one process (Flask's test client, `--requests` each, alternated) against ≤ half the fair peer's.

`--series S` instead runs one server under load for S seconds as back-to-back 2-second wrk
windows and prints each window's requests/s with its wall-clock time, to see a stall that comes
once a minute (the time series of issue 22's target 1). Every loop is bounded; servers are stopped.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.figures import Figure
from bench.forms_load import (
    ESERVICE,
    INBOX,
    Client,
    Server,
    Throughput,
    ensure_wrk,
    python_get,
    start_gunicorn,
    wrk_get,
)

REPO = Path(__file__).resolve().parents[2]
BASE = "https://localhost"
TOLVAN = "19121212-1212"
CLINIC = "asviks-vardcentral"
TIDBOK = f"/e-tjanster/{CLINIC}/tidbok/"
PEER_PAGES = {"form page": "/skicka-meddelande/sida/1/", "empty page": "/mina-sidor/", "day page": "/boka/tid/"}
PEER_TEMPLATES = {"form page": "message.html", "empty page": "empty.html", "day page": "day.html"}
MODES = ("every", "modified")
# The forms app's pages on the demo content, in bytes, as the load run prints them: the peer's
# sizes for --series, which runs the peer without the forms app beside it.
DEMO_SIZES = {"form page": 3_906, "empty page": 2_292, "day page": 5_177}


def booking_day(today: datetime.date) -> datetime.date:
    """A weekday a week or more ahead, inside the demo's schedule and its bookable window."""
    day = today + datetime.timedelta(days=7)
    while day.weekday() > 4 or (day.month, day.day) in {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1), (1, 6)}:
        day += datetime.timedelta(days=1)
    return day


def forms_pages(day: datetime.date) -> dict[str, str]:
    return {"form page": f"{ESERVICE}sida/1/", "empty page": INBOX, "day page": f"{TIDBOK}boka/tid/?dag={day}"}


def demo_file(path: Path) -> None:
    """Tolvan and the demo's tidbok (Åsviks vårdcentral), as bench.booking_profile writes it."""
    demo = (REPO / "forms/identity/demo_data.yaml").read_text(encoding="utf-8")
    path.write_text(
        f'people:\n  - {{personnummer: "{TOLVAN}", name: Tolvan Tolvansson}}\n' + demo[demo.index("\ntidbok:") :],
        encoding="utf-8",
    )


def environment(folder: Path) -> dict[str, str]:
    demo_file(folder / "demo.yaml")
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "FORMS_CONTENT_DIR": str(REPO / "content"),
        "FORMS_DATABASE_URL": f"sqlite:///{folder / 'forms.sqlite3'}",
        "FORMS_DEMO_DATA": str(folder / "demo.yaml"),
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": os.urandom(32).hex(),
        "FORMS_RATELIMIT_LOGIN": "100000 per minute",
        "PEER_SECRET_KEY": os.urandom(32).hex(),
    }


def _post_form(request: Callable[..., tuple[int, str, str]], path: str, form: dict[str, str]) -> str:
    _, _, html = request("GET", path)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise RuntimeError(f"no CSRF token on {path}")
    status, location, answer = request("POST", path, {"csrf_token": match.group(1), **form})
    if status not in (302, 303):
        errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', answer)
        raise RuntimeError(f"POST {path}: {status} {errors[:3]}")
    return location


def forms_cookie(port: int, day: datetime.date) -> tuple[str, dict[str, int]]:
    """Tolvan logged in, a draft of "Skicka meddelande" and Boka tid at its day page; the page sizes."""
    client = Client(port)
    client.log_in(TOLVAN)
    client.to_check_page()
    _post_form(client.request, f"{TIDBOK}boka/", {"approve": "yes"})
    _post_form(client.request, f"{TIDBOK}boka/typ/", {"typ": "lakarbesok"})
    sizes = {}
    for name, path in forms_pages(day).items():
        status, _, html = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"the forms app's {name} answered {status}")
        sizes[name] = len(html.encode("utf-8"))
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items()), sizes


def peer_cookie(port: int) -> str:
    client = Client(port)
    _post_form(client.request, "/logga-in/", {"personnummer": TOLVAN})
    _post_form(client.request, PEER_PAGES["form page"], {"subject": "En fråga", "message": "Hej!"})
    for path in PEER_PAGES.values():
        if client.request("GET", path)[0] != 200:
            raise RuntimeError(f"the peer's {path} did not answer 200")
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def peer_env(env: dict[str, str], folder: Path, mode: str, sizes: dict[str, int], name: str = "") -> dict[str, str]:
    return {
        **env,
        "PEER_DATABASE_URL": f"sqlite:///{folder / f'peer-{name or mode}.sqlite3'}",
        "PEER_SESSION_WRITE": mode,
        "PEER_PAGE_BYTES": ",".join(f"{PEER_TEMPLATES[name]}={size}" for name, size in sizes.items()),
    }


def spread(values: list[float], digits: int = 0) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "BELOW the target"


@dataclass(frozen=True)
class LoadResult:
    """requests/s per (page, server) and round, each page's answers that were errors, the pages' sizes."""

    rps: dict[tuple[str, str], list[float]]
    errors: dict[str, int]
    sizes: dict[str, int]

    def ratios(self, page: str) -> dict[str, list[float]]:
        """The forms app's requests/s over each peer's, round by round (alternated: load hits both)."""
        forms = self.rps[(page, "forms")]
        return {mode: [f / p for f, p in zip(forms, self.rps[(page, mode)], strict=True)] for mode in MODES}


def parser() -> argparse.ArgumentParser:
    """The options, shared with bench.targets so its defaults are this module's."""
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=3, help="seconds per measurement (3)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--requests", type=int, default=300, help="requests per CPU round (300)")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    parser.add_argument("--workers", type=int, default=2 * cores)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--series", type=int, default=0, help="seconds of 2-second windows on one server instead")
    parser.add_argument("--target", choices=("forms", *MODES), default="forms", help="the server --series loads")
    parser.add_argument("--warmup", type=int, default=12, help="seconds of unmeasured load per server first (12)")
    parser.add_argument("--freeze", action="store_true", help="--series: the forms app with gc.freeze() after start")
    parser.add_argument("--no-cpu", action="store_true", help="skip the CPU per request in one process")
    return parser


def warm_up(
    get: Callable[..., Throughput], port: int, paths: dict[str, str], args: argparse.Namespace, cookie: str
) -> None:
    """Load every page for `--warmup` seconds, unmeasured: until all workers have started.

    gunicorn is counted as up when one worker answers, but each of the forms app's workers spends
    about 3 s of CPU in create_app() (the peer's: a tenth of that), so without this the first 10–25
    s measured the other workers' start: most 2-second windows of that time were below 70 % of
    the run's median, where the peer had none.
    """
    seconds = max(0, args.warmup) // max(1, len(paths))
    for path in paths.values():
        if seconds:
            get(port, path, args.connections, seconds, cookie)


def load(args: argparse.Namespace, env: dict[str, str], folder: Path, day: datetime.date) -> LoadResult:
    """requests/s of each page on each server, per alternated round, and the forms app's page sizes."""
    get = wrk_get if ensure_wrk() else python_get
    log = folder / "gunicorn.log"
    servers: dict[str, Server] = {}
    try:
        servers["forms"] = start_gunicorn(
            "forms:create_app()", env, args.workers, args.threads, log, "/e-tjanster/logga-in/"
        )
        cookie, sizes = forms_cookie(servers["forms"].port, day)
        cookies = {"forms": cookie}
        for mode in MODES:
            servers[mode] = start_gunicorn(
                "bench.peer.app:create_app()",
                peer_env(env, folder, mode, sizes),
                args.workers,
                args.threads,
                log,
                "/logga-in/",
            )
            cookies[mode] = peer_cookie(servers[mode].port)
        paths = {"forms": forms_pages(day), **{mode: PEER_PAGES for mode in MODES}}
        for name, server in servers.items():
            warm_up(get, server.port, paths[name], args, cookies[name])
        results: dict[tuple[str, str], list[Throughput]] = {}
        for index in range(args.rounds):
            line = []
            for page in PEER_PAGES:
                for name, server in servers.items():
                    result = get(server.port, paths[name][page], args.connections, args.duration, cookies[name])
                    results.setdefault((page, name), []).append(result)
                    line.append(f"{page[:5]} {name} {result.rps:.0f}")
            print(f"  round {index + 1}/{args.rounds} (load {os.getloadavg()[0]:.1f}): " + ", ".join(line), flush=True)
    finally:
        for server in servers.values():
            server.stop()
    errors = {page: sum(r.errors for name in servers for r in results[(page, name)]) for page in PEER_PAGES}
    return LoadResult({key: [r.rps for r in runs] for key, runs in results.items()}, errors, sizes)


def print_load(result: LoadResult, args: argparse.Namespace) -> None:
    print(
        f"\nrequests/s under gunicorn ({args.workers} workers × {args.threads} threads, gthread), {args.connections} "
        f"connections, {args.rounds} alternated rounds of {args.duration} s, load average {os.getloadavg()[0]:.1f}; "
        "median (range)"
    )
    sizes = result.sizes
    print(f"pages: {', '.join(f'{name} {size} bytes' for name, size in sizes.items())} (the peer's padded to these)")
    for page in PEER_PAGES:
        rps = {name: result.rps[(page, name)] for name in ("forms", *MODES)}
        ratios = result.ratios(page)
        print(
            f"  {page:10}  forms app {spread(rps['forms'])}  peer every {spread(rps['every'])}  "
            f"peer modified {spread(rps['modified'])}  errors {result.errors[page]}"
        )
        fair = statistics.median(ratios["modified"])
        print(
            f"  {'':10}  ratio forms/peer: {spread(ratios['modified'], 2)}× the fair peer (modified), "
            f"{spread(ratios['every'], 2)}× the default (every); target ≥ 2×: {verdict(fair >= 2)}"
        )


def request_of(client: Any) -> Callable[..., tuple[int, str, str]]:
    """A Flask test client as the (method, path, form) → (status, Location, body) that _post_form drives."""

    def request(method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        response = client.open(path, method=method, data=form, base_url=BASE)
        return response.status_code, response.headers.get("Location", ""), response.get_data(as_text=True)

    return request


def cpu(
    args: argparse.Namespace, env: dict[str, str], folder: Path, day: datetime.date
) -> dict[tuple[str, str], list[float]]:
    """CPU ms per request in this process, the forms app's three pages beside the peer's, per round."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("FORMS_", "PEER_"))})
    from bench.peer import app as peer_module
    from forms import create_app

    forms_client = create_app().test_client()

    forms_request = request_of(forms_client)
    _post_form(forms_request, "/e-tjanster/logga-in/", {"personnummer": TOLVAN})
    _post_form(forms_request, ESERVICE, {"approve": "yes"})
    _post_form(forms_request, f"{ESERVICE}sida/1/", {"subject": "En fråga om min vård", "message": "Hej!"})
    _post_form(forms_request, f"{TIDBOK}boka/", {"approve": "yes"})
    _post_form(forms_request, f"{TIDBOK}boka/typ/", {"typ": "lakarbesok"})
    sizes = {name: len(forms_request("GET", path)[2].encode("utf-8")) for name, path in forms_pages(day).items()}
    clients: dict[str, tuple[Any, dict[str, str]]] = {"forms": (forms_client, forms_pages(day))}
    for mode in MODES:
        os.environ.update(peer_env(env, folder, mode, sizes, name=f"cpu-{mode}"))
        peer_client = peer_module.create_app().test_client()
        peer_request = request_of(peer_client)
        _post_form(peer_request, "/logga-in/", {"personnummer": TOLVAN})
        _post_form(peer_request, PEER_PAGES["form page"], {"subject": "En fråga", "message": "Hej!"})
        clients[mode] = (peer_client, PEER_PAGES)
    for client, paths in clients.values():
        for path in paths.values():
            for _ in range(30):  # warm: templates compiled, statements cached
                if client.get(path, base_url=BASE).status_code != 200:
                    raise RuntimeError(path)
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for page in PEER_PAGES:
            for name, (client, paths) in clients.items():
                started = time.process_time()
                for _ in range(args.requests):
                    client.get(paths[page], base_url=BASE)
                results.setdefault((page, name), []).append((time.process_time() - started) * 1000 / args.requests)
    return results


def print_cpu(results: dict[tuple[str, str], list[float]], args: argparse.Namespace) -> None:
    print(
        f"\nCPU ms per request, one process (Flask's test client, SQLite), {args.rounds} alternated rounds of "
        f"{args.requests}, load average {os.getloadavg()[0]:.1f}; median (range)"
    )
    for page in PEER_PAGES:
        ms = {name: results[(page, name)] for name in ("forms", *MODES)}
        share = statistics.median(ms["forms"]) / statistics.median(ms["modified"])
        print(
            f"  {page:10}  forms app {spread(ms['forms'], 2)}  peer every {spread(ms['every'], 2)}  "
            f"peer modified {spread(ms['modified'], 2)}  forms/fair peer {share:.2f}; "
            f"target ≤ 0.5: {verdict(share <= 0.5)}"
        )


def figures(loaded: LoadResult | None, cpu_ms: dict[tuple[str, str], list[float]] | None) -> list[Figure]:
    """Target 1 as figures: per page, the rounds' ratios to the fair peer ("modified")."""
    found = []
    for page in PEER_PAGES:
        if loaded is not None:
            found.append(Figure(f"target 1: {page}, requests/s ÷ the fair peer's", loaded.ratios(page)["modified"],
                                "×", 2.0, at_least=True, note=f"forms app {spread(loaded.rps[(page, 'forms')])}/s, "
                                f"errors {loaded.errors[page]}"))  # fmt: skip
        if cpu_ms is not None:
            shares = [f / p for f, p in zip(cpu_ms[(page, "forms")], cpu_ms[(page, "modified")], strict=True)]
            found.append(Figure(f"target 1: {page}, CPU per request ÷ the fair peer's", shares, "×", 0.5,
                                note=f"forms app {spread(cpu_ms[(page, 'forms')], 2)} ms"))  # fmt: skip
    return found


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.rounds = max(1, min(args.rounds, 15))
    args.duration = max(1, min(args.duration, 60))
    args.requests = max(10, min(args.requests, 5000))
    day = booking_day(datetime.date.today())
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as scratch:
        folder = Path(scratch)
        env = environment(folder)
        if args.series:
            from bench.peer.series import series

            series(args, env, folder, day)
            return 0
        print_load(load(args, env, folder, day), args)
        if not args.no_cpu:
            print_cpu(cpu(args, env, folder, day), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
