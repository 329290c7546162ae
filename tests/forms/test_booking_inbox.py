"""A booking's copies in the inbox say what became of the booking; the inbox marks what is unread."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms import create_app
from forms.booking.common import EXTENSION
from forms.store.db import Case, CaseEvent
from tests.forms.booking_support import (
    ADULT,
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

INBOX = "/e-tjanster/inkorg/"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    root = write_booking_content(tmp_path / "content")
    demo = write_demo(tmp_path / "demo.yaml")
    return create_app(config(root, demo, f"sqlite:///{tmp_path / 'store.sqlite3'}"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def book(client: FlaskClient, start: str = "2026-12-10T09:40:00+01:00") -> str:
    """Book a Läkarbesök at `start`; the booking's key."""
    receipt = confirm(client, book_to_check(client, start=start)).headers["Location"]
    page = client.get(receipt).text
    return re.search(r"/tidbok/([^/]+)/kalender\.ics", page).group(1)


def rebook(client: FlaskClient, key: str, start: str, comment: str = "") -> str:
    """Omboka `key` to `start`; the receipt's HTML."""
    submit(client, f"{VC}{key}/omboka/", {"approve": "yes"})
    day = client.get(f"{VC}{key}/omboka/tid/?dag={start[:10]}")
    client.post(f"{VC}{key}/omboka/tid/", data={"csrf_token": token(day.text), "tid": start})
    submit(client, f"{VC}{key}/omboka/kommentar/", {"kommentar": comment})
    check = client.get(f"{VC}{key}/omboka/kontrollera/")
    done = client.post(f"{VC}{key}/omboka/kontrollera/", data=hidden_fields(check.text))
    assert done.status_code == 303, done.text[:500]
    return client.get(done.headers["Location"]).text


def cancel(client: FlaskClient, key: str) -> None:
    submit(client, f"{VC}{key}/avboka/", {"approve": "yes"})
    page = client.get(f"{VC}{key}/avboka/kommentar/")
    done = client.post(f"{VC}{key}/avboka/kommentar/", data=hidden_fields(page.text))
    assert done.status_code == 303


