"""`python -m bench.booking_load`: web booking's pages under gunicorn, beside bare Flask, and a race.

    .venv/bin/python -m bench.booking_load [--duration 10] [--rounds 3] [--connections 50] [--database-url URL]

The standalone tidbok is filled as a big region's would be: 1,000 mottagningar × 3 time types,
weekday schedules, and about three months of bookings (a third of all times taken, written straight
into the table); the measured mottagning (the demo's Åsviks vårdcentral) gets a third of its times
taken as well. Then, on 127.0.0.1 only, at 50 connections with wrk, alternating `--rounds` times
(the table shows medians, and each page's share is the median of its rounds' ratios):

- the bare Flask route (bench/hello_app.py): the ceiling;
- the day page of Boka tid (the free times of one day, and the list of days with free times);
- "Mina bokade tider".

Last, 200 citizens race for 20 times (10 per time, all confirming at once): exactly 20 bookings, the
other 180 shown the contract's error, 0 errors (no 5xx, no failed request). The query plan of the
free-time query is printed (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import tempfile
import threading
from pathlib import Path
from statistics import median

from sqlalchemy import create_engine, text

from bench.forms_load import (
    REPO,
    Client,
    Throughput,
    demo_people,
    ensure_wrk,
    python_get,
    start_gunicorn,
    wrk_get,
)

CLINICS = 1000
TYPES = (
    ("lakarbesok", 20, "08:00", "11:00"),
    ("provtagning", 10, "07:00", "08:00"),
    ("vaccination", 15, "13:00", "16:00"),
)
DAYS = 92
TAKEN_SHARE = 3  # one time in three is taken
RACERS = 200
RACE_TIMES = 20
MEASURED = "asviks-vardcentral"
VC = f"/e-tjanster/{MEASURED}/tidbok/"
# The demo's schedule of Åsviks vårdcentral (forms/identity/demo_data.yaml), weekdays only here.
MEASURED_TYPES = (("lakarbesok", 20, "08:00", "11:00"), ("provtagning", 10, "07:00", "08:00"))
MEASURED_SPARED = (2, 3, 4, 7, 8)  # December days of the demo's own bookings and of the race
TOLVAN = "19121212-1212"
SOMEONE = "19850315-1238"
NOW = datetime.datetime(2026, 12, 1, 7, 0, tzinfo=datetime.UTC)  # Tuesday 08:00 in Stockholm
TAKEN_TEXT = "Tiden hann bokas av någon annan. Välj en annan tid."


def _slots(day: datetime.date, types: tuple[tuple[str, int, str, str], ...]) -> list[tuple[str, datetime.datetime]]:
    """Every (time type, start in UTC, naive) the weekday schedule `types` gives on `day`."""
    from forms.booking.times import STOCKHOLM

    found = []
    for type_id, minutes, start, end in types:
        moment = datetime.datetime.combine(day, datetime.time.fromisoformat(start), tzinfo=STOCKHOLM)
        last = datetime.datetime.combine(day, datetime.time.fromisoformat(end), tzinfo=STOCKHOLM)
        while moment + datetime.timedelta(minutes=minutes) <= last:
            found.append((type_id, moment.astimezone(datetime.UTC).replace(tzinfo=None)))
            moment += datetime.timedelta(minutes=minutes)
    return found


BOOKING = text(
    "INSERT INTO tidbok_bookings (key, clinic, type_id, start, subject, booked_by, status, created_at, updated_at) "
    "VALUES (:k, :c, :t, :s, :p, 'bench', 'active', :s, :s)"
)


def fill(url: str, clinics: int = CLINICS) -> int:
    """Schedules and bookings of the synthetic mottagningar, straight into the tables; rows written.

    The measured mottagning (the demo's Åsviks vårdcentral) gets a third of its own times taken too,
    by someone other than Tolvan, except on the days the demo's bookings and the race use.
    """
    engine = create_engine(url)
    rows = 0
    random_ = random.Random(10)
    days = [datetime.date(2026, 12, 1) + datetime.timedelta(days=n) for n in range(DAYS)]
    with engine.begin() as connection:
        for number in range(clinics):
            clinic = f"mottagning-{number:04d}"
            connection.execute(
                text("INSERT INTO tidbok_time_types (clinic, type_id, name, minutes, reason, cancel_hours, rebook) "
                     "VALUES (:c, :t, :t, :m, 'none', 24, true)"),
                [{"c": clinic, "t": t, "m": m} for t, m, _, _ in TYPES],
            )
            connection.execute(
                text("INSERT INTO tidbok_schedules (clinic, type_id, weekdays, start_time, end_time) "
                     "VALUES (:c, :t, '01234', :s, :e)"),
                [{"c": clinic, "t": t, "s": s, "e": e} for t, _, s, e in TYPES],
            )
            bookings = [
                {"k": f"b{rows + index}", "c": clinic, "t": type_id, "s": start, "p": TOLVAN}
                for index, (type_id, start) in enumerate(
                    slot for day in days if day.weekday() < 5 for slot in _slots(day, TYPES)
                    if random_.randrange(TAKEN_SHARE) == 0
                )
            ]
            rows += len(bookings)
            connection.execute(BOOKING, bookings)
        measured = [
            {"k": f"v{index}", "c": MEASURED, "t": type_id, "s": start, "p": SOMEONE}
            for index, (type_id, start) in enumerate(
                slot for day in days if day.weekday() < 5 and not (day.month == 12 and day.day in MEASURED_SPARED)
                for slot in _slots(day, MEASURED_TYPES) if random_.randrange(TAKEN_SHARE) == 0
            )
        ]
        connection.execute(BOOKING, measured)
    engine.dispose()
    return rows + len(measured)


def query_plan(url: str) -> list[str]:
    engine = create_engine(url)
    query = (f"SELECT start FROM tidbok_bookings WHERE clinic = '{MEASURED}' AND status = 'active' "
             "AND start >= '2026-12-01 07:20:00' AND start < '2027-03-02 10:41:00'")  # the day page's three months
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = [str(row[-1]) for row in connection.execute(text("EXPLAIN QUERY PLAN " + query))]
        else:
            connection.execute(text("ANALYZE tidbok_bookings"))
            plan = [str(row[0]) for row in connection.execute(text("EXPLAIN " + query))]
    engine.dispose()
    return plan


def prepared(port: int, person: str, start: str) -> tuple[Client, dict[str, str]]:
    """A citizen logged in and through Boka tid to the check page for `start`; the confirmation form."""
    client = Client(port)
    client.log_in(person)
    for path, form in ((f"{VC}boka/", {"approve": "yes"}), (f"{VC}boka/typ/", {"typ": "lakarbesok"}),
                       (f"{VC}boka/tid/?dag={start[:10]}", {"tid": start}), (f"{VC}boka/orsak/", {"orsak": "Ont"})):
        token, _ = client.token(path)
        status, _, _ = client.request("POST", path, {"csrf_token": token, **form})
        if status != 303:
            raise RuntimeError(f"POST {path}: {status}")
    token, html = client.token(f"{VC}boka/kontrollera/")
    draft = re.search(r'name="draft" value="([^"]+)"', html)
    assert draft is not None
    return client, {"csrf_token": token, "draft": draft.group(1)}


def race(port: int, people: list[str]) -> dict[str, int]:
    days = (3, 4, 8)  # weekdays free of the demo's own bookings
    starts = [f"2026-12-{days[n // 9]:02d}T{8 + (n % 9) * 20 // 60:02d}:{(n % 9) * 20 % 60:02d}:00+01:00"
              for n in range(RACE_TIMES)]
    racers = [prepared(port, person, starts[index % RACE_TIMES]) for index, person in enumerate(people)]
    barrier = threading.Barrier(len(racers))
    outcome = {"booked": 0, "told": 0, "errors": 0}
    lock = threading.Lock()

    def confirm(client: Client, form: dict[str, str]) -> None:
        barrier.wait(timeout=120)
        try:
            status, location, html = client.request("POST", f"{VC}boka/kontrollera/", form)
            kind = ("booked" if status == 303 and "/kvitto/" in location
                    else "told" if status == 200 and TAKEN_TEXT in html else "errors")
        except Exception:
            kind = "errors"
        with lock:
            outcome[kind] += 1

    threads = [threading.Thread(target=confirm, args=racer, daemon=True) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.booking_load", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds of bare route, day page, Mina")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    rounds = max(1, min(args.rounds, 15))
    get = wrk_get if ensure_wrk() else python_get
    with tempfile.TemporaryDirectory(prefix="booking-load-") as scratch:
        folder = Path(scratch)
        url = args.database_url or f"sqlite:///{folder / 'forms.sqlite3'}"
        people = demo_people(folder / "people.yaml", RACERS)
        demo = (REPO / "forms/identity/demo_data.yaml").read_text(encoding="utf-8")
        tidbok = demo[demo.index("\ntidbok:"):]
        listed = (folder / "people.yaml").read_text().replace(  # Tolvan, whose booked times the demo seeds
            "people:\n", f'people:\n  - {{personnummer: "{TOLVAN}", name: Tolvan Tolvansson}}\n', 1
        )
        (folder / "people.yaml").write_text(listed + tidbok, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(REPO), "FORMS_CONTENT_DIR": str(REPO / "content"),
               "FORMS_DATABASE_URL": url, "FORMS_DEMO_DATA": str(folder / "people.yaml"), "FORMS_TEST_LOGIN": "1",
               "FORMS_SECRET_KEY": os.urandom(32).hex(), "FORMS_NOW": NOW.isoformat(),
               "FORMS_RATELIMIT_LOGIN": "100000 per minute", "FORMS_RATELIMIT_SEND": "100000 per minute"}
        from forms.store.engine import make_engine

        make_engine(url).dispose()
        rows = fill(url)
        log = folder / "gunicorn.log"
        # Both servers stay up and the measurements alternate, round by round, so each page is
        # compared with the bare route measured just before it on a machine whose load changes
        # from one minute to the next; the shares reported are the medians of the rounds' ratios.
        hello = start_gunicorn("bench.hello_app:app", env, args.workers, args.threads, log, "/")
        try:
            forms = start_gunicorn("forms:create_app()", env, args.workers, args.threads, log,
                                   "/e-tjanster/logga-in/")
            try:
                browser = Client(forms.port)
                browser.log_in(TOLVAN)
                for path, form in ((f"{VC}boka/", {"approve": "yes"}), (f"{VC}boka/typ/", {"typ": "lakarbesok"})):
                    token, _ = browser.token(path)
                    browser.request("POST", path, {"csrf_token": token, **form})
                cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
                pages = (("/", None, hello.port), (f"{VC}boka/tid/?dag=2026-12-03", cookie, forms.port),
                         (VC, cookie, forms.port))
                for path, with_cookie, port in pages:  # warm-up, not measured: templates, pools, caches
                    get(port, path, args.connections, 2, with_cookie)
                measured: list[tuple[Throughput, ...]] = []
                for index in range(rounds):
                    measured.append(tuple(get(port, path, args.connections, args.duration, with_cookie)
                                          for path, with_cookie, port in pages))
                    print(f"  round {index + 1}/{rounds}: " + ", ".join(f"{r.rps:.0f}/s" for r in measured[-1]),
                          flush=True)
                outcome = race(forms.port, people)
            finally:
                forms.stop()
        finally:
            hello.stop()
        with create_engine(url).connect() as connection:
            booked = connection.execute(text(
                "SELECT COUNT(*) FROM tidbok_bookings WHERE clinic = :c AND booked_by NOT IN ('mottagningen', 'bench')"
            ), {"c": MEASURED}).scalar_one()
        plan = query_plan(url)
    backend = url.split(":", 1)[0]
    print(f"\nweb booking under gunicorn ({args.workers} workers × {args.threads} threads), {backend}, "
          f"{CLINICS} mottagningar × {len(TYPES)} time types × {DAYS} days, {rows} bookings, "
          f"{args.connections} connections, {rounds} alternated rounds of {args.duration} s, "
          f"load average {os.getloadavg()[0]:.1f}; medians over the rounds")
    print(f"| {'measurement':28} | {'requests/s':>10} | {'p50':>9} | {'p99':>9} | {'errors':>6} | share | p99 × |")
    print("|" + "-" * 30 + "|" + "-" * 12 + "|" + "-" * 11 + "|" + "-" * 11 + "|" + "-" * 8 + "|-------|-------|")
    for index, label in enumerate(("bare Flask 'hello'", "day page (free times)", "Mina bokade tider")):
        results = [r[index] for r in measured]
        shares = [r[index].rps / r[0].rps for r in measured if r[0].rps]
        p99s = [r[index].p99_ms / r[0].p99_ms for r in measured if r[0].p99_ms]
        print(f"| {label:28} | {median(x.rps for x in results):>10.0f} | {median(x.p50_ms for x in results):>6.1f} ms "
              f"| {median(x.p99_ms for x in results):>6.1f} ms | {sum(x.errors for x in results):>6} "
              f"| {median(shares):>5.0%} | {median(p99s):>5.1f} |")
    print("  per round (share of that round's bare route): " + "; ".join(
        f"day {r[1].rps / r[0].rps:.0%}, Mina {r[2].rps / r[0].rps:.0%}" for r in measured if r[0].rps))
    print(f"  race: {RACERS} citizens for {RACE_TIMES} times: {outcome['booked']} booked, {outcome['told']} told "
          f"the time was taken, {outcome['errors']} errors; {booked} bookings in the database")
    print("  free-time query plan: " + " | ".join(plan))
    return 0 if outcome["booked"] == booked == RACE_TIMES and outcome["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
