"""Two changes to one booking at once, against gunicorn with 3 workers, on SQLite and PostgreSQL.

Avboka and Omboka of one booking pressed at the same moment (two windows), and two guardians
rebooking their child's time to different times at once: every round exactly one change is made,
the other citizen gets "Bokningen har ändrats" with the booking as it is now, and the database,
the reminders in the outbox and the inbox copies agree with the change that was made: no reminder
for a cancelled or abandoned time, no inbox copy of a change that did not happen. The two tests
share one server per database, on days of their own: starting its workers costs more than a race.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from forms.booking import reminders, times
from forms.booking.interface import Request
from forms.booking.standalone import StandaloneTidbok
from forms.notices.contacts import Contacts
from forms.store.db import Case, Notice
from forms.store.engine import make_engine
from forms.store.tidbok import BookingRow
from tests.forms.booking_support import ADULT, CHILD, DEMO, VC
from tests.forms.conftest import personnummer
from tests.forms.gunicorn_run import Browser, Gunicorn, Response, gunicorn, hidden_fields
from tests.forms.test_booking_races import FORMS_NOW, WORKERS, at_once, env_for

CLINIC = "vardcentralen-test"
NOW = datetime.datetime.fromisoformat(FORMS_NOW)
ROUNDS = 8
GUARDIAN = personnummer("19750707", "222")  # the child's other guardian
CHANGED_H1 = "<h1>Bokningen har ändrats</h1>"
# Weekdays more than 24 hours ahead (Läkarbesök: 08.00–11.00), none with a demo booking at 10.00.
DAYS = [datetime.date(2026, 12, 3) + datetime.timedelta(days=n) for n in range(30)]
DAYS = [day for day in DAYS if day.weekday() < 5 and day not in {datetime.date(2026, 12, 24), datetime.date(2026, 12, 25)}]
FIRST_DAYS, SECOND_DAYS = DAYS[:ROUNDS], DAYS[ROUNDS:2 * ROUNDS]  # a day a round, none shared by the two tests


@pytest.fixture(scope="module")
def server(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    """One server for the module's races on this database; the child has a second guardian, Gun."""
    make_engine(module_database_url).dispose()
    root = tmp_path_factory.mktemp("booking-change-races")
    env = env_for(root, module_database_url, [])
    demo = DEMO.replace("tidbok:\n", f'  - {{personnummer: "{GUARDIAN}", name: Gun Förälder, children: ["{CHILD}"]}}\n'
                        "tidbok:\n", 1)
    (root / "demo.yaml").write_text(demo, encoding="utf-8")
    with gunicorn(env, workers=WORKERS, log=root / "gunicorn.log") as server:
        yield server


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=times.STOCKHOLM)


def seed_booking(engine: Engine, subject: str, booked_by: str, start: datetime.datetime, round_: int) -> str:
    """A Läkarbesök for `subject` with a reminder queued for `booked_by`: what the race then changes."""
    result = StandaloneTidbok(engine).make_booking(
        Request(clinic=CLINIC, time_type="lakarbesok", start=start, subject=subject, booked_by=booked_by,
                reason="Ont", request_key=f"race-{round_}"),
        NOW,
    )
    assert result.ok and result.booking is not None, result
    assert reminders.offer(engine, booked_by, Contacts(email="forälder@example.se"), result.booking, NOW)
    return result.booking.key


def state(engine: Engine, key: str) -> tuple[datetime.datetime, str, set[str], list[str]]:
    """The booking's row (UTC start, status), the reminders still to send for it, the inbox copies."""
    with engine.connect() as connection:
        start, status = connection.execute(
            select(BookingRow.start, BookingRow.status).where(BookingRow.key == key)
        ).one()
        pending = set(connection.scalars(
            select(Notice.event_key).where(Notice.event_key.like(f"reminder:{key}:%"), Notice.sent_at.is_(None))
        ))
        copies = list(connection.scalars(
            select(Case.eservice).where(Case.eservice.like(f"tidbok-%-{key}")).order_by(Case.eservice)
        ))
    return start, status, pending, copies


def utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def log_in(browser: Browser, person: str, child: str | None = None) -> Browser:
    assert browser.submit("/e-tjanster/logga-in/", {"personnummer": person}).status == 303
    if child is not None:
        assert browser.submit("/e-tjanster/ombud/", {"subject": child}).status == 303
    return browser


