"""Two simultaneous saves of one person's contact details (issue 19, found by reading).

"Mina uppgifter" and the reminder offer on a booking's receipt both replace the person's row. Saved
at the same moment from two sessions, against real gunicorn workers on SQLite and PostgreSQL: both
get their answer (never a 500) and the row is exactly one of the two, whole (last writer wins).
The two tests share one server per database, each with people of its own: starting its workers
costs more than a race.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from forms.store.db import ContactDetails
from forms.store.engine import make_engine
from tests.forms.booking_support import VC
from tests.forms.gunicorn_run import Browser, Gunicorn, csrf_token, gunicorn, made_up_people
from tests.forms.test_booking_races import at_once, env_for, to_check

ROUNDS = 6
CONTACTS = "/e-tjanster/mina-uppgifter/"
MOBILES = ("070-123 45 67", "073-765 43 21")
E164 = ("+46701234567", "+46737654321")
PEOPLE = made_up_people(ROUNDS + 1)  # a person without a row for each round of the first test, one for the second


@pytest.fixture(scope="module")
def server(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    """One server for the module's races on this database."""
    make_engine(module_database_url).dispose()
    root = tmp_path_factory.mktemp("contact-races")
    with gunicorn(env_for(root, module_database_url, PEOPLE), workers=2, log=root / "gunicorn.log") as server:
        yield server


def saved(database_url: str, person: str) -> tuple[str | None, str | None] | None:
    engine = make_engine(database_url, migrate=False)
    try:
        with engine.connect() as connection:
            row = connection.execute(select(ContactDetails.email, ContactDetails.mobile).where(
                ContactDetails.personnummer == person)).first()
    finally:
        engine.dispose()
    return None if row is None else (row.email, row.mobile)


def logged_in(base: str, person: str) -> Browser:
    browser = Browser(base)
    assert browser.submit("/e-tjanster/logga-in/", {"personnummer": person}).status == 303
    return browser


def test_two_sessions_saving_mina_uppgifter_at_once_both_succeed_and_one_whole_version_is_kept(
    server: Gunicorn, module_database_url: str
) -> None:
    for person in PEOPLE[:ROUNDS]:  # a person with no row yet: both insert
        sessions = [logged_in(server.base, person) for _ in range(2)]
        forms = [{"csrf_token": csrf_token(s.get(CONTACTS).text), "email": f"s{i}@example.se", "mobile": MOBILES[i]}
                 for i, s in enumerate(sessions)]
        for _ in range(2):  # then a row both replace
            results = at_once([lambda s=s, f=f: s.post(CONTACTS, f) for s, f in zip(sessions, forms, strict=True)])
            assert [r.status for r in results] == [303, 303], (
                [r.status for r in results], server.log.read_text(errors="replace")[-1500:])
            assert saved(module_database_url, person) in {("s0@example.se", E164[0]), ("s1@example.se", E164[1])}


def test_two_reminder_offers_for_one_booking_at_once_both_succeed_and_one_whole_version_is_kept(
    server: Gunicorn, module_database_url: str
) -> None:
    person = PEOPLE[ROUNDS]
    booker = Browser(server.base)
    booked = booker.post(f"{VC}boka/kontrollera/", to_check(booker, person, "2026-12-04T09:20:00+01:00"))
    assert booked.status == 303 and "/tidbok/kvitto/" in booked.location, booked.status
    receipt = booked.location
    sessions = [booker, logged_in(server.base, person)]
    for round_number in range(ROUNDS):
        forms = [{"csrf_token": csrf_token(s.get(receipt).text), "epost": f"r{round_number}{i}@example.se",
                  "mobil": MOBILES[i]} for i, s in enumerate(sessions)]
        results = at_once([lambda s=s, f=f: s.post(f"{receipt}paminnelse/", f)
                           for s, f in zip(sessions, forms, strict=True)])
        assert [r.status for r in results] == [303, 303], (
            [r.status for r in results], server.log.read_text(errors="replace")[-1500:])
        assert saved(module_database_url, person) in {(f"r{round_number}{i}@example.se", E164[i]) for i in (0, 1)}
