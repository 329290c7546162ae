"""`python -m bench.staff_profile`: what one staff request costs in one process, without load.

    .venv/bin/python -m bench.staff_profile [--cases 20000] [--requests 200] [--profile]

Fills a SQLite file (or `--url`, an empty database) with the staff benchmark's cases
(bench.staff_load.fill), logs in through the staff test login with Flask's test client and
times `--requests` GETs of the case list and of one case page, and of the ceiling
(bench/insert_app.py, one committed insert): wall time and CPU time of this process per request.
CPU time moves far less with the load of other jobs on a shared machine than wall time does, so
it is the figure to compare between two versions of the code; `--profile` adds cProfile's top
functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

from bench.staff_load import STAFF, demo_file, fill

REPO = Path(__file__).resolve().parent.parent
BASE = "https://localhost"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.staff_profile", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--clinics", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--url", default=None, help="an empty database to fill (default: a SQLite file)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="staff-profile-") as scratch:
        folder = Path(scratch)
        url = args.url or f"sqlite:///{folder / 'forms.sqlite3'}"
        clinic = f"bench-{args.clinics // 2:04d}"
        fill(url, args.cases, args.clinics, datetime.datetime.now(datetime.UTC))
        os.environ.update(
            {
                "FORMS_CONTENT_DIR": str(REPO / "content"),
                "FORMS_DATABASE_URL": url,
                "FORMS_DEMO_DATA": str(demo_file(folder / "demo.yaml", clinic)),
                "FORMS_TEST_LOGIN": "1",
                "FORMS_SECRET_KEY": os.urandom(32).hex(),
                "FORMS_RATELIMIT_LOGIN": "100000 per minute",
            }
        )
        from forms import create_app

        client = create_app().test_client()
        html = client.get("/e-tjanster/personal/logga-in/", base_url=BASE).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        client.post("/e-tjanster/personal/logga-in/", data={"csrf_token": token, "hsa_id": STAFF}, base_url=BASE)
        list_path = f"/e-tjanster/personal/{clinic}/arenden/"
        html = client.get(list_path, base_url=BASE).get_data(as_text=True)
        reference = re.search(r"arenden/(HV-B-\d+)/", html).group(1)  # type: ignore[union-attr]
        print(f"{args.cases:,} cases, {args.requests} requests each, one thread, {url.split(':')[0]}")
        from bench import insert_app

        insert_app.make_table(url)
        insert_app.engine = insert_app.engine_for(url)
        ceiling = insert_app.app.test_client()
        for name, path, user in (
            ("ceiling (one insert)", "/", ceiling),
            ("case list", list_path, client),
            ("case page", f"{list_path}{reference}/", client),
        ):
            for _ in range(20):  # warm: templates compiled, statements cached, pool filled
                user.get(path, base_url=BASE)
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.requests):
                if user.get(path, base_url=BASE).status_code != 200:
                    raise RuntimeError(path)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"  {name}: {wall / args.requests * 1000:.2f} ms wall, {cpu / args.requests * 1000:.2f} ms CPU")
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.requests):
                    user.get(path, base_url=BASE)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