def to_rebook(browser: Browser, key: str, target: datetime.datetime) -> dict[str, str]:
    """Omboka up to "Kontrollera din ombokning"; the form its button posts."""
    value = target.isoformat()
    assert browser.submit(f"{VC}{key}/omboka/", {"approve": "yes"}).status == 303
    assert browser.submit(f"{VC}{key}/omboka/tid/?dag={value[:10]}", {"tid": value}).status == 303
    assert browser.submit(f"{VC}{key}/omboka/kommentar/", {"kommentar": ""}).status == 303
    check = browser.get(f"{VC}{key}/omboka/kontrollera/")
    assert check.status == 200, check.status
    return hidden_fields(check.text)


def to_cancel(browser: Browser, key: str) -> dict[str, str]:
    assert browser.submit(f"{VC}{key}/avboka/", {"approve": "yes"}).status == 303
    page = browser.get(f"{VC}{key}/avboka/kommentar/")
    assert page.status == 200, page.status
    return {**hidden_fields(page.text), "kommentar": "Blev frisk"}


def won(response: Response) -> bool:
    return response.status == 303 and "/tidbok/kvitto/" in response.location


def told(response: Response, *texts: str) -> bool:
    """The loser's page: 409 "Bokningen har ändrats", naming the booking as it is now."""
    page = html.unescape(response.text)
    return response.status == 409 and CHANGED_H1 in page and all(text in page for text in texts)


def test_avboka_and_omboka_of_one_booking_at_once_make_exactly_one_change(
    server: Gunicorn, module_database_url: str
) -> None:
    engine = make_engine(module_database_url, migrate=False)
    wins = {"omboka": 0, "avboka": 0}
    try:
        rebooking, cancelling = log_in(Browser(server.base), ADULT), log_in(Browser(server.base), ADULT)
        for round_, day in enumerate(FIRST_DAYS):
            held, target = local(day, 10), local(day, 9)
            key = seed_booking(engine, ADULT, ADULT, held, round_)
            rebook_form, cancel_form = to_rebook(rebooking, key, target), to_cancel(cancelling, key)
            rebook, cancel = at_once([
                lambda f=rebook_form, k=key: rebooking.post(f"{VC}{k}/omboka/kontrollera/", f),
                lambda f=cancel_form, k=key: cancelling.post(f"{VC}{k}/avboka/kommentar/", f),
            ])
            start, status, pending, copies = state(engine, key)
            if won(rebook):
                wins["omboka"] += 1
                assert told(cancel, times.in_words(target)), (round_, cancel.status, cancel.text[:300])
                assert (start, status) == (utc(target), "active"), round_
                assert pending == {reminders.event_key(key, target)}, round_
                assert copies == [f"tidbok-omboka-{key}"], round_
            else:
                wins["avboka"] += 1
                assert won(cancel), (round_, rebook.status, cancel.status)
                assert told(rebook, "är avbokad"), (round_, rebook.status, rebook.text[:300])
                assert (start, status) == (utc(held), "cancelled"), round_
                assert pending == set(), round_  # no reminder for a cancelled time
                assert copies == [f"tidbok-avboka-{key}"], round_
    finally:
        engine.dispose()
    print(f"\n{module_database_url.split(':')[0]}: {wins}")  # which of the two won, over the rounds


def test_two_guardians_rebooking_one_childs_time_at_once_make_exactly_one_move(
    server: Gunicorn, module_database_url: str
) -> None:
    engine = make_engine(module_database_url, migrate=False)
    try:
        vera, gun = log_in(Browser(server.base), ADULT, CHILD), log_in(Browser(server.base), GUARDIAN, CHILD)
        for round_, day in enumerate(SECOND_DAYS, start=ROUNDS):  # request keys of its own
            held, targets = local(day, 10), (local(day, 9), local(day, 9, 20))
            key = seed_booking(engine, CHILD, ADULT, held, round_)
            forms = [to_rebook(vera, key, targets[0]), to_rebook(gun, key, targets[1])]
            answers = at_once([
                lambda b=b, f=f, k=key: b.post(f"{VC}{k}/omboka/kontrollera/", f)
                for b, f in zip((vera, gun), forms, strict=True)
            ])
            winners = [i for i, answer in enumerate(answers) if won(answer)]
            assert len(winners) == 1, (round_, [a.status for a in answers])
            moved_to = targets[winners[0]]
            assert told(answers[1 - winners[0]], times.in_words(moved_to)), round_
            start, status, pending, copies = state(engine, key)
            assert (start, status) == (utc(moved_to), "active"), round_
            assert pending == {reminders.event_key(key, moved_to)}, round_  # Vera's, moved with the time
            assert copies == [f"tidbok-omboka-{key}"], round_  # one inbox copy: the winner's
    finally:
        engine.dispose()


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