def lines(html: str) -> list[str]:
    """The inbox's entries, each as its text without tags."""
    items = re.findall(r"<li[^>]*>(.*?)</li>", html.split("<h1>Inkorg</h1>", 1)[1], re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def entry_url(html: str, name: str) -> list[str]:
    return re.findall(rf'href="(/e-tjanster/inkorg/[^"]+/)">{name}</a>', html)


def test_after_omboka_the_boka_entry_says_where_the_booking_went_and_carries_no_case_words(
    client: FlaskClient,
) -> None:
    login(client, ADULT)
    key = book(client)
    assert "Bokad: torsdag 10 december 2026 kl. 09.40" in lines(client.get(INBOX).text)[0]
    rebook(client, key, "2026-12-11T10:00:00+01:00")
    inbox = client.get(INBOX).text
    omboka, boka = lines(inbox)  # newest first
    assert omboka.startswith("Oläst Omboka tid") and "Bokad: fredag 11 december 2026 kl. 10.00" in omboka
    assert "Ombokad till fredag 11 december 2026 kl. 10.00" in boka
    assert "torsdag 10 december" not in boka
    shown = " ".join(lines(inbox))
    assert "Status" not in shown and "Ärendenummer" not in shown and "HV-" not in shown
    page = client.get(entry_url(inbox, "Boka tid")[0]).text
    assert "Ombokad till fredag 11 december 2026 kl. 10.00" in page and "Den har ändrats sedan dess" in page
    assert "Ärendenummer" not in page and "Status" not in page


def test_after_avboka_every_copy_of_the_booking_says_avbokad(client: FlaskClient) -> None:
    login(client, ADULT)
    key = book(client)
    rebook(client, key, "2026-12-11T10:00:00+01:00")
    cancel(client, key)
    avboka, omboka, boka = lines(client.get(INBOX).text)
    assert "Avbokad: fredag 11 december 2026 kl. 10.00" in avboka
    for line in (omboka, boka):
        assert "Avbokad (tiden var fredag 11 december 2026 kl. 10.00)" in line and "Bokad:" not in line


def test_an_entry_is_marked_unread_in_words_until_opened_and_again_after_a_new_answer(
    app: Flask, client: FlaskClient,
) -> None:
    login(client, ADULT)
    book(client)
    inbox = client.get(INBOX).text
    assert "Du har 1 oläst." in inbox and lines(inbox)[0].startswith("Oläst Boka tid")
    assert '<strong class="tag tag-unread">Oläst</strong>' in inbox  # a word, not a colour alone
    assert client.get(entry_url(inbox, "Boka tid")[0]).status_code == 200
    inbox = client.get(INBOX).text
    assert "Du har inget oläst." in inbox and "Oläst" not in lines(inbox)[0]
    store = app.extensions["hittavard_forms"].store
    case = store.cases_about(ADULT)[0]
    with store._write() as db, db.begin():
        db.add(CaseEvent(case_id=case.id, kind="answer", text="Hej", at=case.sent_at + datetime.timedelta(hours=1)))
    assert lines(client.get(INBOX).text)[0].startswith("Oläst")
    with store._write() as db, db.begin():
        db.add(CaseEvent(case_id=case.id, kind="reply", text="Tack", at=case.sent_at + datetime.timedelta(hours=2)))
        db.get(Case, case.id).read_at = case.sent_at + datetime.timedelta(hours=1, minutes=30)
    assert not lines(client.get(INBOX).text)[0].startswith("Oläst")  # the citizen's own reply is not unread


# Omboka and Avboka: which booking, a too-near new time, a reminder that cannot be sent ------------

CHANGING = "<strong>Du ändrar:</strong> Läkarbesök, torsdag 3 december 2026 kl. 08.00, Vårdcentralen Test"


def seeded_key(client: FlaskClient) -> str:
    """The key of the adult's seeded Läkarbesök on 3 December."""
    now = datetime.datetime(2026, 12, 1, 7, 0, tzinfo=datetime.UTC)
    tidbok = client.application.extensions[EXTENSION]
    return next(b.key for b in tidbok.schedule(ADULT, "vardcentralen-test", now) if b.start.day == 3)


def test_every_step_of_omboka_and_avboka_names_the_booking_being_changed(client: FlaskClient) -> None:
    login(client, ADULT)
    key = seeded_key(client)
    assert CHANGING in client.get(f"{VC}{key}/omboka/").text
    submit(client, f"{VC}{key}/omboka/", {"approve": "yes"})
    day = client.get(f"{VC}{key}/omboka/tid/?dag=2026-12-04")
    assert CHANGING in day.text
    client.post(f"{VC}{key}/omboka/tid/", data={"csrf_token": token(day.text), "tid": "2026-12-04T09:00:00+01:00"})
    assert CHANGING in client.get(f"{VC}{key}/omboka/kommentar/").text
    submit(client, f"{VC}{key}/omboka/kommentar/", {"kommentar": ""})
    assert CHANGING in client.get(f"{VC}{key}/omboka/kontrollera/").text
    assert CHANGING in client.get(f"{VC}{key}/avboka/").text
    submit(client, f"{VC}{key}/avboka/", {"approve": "yes"})
    assert CHANGING in client.get(f"{VC}{key}/avboka/kommentar/").text


def summary_for(client: FlaskClient, key: str, start: str) -> str:
    submit(client, f"{VC}{key}/omboka/", {"approve": "yes"})
    day = client.get(f"{VC}{key}/omboka/tid/?dag={start[:10]}")
    client.post(f"{VC}{key}/omboka/tid/", data={"csrf_token": token(day.text), "tid": start})
    submit(client, f"{VC}{key}/omboka/kommentar/", {"kommentar": ""})
    return client.get(f"{VC}{key}/omboka/kontrollera/").text


def test_the_omboka_summary_warns_when_the_new_time_is_too_near_to_change_again(client: FlaskClient) -> None:
    login(client, ADULT)
    key = seeded_key(client)  # Läkarbesök: cancel_hours 24; the clock stands at 1 December 08.00
    near = summary_for(client, key, "2026-12-01T10:00:00+01:00")
    assert "Den nya tiden är mindre än 24 timmar bort" in near
    assert "ringa mottagningen på 010-555 10 00" in near
    far_enough = summary_for(client, key, "2026-12-02T08:20:00+01:00")  # 24 h 20 min ahead
    assert "fredag" not in far_enough and "onsdag 2 december 2026 kl. 08.20" in far_enough
    assert "mindre än 24 timmar" not in far_enough


def save_reminder(client: FlaskClient, receipt_html: str) -> None:
    url = re.search(r'<form method="post" action="([^"]+/paminnelse/)"', receipt_html).group(1)
    saved = client.post(url, data={"csrf_token": token(receipt_html), "epost": "vera@example.se", "mobil": ""})
    assert saved.status_code == 303


def test_a_saved_reminder_that_a_rebooking_to_today_cannot_send_is_said_so_not_dropped_in_silence(
    client: FlaskClient,
) -> None:
    login(client, ADULT)
    receipt = confirm(client, book_to_check(client, start="2026-12-10T09:40:00+01:00")).headers["Location"]
    save_reminder(client, client.get(receipt).text)
    key = re.search(r"/tidbok/([^/]+)/kalender\.ics", client.get(receipt).text).group(1)
    moved = rebook(client, key, "2026-12-01T10:00:00+01:00")
    dropped = "Påminnelsen dagen före som du hade valt skickas inte, eftersom den nya tiden är i dag."
    assert dropped in moved and "Tiden är för nära för en påminnelse" not in moved
    inbox = client.get(INBOX).text
    assert dropped in client.get(entry_url(inbox, "Omboka tid")[0]).text


def test_without_a_saved_reminder_a_rebooking_to_today_says_only_that_it_is_too_near(client: FlaskClient) -> None:
    login(client, ADULT)
    moved = rebook(client, seeded_key(client), "2026-12-01T10:00:00+01:00")
    assert "Tiden är för nära för en påminnelse dagen före." in moved and "som du hade valt" not in moved
