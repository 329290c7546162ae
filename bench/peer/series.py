"""`python -m bench.peer --series S`: one server under load as back-to-back 2-second windows.

To see a stall that comes once a minute (the time series of issue 22's target 1), and, for the
forms app, how many session rows were written in which second: on a shared machine the
requests/s of one window swing with other jobs, the count of writes does not. Kept apart from
bench/peer/__main__.py, which is the comparison itself.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sqlite3
import statistics
import time
from pathlib import Path

from bench.forms_load import ensure_wrk, start_gunicorn, wrk_get
from bench.peer.__main__ import DEMO_SIZES, PEER_PAGES, forms_cookie, forms_pages, peer_cookie, peer_env, warm_up


def series(args: argparse.Namespace, env: dict[str, str], folder: Path, day: datetime.date) -> None:
    """Back-to-back 2-second windows on one server, each printed with its wall-clock time."""
    if not ensure_wrk():
        raise SystemExit("--series needs wrk")
    log = folder / "gunicorn.log"
    if args.target == "forms":
        app = "bench.peer.frozen:create_app()" if args.freeze else "forms:create_app()"
        server = start_gunicorn(app, env, args.workers, args.threads, log, "/e-tjanster/logga-in/")
        cookie, _ = forms_cookie(server.port, day)
        path = forms_pages(day)["form page"]
        count_session_writes(folder / "forms.sqlite3")
    else:
        sizes = DEMO_SIZES
        server = start_gunicorn(
            "bench.peer.app:create_app()",
            peer_env(env, folder, args.target, sizes),
            args.workers,
            args.threads,
            log,
            "/logga-in/",
        )
        cookie, path = peer_cookie(server.port), PEER_PAGES["form page"]
    windows: list[float] = []
    try:
        if args.warmup:
            warm_up(wrk_get, server.port, {"page": path}, args, cookie)
        deadline = time.monotonic() + min(args.series, 900)
        print(f"{args.target}: requests/s per 2-second window, {args.connections} connections", flush=True)
        while time.monotonic() < deadline:
            stamp = datetime.datetime.now().strftime("%H:%M:%S")
            result = wrk_get(server.port, path, args.connections, 2, cookie)
            windows.append(result.rps)
            print(
                f"  {stamp}  {result.rps:7.0f}/s  p99 {result.p99_ms:6.1f} ms  load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    finally:
        server.stop()
    median = statistics.median(windows)
    low = [w for w in windows if w < 0.7 * median]
    print(f"{len(windows)} windows: median {median:.0f}/s, {len(low)} below 70 % of it: {[round(w) for w in low]}")
    if args.target == "forms":
        print_session_writes(folder / "forms.sqlite3")


def count_session_writes(database: Path) -> None:
    """A trigger that notes the time of every write of a session row: what load cannot blur.

    Requests/s on a shared machine swing with other jobs; the number of session writes does not.
    """
    with sqlite3.connect(database, timeout=30) as connection:
        connection.execute("CREATE TABLE bench_session_writes (at TEXT NOT NULL)")
        connection.execute(
            "CREATE TRIGGER bench_session_written AFTER UPDATE ON web_sessions "
            "BEGIN INSERT INTO bench_session_writes VALUES (strftime('%H:%M:%f', 'now')); END"
        )


def print_session_writes(database: Path) -> None:
    with sqlite3.connect(database, timeout=30) as connection:
        times = [row[0] for row in connection.execute("SELECT at FROM bench_session_writes ORDER BY at")]
    bursts: dict[str, int] = {}
    for at in times:
        bursts[at[:8]] = bursts.get(at[:8], 0) + 1
    print(
        f"session rows written: {len(times)} (UTC second: writes) " + ", ".join(f"{k}: {v}" for k, v in bursts.items())
    )
