"""A kallelse books at most one time, however many bookings through it race: real gunicorn workers,
on SQLite and PostgreSQL.

The kallelse is sent to a child with four guardians, so four people (four sessions, four drafts:
a draft is the actor's) can each open the link, choose a different free time and press "Boka
tiden" at the same moment, each request in whichever worker takes it. The type is `web: false`,
as a kallelse's usually is, so nothing but the kallelse lets a booking through. The database's
conditional update of the kallelse, in the booking's transaction, lets exactly one through; the
others get a Swedish message on the page, never a 500.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forms.app import create_app
from forms.booking import kallelse
from forms.store.db import Kallelse
from forms.store.engine import make_engine
from forms.store.tidbok import BookingRow
from tests.forms.booking_support import CHILD, DEMO, config, write_booking_content
from tests.forms.gunicorn_run import Browser, gunicorn, hidden_fields, made_up_people
from tests.forms.omvant_support import SENDER, STAFF, send_message, staff_client
from tests.forms.test_booking_races import FORMS_NOW, at_once

RACERS = WORKERS = 4  # a worker each, so the four requests really overlap in the database
ROUNDS = 2  # a kallelse a round, on a Wednesday of its own; Hälsosamtal has four times: 13.00 to 14.30
SECRET = "kallelse-race-key-shared-by-the-workers"
VC = "/e-tjanster/vardcentralen-test/tidbok/"
CONFIRM = f"{VC}boka/kontrollera/"
STARTS = [f"2026-12-02T{13 + i // 2}:{30 * (i % 2):02d}:00+01:00" for i in range(RACERS)]


def week_later(starts: list[str], weeks: int) -> list[str]:
    return [s.replace("2026-12-02", f"2026-12-{2 + 7 * weeks:02d}") for s in starts]
ONLY_STAFF = """\
      - {id: halsosamtal, name: Hälsosamtal, minutes: 30, reason: none, web: false}
    schedule:
      - {time_type: halsosamtal, days: [ons], start: "13:00", end: "15:00", from: 2026-11-01}
"""


def write_family(path: Path, guardians: list[str]) -> Path:
    """The booking tests' demo file with a web: false type, the child's guardians and case staff."""
    people = "".join(
        f'  - {{personnummer: "{p}", name: Förälder {i}, children: ["{CHILD}"]}}\n' for i, p in enumerate(guardians)
    )
    text = DEMO.replace("people:\n", "people:\n" + people, 1).replace("    schedule:\n", ONLY_STAFF, 1)
    path.write_text(text + STAFF, encoding="utf-8")
    return path


def act_for_the_child(browser: Browser, guardian: str) -> None:
    assert browser.submit("/e-tjanster/logga-in/", {"personnummer": guardian}).status == 303
    assert browser.submit("/e-tjanster/ombud/", {"subject": CHILD}).status == 303


def to_check(browser: Browser, link: str, start: str) -> dict[str, str]:
    """Open the kallelse and choose `start`; the confirmation's form."""
    opened = browser.get(link)
    assert opened.status == 303 and opened.location.endswith("/tidbok/boka/"), opened.status
    assert browser.submit(f"{VC}boka/", {"approve": "yes"}).location.endswith("/boka/tid/")  # the type is given
    assert browser.submit(f"{VC}boka/tid/?dag={start[:10]}", {"tid": start}).status == 303
    check = browser.get(f"{VC}boka/kontrollera/")
    assert check.status == 200 and "Hälsosamtal" in check.text, check.status
    return hidden_fields(check.text)


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_guardians_racing_through_one_kallelse_book_one_time_and_the_others_are_told(
    database_url: str, tmp_path: Path
) -> None:
    guardians = made_up_people(RACERS)
    content = write_booking_content(tmp_path / "content")
    demo = write_family(tmp_path / "demo.yaml", guardians)
    # The mottagning sends each kallelse in-process; the workers find it in the store.
    app = create_app(config(content, demo, database_url) | {"FORMS_SECRET_KEY": SECRET})
    sender = staff_client(app, SENDER)
    engine = make_engine(database_url, migrate=False)
    env = {
        "FORMS_CONTENT_DIR": str(content), "FORMS_DEMO_DATA": str(demo), "FORMS_DATABASE_URL": database_url,
        "FORMS_TEST_LOGIN": "1", "FORMS_SECRET_KEY": SECRET, "FORMS_NOW": FORMS_NOW,
        "FORMS_RATELIMIT_LOGIN": "1000 per minute",
    }
    try:
        with gunicorn(env, workers=WORKERS, log=tmp_path / "gunicorn.log") as server:
            browsers = [Browser(server.base) for _ in guardians]
            for browser, guardian in zip(browsers, guardians, strict=True):
                act_for_the_child(browser, guardian)
            for round_number in range(ROUNDS):
                sent = send_message(sender, personnummer=CHILD, kallelse="halsosamtal")
                assert sent.status_code == 303
                with engine.connect() as connection:
                    invited, nonce = connection.execute(
                        select(Kallelse.id, Kallelse.nonce).order_by(Kallelse.id.desc()).limit(1)
                    ).one()
                link = f"{VC}kallelse/{kallelse.token(SECRET, nonce)}/"
                starts = week_later(STARTS, round_number)
                forms = [to_check(b, link, s) for b, s in zip(browsers, starts, strict=True)]
                responses = at_once([lambda b=b, f=f: b.post(CONFIRM, f) for b, f in zip(browsers, forms, strict=True)])
                booked = [r for r in responses if r.status == 303 and "/tidbok/kvitto/" in r.location]
                told = [r for r in responses if r.status == 410 and kallelse.SPENT in r.text]
                outcome = [(r.status, r.location) for r in responses]
                assert (len(booked), len(told)) == (1, RACERS - 1), (round_number, outcome)
                with engine.connect() as connection:
                    active = connection.execute(
                        select(BookingRow.id, BookingRow.subject).where(
                            BookingRow.type_id == "halsosamtal", BookingRow.status == "active"
                        )
                    ).all()
                    spent = connection.execute(
                        select(Kallelse.booking_id, Kallelse.spent_at).where(Kallelse.id == invited)
                    ).one()
                assert [row.subject for row in active] == [CHILD] * (round_number + 1), round_number
                assert spent.booking_id == max(row.id for row in active) and spent.spent_at is not None
        assert "Traceback" not in (tmp_path / "gunicorn.log").read_text(errors="replace")
    finally:
        engine.dispose()
