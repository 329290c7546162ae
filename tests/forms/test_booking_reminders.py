"""The reminder the day before: offered on the confirmation, moved by a rebook, withdrawn by a cancel."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import create_app
from forms.booking import reminders
from forms.booking.common import EXTENSION
from forms.notices.outbox import REMINDER_TEXT
from forms.store.db import ContactDetails, Notice
from tests.forms.booking_support import (
    ADULT,
    CHILD,
    VC,
    book_to_check,
    config,
    confirm,
    login,
    submit,
    token,
    write_booking_content,
    write_demo,
)
from tests.forms.gunicorn_run import hidden_fields


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    root = write_booking_content(tmp_path / "content")
    demo = write_demo(tmp_path / "demo.yaml")
    return create_app(config(root, demo, f"sqlite:///{tmp_path / 'store.sqlite3'}"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def notices(app: Flask) -> list[tuple[str, str, str, str, str]]:
    with Session(app.extensions["hittavard_forms"].store.engine) as db:
        rows = db.scalars(select(Notice).order_by(Notice.event_key, Notice.channel))
        return [(n.event_key, n.channel, n.personnummer, n.text, n.next_attempt_at.isoformat()) for n in rows]


def book_with_reminder(client: FlaskClient, start: str) -> str:
    """Book `start` and accept the reminder by e-mail and SMS; the receipt's URL."""
    receipt = confirm(client, book_to_check(client, start=start)).headers["Location"]
    page = client.get(receipt)
    assert "Påminnelse dagen före" in page.text
    saved = client.post(f"{receipt}paminnelse/", data={"csrf_token": token(page.text), "epost": "vera@example.se",
                                                        "mobil": "070-123 45 67"})
    assert saved.status_code == 303
    return receipt


def test_the_reminder_is_queued_for_midday_the_day_before_with_the_contract_text(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    receipt = book_with_reminder(client, "2026-12-04T09:00:00+01:00")
    queued = notices(app)
    assert [(channel, who, text, when) for _, channel, who, text, when in queued] == [
        ("email", ADULT, REMINDER_TEXT, "2026-12-03T11:00:00"),
        ("sms", ADULT, REMINDER_TEXT, "2026-12-03T11:00:00"),
    ]
    assert REMINDER_TEXT == "Du har en bokad tid i morgon. Logga in på Hitta vård för att se den."
    page = client.get(receipt).text
    # Says where it goes (issue 20), not only by which channels.
    assert "Du får en påminnelse dagen före tiden med e-post till vera@example.se och sms till 070-123 45 67" in page
    with Session(app.extensions["hittavard_forms"].store.engine) as db:
        saved = db.get(ContactDetails, ADULT)
        assert (saved.email, saved.mobile) == ("vera@example.se", "+46701234567")


def test_a_bad_address_is_an_error_on_the_confirmation_and_nothing_is_queued(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    receipt = confirm(client, book_to_check(client)).headers["Location"]
    page = client.get(receipt)
    bad = client.post(f"{receipt}paminnelse/", data={"csrf_token": token(page.text), "epost": "inte en adress",
                                                      "mobil": "12"})
    assert bad.status_code == 200 and "<title>Fel: " in bad.text
    assert 'href="#epost"' in bad.text and 'href="#mobil"' in bad.text
    empty = client.post(f"{receipt}paminnelse/", data={"csrf_token": token(page.text)})
    assert "Skriv en e-postadress eller ett mobilnummer" in empty.text
    assert notices(app) == []
    assert client.post(f"{receipt}paminnelse/", data={"epost": "a@example.se"}).status_code == 400  # no token


def test_a_rebook_moves_the_reminder_and_a_cancel_withdraws_it(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    receipt = book_with_reminder(client, "2026-12-04T09:00:00+01:00")
    key = re.search(r"/tidbok/([^/]+)/kalender\.ics", client.get(receipt).text).group(1)
    submit(client, f"{VC}{key}/omboka/", {"approve": "yes"})
    submit(client, f"{VC}{key}/omboka/tid/?dag=2026-12-08", {"tid": "2026-12-08T10:00:00+01:00"})
    submit(client, f"{VC}{key}/omboka/kommentar/", {"kommentar": ""})
    check = client.get(f"{VC}{key}/omboka/kontrollera/")
    client.post(f"{VC}{key}/omboka/kontrollera/", data=hidden_fields(check.text))
    assert {(event, when) for event, _, _, _, when in notices(app)} == {
        (f"reminder:{key}:20261208T0900Z", "2026-12-07T11:00:00")
    }
    submit(client, f"{VC}{key}/avboka/", {"approve": "yes"})
    page = client.get(f"{VC}{key}/avboka/kommentar/")
    done = client.post(f"{VC}{key}/avboka/kommentar/", data=hidden_fields(page.text))
    assert done.status_code == 303
    assert notices(app) == []
    assert "Du får ingen påminnelse om den" in client.get(done.headers["Location"]).text


def test_a_guardian_gets_the_reminder_of_a_childs_time(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    submit(client, "/e-tjanster/ombud/", {"subject": CHILD})
    book_with_reminder(client, "2026-12-04T09:20:00+01:00")
    assert {who for _, _, who, _, _ in notices(app)} == {ADULT}


def test_when_the_reminder_goes() -> None:
    stockholm = datetime.timezone(datetime.timedelta(hours=1))
    start = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=stockholm)
    midday_before = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=stockholm)
    assert reminders.send_at(start, datetime.datetime(2026, 12, 1, 8, 0, tzinfo=stockholm)) == midday_before
    late = datetime.datetime(2026, 12, 3, 18, 0, tzinfo=stockholm)
    assert reminders.send_at(start, late) == late  # the day before, after midday: at once
    assert reminders.send_at(start, datetime.datetime(2026, 12, 4, 7, 0, tzinfo=stockholm)) is None  # the same day


@pytest.mark.parametrize("meanwhile", ["avboka", "omboka"])
def test_a_reminder_asked_for_while_another_window_changes_the_booking_follows_the_change(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, meanwhile: str
) -> None:
    """The reminder form read the booking; another window cancels or moves it before the reminder is
    queued (its own withdraw or move of the reminders already done): none stays for a time not booked."""
    login(client, ADULT)
    receipt = confirm(client, book_to_check(client, start="2026-12-04T09:00:00+01:00")).headers["Location"]
    page = client.get(receipt)
    key = re.search(r"/tidbok/([^/]+)/kalender\.ics", page.text).group(1)
    tidbok = app.extensions[EXTENSION]
    offer = reminders.offer

    def changed_first(engine, personnummer, contacts, booking, now):  # type: ignore[no-untyped-def]
        if meanwhile == "avboka":
            done = tidbok.cancel_booking(key, ADULT, None, now, was=booking.start)
            reminders.cancelled(engine, done.booking)
        else:
            done = tidbok.update_booking(key, ADULT, booking.start + datetime.timedelta(hours=1), None, now,
                                         was=booking.start)
            reminders.moved(engine, booking.start, done.booking, now)
        assert done.ok
        return offer(engine, personnummer, contacts, booking, now)

    monkeypatch.setattr(reminders, "offer", changed_first)
    saved = client.post(f"{receipt}paminnelse/", data={"csrf_token": token(page.text), "epost": "vera@example.se"})
    assert saved.status_code == 303
    pending = {event for event, *_ in notices(app)}
    assert pending == (set() if meanwhile == "avboka" else {f"reminder:{key}:20261204T0900Z"})  # 10.00 local
