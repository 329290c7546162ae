"""Races for two overlapping times of two types, against gunicorn with 3 workers, on SQLite and PostgreSQL.

The mottagning's schedule (written straight into the demo data, past the admin page's refusal,
as an older database could hold it) gives Provtagning on Wednesdays 08:00–09:00 inside
Läkarbesök's 08:00–11:00. Half the clients confirm Läkarbesök 08.20 (08.20–08.40), half
Provtagning 08.30 (08.30–08.40), at the same moment: the times are different, so the unique index
on the start cannot tell them apart; only the refusal of overlapping bookings leaves one winner.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from forms.store.engine import make_engine
from forms.store.tidbok import BookingRow
from tests.forms.booking_support import TAKEN_TEXT, VC
from tests.forms.gunicorn_run import Browser, gunicorn, hidden_fields, made_up_people, side_by_side
from tests.forms.test_booking_races import WORKERS, at_once, env_for

CLIENTS = 12
WEDNESDAY = "2026-12-09"
LAKARE = f"{WEDNESDAY}T08:20:00+01:00"
PROV = f"{WEDNESDAY}T08:30:00+01:00"
PROV_ROW = '      - {time_type: provtagning, days: [ons], start: "08:00", end: "09:00", from: 2026-11-01}\n'


def to_check(browser: Browser, person: str, time_type: str, start: str) -> dict[str, str]:
    """Log in and go through Boka tid to its check page for `start`; the confirmation's form."""
    assert browser.submit("/e-tjanster/logga-in/", {"personnummer": person}).status == 303
    assert browser.submit(f"{VC}boka/", {"approve": "yes"}).status == 303
    assert browser.submit(f"{VC}boka/typ/", {"typ": time_type}).status == 303
    chosen = browser.submit(f"{VC}boka/tid/?dag={WEDNESDAY}", {"tid": start})
    assert chosen.status == 303, chosen.status
    if chosen.location.endswith("/orsak/"):
        assert browser.submit(f"{VC}boka/orsak/", {"orsak": "Ont"}).status == 303
    check = browser.get(f"{VC}boka/kontrollera/")
    assert check.status == 200, check.status
    return hidden_fields(check.text)


def test_clients_booking_overlapping_times_of_two_types_at_once_give_one_booking(
    database_url: str, tmp_path: Path
) -> None:
    make_engine(database_url).dispose()
    people = made_up_people(CLIENTS)
    env = env_for(tmp_path, database_url, people)
    demo = Path(env["FORMS_DEMO_DATA"])
    text = demo.read_text(encoding="utf-8")
    anchor = '      - {time_type: provtagning, days: [tis]'
    demo.write_text(text.replace(anchor, PROV_ROW + anchor, 1), encoding="utf-8")
    choices = [("lakarbesok", LAKARE) if index % 2 == 0 else ("provtagning", PROV) for index in range(CLIENTS)]
    with gunicorn(env, workers=WORKERS, log=tmp_path / "gunicorn.log") as server:
        browsers = [Browser(server.base) for _ in people]
        walks = [lambda b=b, p=p, k=kind, s=start: to_check(b, p, k, s)
                 for b, p, (kind, start) in zip(browsers, people, choices, strict=True)]
        forms = side_by_side(walks, WORKERS)  # the walk to the check page; the race is at_once below
        url = f"{VC}boka/kontrollera/"
        responses = at_once([lambda b=b, f=f: b.post(url, f) for b, f in zip(browsers, forms, strict=True)])
    booked = [r for r in responses if r.status == 303 and "/tidbok/kvitto/" in r.location]
    told = [(r, start) for r, (_, start) in zip(responses, choices, strict=True)
            if r.status == 200 and TAKEN_TEXT in r.text and "Lediga tider onsdag 9 december 2026" in r.text]
    assert (len(booked), len(told)) == (1, CLIENTS - 1), sorted(r.status for r in responses)
    for response, start in told:  # the loser's own time overlaps the winner's, whichever type won
        assert start not in response.text.split("Lediga tider", 1)[1]
    engine = make_engine(database_url, migrate=False)
    try:
        with engine.connect() as connection:
            active = connection.execute(select(BookingRow.type_id, BookingRow.start, BookingRow.end).where(
                BookingRow.clinic == "vardcentralen-test", BookingRow.status == "active",
                BookingRow.start >= datetime.datetime(2026, 12, 9, 7, 0),
                BookingRow.start < datetime.datetime(2026, 12, 9, 8, 0),
            )).all()
    finally:
        engine.dispose()
    assert len(active) == 1, active
    assert (active[0].start, active[0].end) in {
        (datetime.datetime(2026, 12, 9, 7, 20), datetime.datetime(2026, 12, 9, 7, 40)),
        (datetime.datetime(2026, 12, 9, 7, 30), datetime.datetime(2026, 12, 9, 7, 40)),
    }


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
