"""`python -m bench.staff_profile`: what one staff request costs in one process, without load.

    .venv/bin/python -m bench.staff_profile [--cases 20000] [--requests 200] [--blocks 5] [--profile]

Fills a SQLite file (or `--url`, an empty database) with the staff benchmark's cases
(bench.staff_load.fill), logs in through the staff test login with Flask's test client and
times `--requests` GETs of the case list, of one case page and of the verksamhetschef's
uppföljning (its default 12 weeks), and of the ceiling
(bench/insert_app.py, one committed insert): wall time and CPU time of this process per request.
CPU time moves far less with the load of other jobs on a shared machine than wall time does, so
it is the figure to compare between two versions of the code. The requests run in `--blocks`
rounds that take the pages in turn (ceiling, list, page, floor, ...); each figure is the median
of its rounds, so a burst of load elsewhere lands on one round of each, not on one page.

The floor: two staff routes this benchmark adds to the staff blueprint (never to the product's),
showing what is left for a page's own work. "staff floor" logs in the staff member, checks their
roles at the mottagning and renders the staff layout with nothing in it; "staff floor + log row"
also writes the access-log row a list or case page writes. `--profile` adds cProfile's top
functions by cumulative time for the list, the case page and the uppföljning.
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
from statistics import median

from bench.staff_load import STAFF, demo_file, fill

REPO = Path(__file__).resolve().parent.parent
BASE = "https://localhost"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.staff_profile", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--clinics", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--blocks", type=int, default=5)
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
        _add_floor_routes()
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
        pages = (
            ("ceiling (one insert)", "/", ceiling),
            ("case list", list_path, client),
            ("case page", f"{list_path}{reference}/", client),
            ("uppföljning, 12 weeks", f"/e-tjanster/personal/{clinic}/uppfoljning/", client),
            ("staff floor", f"/e-tjanster/personal/{clinic}/golv/", client),
            ("staff floor + log row", f"/e-tjanster/personal/{clinic}/golv-logg/", client),
        )
        for _name, path, user in pages:
            for _ in range(20):  # warm: templates compiled, statements cached, pool filled
                user.get(path, base_url=BASE)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, _path, _user in pages}
        for _block in range(args.blocks):
            for name, path, user in pages:
                wall, cpu = time.perf_counter(), time.process_time()
                for _ in range(args.requests):
                    if user.get(path, base_url=BASE).status_code != 200:
                        raise RuntimeError(path)
                times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
        ceiling_cpu = median(c for _w, c in times[pages[0][0]])
        for name, spans in times.items():
            wall, cpu = median(w for w, _c in spans), median(c for _w, c in spans)
            rounds = " ".join(f"{c / args.requests * 1000:.2f}" for _w, c in spans)
            print(
                f"  {name}: {wall / args.requests * 1000:.2f} ms wall, {cpu / args.requests * 1000:.2f} ms CPU"
                f" (ceiling's CPU / this: {ceiling_cpu / cpu:.0%}; rounds {rounds})"
            )
        if args.profile:
            for name, path, user in pages[1:4]:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.requests):
                    user.get(path, base_url=BASE)
                profiler.disable()
                print(name)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return 0


def _add_floor_routes() -> None:
    """The floor's two routes, on the staff blueprint (so its hooks run), before the app is made."""
    from forms.platform.services import services
    from forms.staff import accesslog, rules
    from forms.staff.web import bp, me, render, role_text, roles_at

    @bp.get("/personal/<clinic>/golv/")
    def bench_floor(clinic: str) -> str:
        roles_at(clinic, rules.can_see_cases)
        return render("staff/layout.html", clinic=clinic)

    @bp.get("/personal/<clinic>/golv-logg/")
    def bench_floor_logged(clinic: str) -> str:
        roles = roles_at(clinic, rules.can_see_cases)
        svc = services()
        who = me().person.hsa_id
        engine = svc.store.engine
        accesslog.append(engine, at=svc.now(), hsa_id=who, role=role_text(roles), clinic=clinic, action="list")
        return render("staff/layout.html", clinic=clinic)


if __name__ == "__main__":
    sys.exit(main())
