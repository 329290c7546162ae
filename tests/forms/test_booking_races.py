"""Races for one time, against gunicorn with 3 workers, on SQLite and PostgreSQL.

30 citizens confirm the same time at the same moment: exactly one booking, and 29 pages with the
contract's error and the day's free times, no 500. A rebook racing a new booking for the same
time: one winner, the other told, and the database never holds two active bookings on one time.
Both tests share one server per database (their times are days apart), started once: its workers'
start costs more than a race.
"""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from forms.store.engine import make_engine
from forms.store.tidbok import BookingRow
from tests.forms.booking_support import ADULT, OTHER, TAKEN_TEXT, VC, write_booking_content, write_demo
from tests.forms.gunicorn_run import Browser, Gunicorn, gunicorn, hidden_fields, made_up_people, side_by_side

CLIENTS = 30
WORKERS = 3
FORMS_NOW = "2026-12-01T08:00:00+01:00"


def env_for(tmp_path: Path, database_url: str, people: list[str]) -> dict[str, str]:
    return {
        "FORMS_CONTENT_DIR": str(write_booking_content(tmp_path / "content")),
        "FORMS_DEMO_DATA": str(write_demo(tmp_path / "demo.yaml", people)),
        "FORMS_DATABASE_URL": database_url,
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "race-test-key-shared-by-the-workers",
        "FORMS_NOW": FORMS_NOW,
        "FORMS_RATELIMIT_LOGIN": "1000 per minute",
    }


PEOPLE = made_up_people(CLIENTS)


@pytest.fixture(scope="module")
def server(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    """One server for the module's races on this database."""
    make_engine(module_database_url).dispose()
    root = tmp_path_factory.mktemp("booking-races")
    with gunicorn(env_for(root, module_database_url, PEOPLE), workers=WORKERS, log=root / "gunicorn.log") as server:
        yield server


def to_check(browser: Browser, person: str, start: str) -> dict[str, str]:
    """Log in and go through Boka tid to its check page for `start`; the confirmation's form."""
    assert browser.submit("/e-tjanster/logga-in/", {"personnummer": person}).status == 303
    assert browser.submit(f"{VC}boka/", {"approve": "yes"}).status == 303
    assert browser.submit(f"{VC}boka/typ/", {"typ": "lakarbesok"}).status == 303
    assert browser.submit(f"{VC}boka/tid/?dag={start[:10]}", {"tid": start}).status == 303
    assert browser.submit(f"{VC}boka/orsak/", {"orsak": "Ont"}).status == 303
    check = browser.get(f"{VC}boka/kontrollera/")
    assert check.status == 200, check.status
    return hidden_fields(check.text)


def active_at(engine: Engine, utc_start: str) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(BookingRow.subject).where(
                BookingRow.status == "active", BookingRow.clinic == "vardcentralen-test",
                BookingRow.start == datetime.datetime.fromisoformat(utc_start),
            )
        )
        return [row[0] for row in rows]


def at_once(jobs: list) -> list:  # type: ignore[type-arg]
    """Run the jobs in threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)  # type: ignore[type-arg]

    def run(index: int) -> None:
        barrier.wait(timeout=60)
        results[index] = jobs[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_thirty_clients_confirming_one_time_give_one_booking_and_29_errors(
    server: Gunicorn, module_database_url: str
) -> None:
    start = "2026-12-01T09:00:00+01:00"
    browsers = [Browser(server.base) for _ in PEOPLE]
    walks = [lambda b=b, p=p: to_check(b, p, start) for b, p in zip(browsers, PEOPLE, strict=True)]
    forms = side_by_side(walks, WORKERS)
    url = f"{VC}boka/kontrollera/"
    responses = at_once([lambda b=b, f=f: b.post(url, f) for b, f in zip(browsers, forms, strict=True)])
    booked = [r for r in responses if r.status == 303 and "/tidbok/kvitto/" in r.location]
    told = [r for r in responses if r.status == 200 and TAKEN_TEXT in r.text and "Lediga tider tisdag 1 december 2026" in r.text]
    assert (len(booked), len(told)) == (1, CLIENTS - 1), sorted(r.status for r in responses)
    assert all(start not in r.text.split("Lediga tider", 1)[1] for r in told)  # the taken time is not offered
    engine = make_engine(module_database_url)
    try:
        assert len(active_at(engine, "2026-12-01T08:00:00")) == 1
    finally:
        engine.dispose()


def utc_of(local: str) -> str:
    """'2026-12-01T09:20:00+01:00' as the store keeps it: '2026-12-01T08:20:00'."""
    return datetime.datetime.fromisoformat(local).astimezone(datetime.UTC).replace(tzinfo=None).isoformat()


def test_a_rebook_racing_a_new_booking_for_the_same_time_has_one_winner(
    server: Gunicorn, module_database_url: str
) -> None:
    # More than 24 hours ahead, so a booking that the rebook has moved may be moved again.
    targets = ["2026-12-04T09:20:00+01:00", "2026-12-04T09:40:00+01:00", "2026-12-04T10:00:00+01:00"]
    engine = make_engine(module_database_url, migrate=False)
    try:
        mover = Browser(server.base)
        assert mover.submit("/e-tjanster/logga-in/", {"personnummer": ADULT}).status == 303
        mine = mover.get(VC).text
        key = re.findall(r"/tidbok/([^/]+)/omboka/", mine)[1]  # torsdag 3 december 08.00 (after provtagning)
        held = "2026-12-03T07:00:00"  # where the booking is now
        for target in targets:
            assert mover.submit(f"{VC}{key}/omboka/", {"approve": "yes"}).status == 303
            assert mover.submit(f"{VC}{key}/omboka/tid/?dag=2026-12-04", {"tid": target}).status == 303
            assert mover.submit(f"{VC}{key}/omboka/kommentar/", {"kommentar": ""}).status == 303
            check = mover.get(f"{VC}{key}/omboka/kontrollera/")
            assert check.status == 200
            rebook_form = hidden_fields(check.text)
            other = Browser(server.base)
            new_form = to_check(other, OTHER, target)
            rebook, new = at_once([
                lambda f=rebook_form: mover.post(f"{VC}{key}/omboka/kontrollera/", f),
                lambda f=new_form, o=other: o.post(f"{VC}boka/kontrollera/", f),
            ])
            outcome = (rebook.status == 303, new.status == 303)
            assert outcome in {(True, False), (False, True)}, (rebook.status, new.status)
            loser = new if outcome[0] else rebook
            assert loser.status == 200 and TAKEN_TEXT in loser.text
            # One active booking on the time: the mover's if the rebook won, else the newcomer's.
            assert active_at(engine, utc_of(target)) == [ADULT if outcome[0] else OTHER], target
            if outcome[0]:
                assert active_at(engine, held) == []  # the old time free at once
                held = utc_of(target)
            else:
                assert active_at(engine, held) == [ADULT]  # a lost rebook keeps the old time
    finally:
        engine.dispose()

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
