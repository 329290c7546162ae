"""`python -m bench.booking_profile`: what the day page of Boka tid and Mina bokade tider cost in one process.

    .venv/bin/python -m bench.booking_profile [--clinics 1000] [--requests 300] [--url URL] [--profile]

Fills the standalone tidbok as bench.booking_load does (mottagningar × 3 time types × 92 days, a
third of the times taken), plus the demo's own mottagningar, logs Tolvan in through the test login
with Flask's test client, takes Boka tid to its day page, and times `--requests` GETs each of the
day page, Mina bokade tider and the bare Flask route (bench/hello_app.py): CPU time of this process
per request (which the load of other jobs moves much less than wall time), wall time, and the SQL
statements each request runs; beside them "Mina uppgifter", a logged-in page of one small read: the
floor of what the platform (session, CSRF, headers, layout) costs any page. `--profile` adds
cProfile's top functions (`--sort tottime` for own time), `--statements` the SQL of one request.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bench.booking_load import NOW, VC, fill

REPO = Path(__file__).resolve().parent.parent
BASE = "https://localhost"
TOLVAN = "19121212-1212"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.booking_profile", description=__doc__.split("\n")[0])
    parser.add_argument("--clinics", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--url", default=None, help="an empty database to fill (default: a SQLite file)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order: cumulative or tottime")
    parser.add_argument("--statements", action="store_true", help="print the SQL of one request of each page")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="booking-profile-") as scratch:
        folder = Path(scratch)
        url = args.url or f"sqlite:///{folder / 'forms.sqlite3'}"
        demo = (REPO / "forms/identity/demo_data.yaml").read_text(encoding="utf-8")
        (folder / "demo.yaml").write_text(
            f'people:\n  - {{personnummer: "{TOLVAN}", name: Tolvan Tolvansson}}\n' + demo[demo.index("\ntidbok:"):],
            encoding="utf-8",
        )
        os.environ.update({
            "FORMS_CONTENT_DIR": str(REPO / "content"), "FORMS_DATABASE_URL": url,
            "FORMS_DEMO_DATA": str(folder / "demo.yaml"), "FORMS_TEST_LOGIN": "1",
            "FORMS_SECRET_KEY": os.urandom(32).hex(), "FORMS_NOW": NOW.isoformat(),
            "FORMS_RATELIMIT_LOGIN": "100000 per minute",
        })
        from forms import create_app
        from forms.store.engine import make_engine

        make_engine(url).dispose()
        rows = fill(url, args.clinics)
        app = create_app()
        client = app.test_client()

        def post(path: str, form: dict[str, str]) -> None:
            html = client.get(path, base_url=BASE).get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
            if client.post(path, data={"csrf_token": token, **form}, base_url=BASE).status_code != 303:
                raise RuntimeError(path)

        post("/e-tjanster/logga-in/", {"personnummer": TOLVAN})
        post(f"{VC}boka/", {"approve": "yes"})
        post(f"{VC}boka/typ/", {"typ": "lakarbesok"})
        statements = [0]
        shown: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            statements[0] += 1
            shown.append(" ".join(statement.split())[:160])

        event.listen(app.extensions["hittavard_forms"].store.engine, "before_cursor_execute", count)
        from bench.hello_app import app as hello

        print(f"{args.clinics} mottagningar, {rows} bookings, {args.requests} requests each, one thread, "
              f"{url.split(':')[0]}, load average {os.getloadavg()[0]:.1f}")
        for name, path, user in (("bare Flask 'hello'", "/", hello.test_client()),
                                 ("day page of Boka tid", f"{VC}boka/tid/?dag=2026-12-03", client),
                                 ("Mina bokade tider", VC, client),
                                 ("floor: Mina uppgifter (one read)", "/e-tjanster/mina-uppgifter/", client)):
            for _ in range(20):  # warm: templates compiled, statements cached, pool filled
                user.get(path, base_url=BASE)
            statements[0] = 0
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.requests):
                if user.get(path, base_url=BASE).status_code != 200:
                    raise RuntimeError(path)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"  {name}: {cpu / args.requests * 1000:.2f} ms CPU, {wall / args.requests * 1000:.2f} ms wall, "
                  f"{statements[0] / args.requests:.0f} SQL statements a request")
            if args.statements:
                shown.clear()
                user.get(path, base_url=BASE)
                print("\n".join(f"    {line}" for line in shown))
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.requests):
                    user.get(path, base_url=BASE)
                profiler.disable()
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main())
