"""A second window changing a booking journey while the first shows its confirmation page.

The draft is one per citizen and journey, so another tab (or device) that chooses another time
changes what the first tab's button would send. The confirming POST carries what its page showed,
and is refused with the page as it is now and a clear message when that has moved: "Boka tiden"
and "Omboka tiden" never act on a time the citizen did not see. The same for the booking itself:
an Avboka or Omboka page left open while another window rebooked the time gets "Bokningen har
ändrats", and nothing is changed.
"""

from __future__ import annotations

import datetime
import html
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import create_app
from forms.booking.common import EXTENSION
from forms.store.db import Case
from forms.store.tidbok import BookingRow
from tests.forms.booking_support import (
    ADULT,
    NOW,
    VC,
    book_to_check,
    config,
    login,
    submit,
    write_booking_content,
    write_demo,
)
from tests.forms.gunicorn_run import hidden_fields

MOVED_BOKA = "Du har ändrat bokningen i ett annat fönster. Kontrollera uppgifterna och boka igen."
MOVED_OMBOKA = "Du har ändrat ombokningen i ett annat fönster. Kontrollera uppgifterna och omboka igen."
CHANGED = "Bokningen har ändrats sedan du öppnade sidan. Din ändring är inte gjord."
NINE, TEN = "2026-12-04T09:00:00+01:00", "2026-12-04T10:00:00+01:00"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    root = write_booking_content(tmp_path / "content")
    return create_app(config(root, write_demo(tmp_path / "demo.yaml"), f"sqlite:///{tmp_path / 'store.sqlite3'}"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    login(client := app.test_client(), ADULT)
    return client


def bookings(app: Flask) -> list[tuple[str, str, str]]:
    """Every booking row (key, UTC start, status), in order: what the tests compare before and after."""
    with Session(app.extensions["hittavard_forms"].store.engine) as db:
        rows = db.scalars(select(BookingRow).order_by(BookingRow.id))
        return [(row.key, row.start.isoformat(), row.status) for row in rows]


def cases(app: Flask) -> list[str]:
    with Session(app.extensions["hittavard_forms"].store.engine) as db:
        return list(db.scalars(select(Case.eservice).order_by(Case.id)))


def shown(page: str) -> str:
    return html.unescape(page)


def rebook_key(client: FlaskClient) -> str:
    """The key of Vera's Läkarbesök on torsdag 3 december 08.00 (the second line of Mina bokade tider)."""
    return re.findall(r"/tidbok/([^/]+)/omboka/", client.get(VC).text)[1]


def rebook_to_check(client: FlaskClient, key: str, start: str) -> str:
    submit(client, f"{VC}{key}/omboka/", {"approve": "yes"})
    assert submit(client, f"{VC}{key}/omboka/tid/?dag={start[:10]}", {"tid": start}).status_code == 303
    assert submit(client, f"{VC}{key}/omboka/kommentar/", {"kommentar": "Passar bättre"}).status_code == 303
    return client.get(f"{VC}{key}/omboka/kontrollera/").text


def test_boka_tiden_from_a_page_whose_time_another_window_changed_books_nothing_and_shows_the_new_time(
    app: Flask, client: FlaskClient
) -> None:
    first = book_to_check(client, start=NINE)
    second = book_to_check(client, start=TEN)  # the other window: same draft, another time
    before = bookings(app)

    refused = client.post(f"{VC}boka/kontrollera/", data=hidden_fields(first))
    assert refused.status_code == 200
    page = shown(refused.text)
    assert MOVED_BOKA in page and "Kontrollera din bokning" in page
    assert "fredag 4 december 2026 kl. 10.00" in page and "kl. 09.00" not in page
    assert bookings(app) == before and cases(app) == []

    done = client.post(f"{VC}boka/kontrollera/", data=hidden_fields(refused.text))  # what it shows now
    assert done.status_code == 303 and "/tidbok/kvitto/" in done.headers["Location"]
    assert bookings(app)[-1][1:] == ("2026-12-04T09:00:00", "active")  # 10.00 local
    assert client.post(f"{VC}boka/kontrollera/", data=hidden_fields(second)).headers["Location"] == \
        done.headers["Location"]  # the other window's button afterwards: the same receipt, booked once


def test_boka_tiden_after_another_window_changed_the_reason_books_nothing(app: Flask, client: FlaskClient) -> None:
    first = book_to_check(client, start=NINE, reason="Ont i halsen")
    book_to_check(client, start=NINE, reason="Något helt annat")
    before = bookings(app)
    refused = client.post(f"{VC}boka/kontrollera/", data=hidden_fields(first))
    assert MOVED_BOKA in shown(refused.text) and "Något helt annat" in shown(refused.text)
    assert bookings(app) == before


def test_omboka_tiden_from_a_page_whose_new_time_another_window_changed_moves_nothing(
    app: Flask, client: FlaskClient
) -> None:
    key = rebook_key(client)
    first = rebook_to_check(client, key, NINE)
    rebook_to_check(client, key, TEN)
    before = bookings(app)

    refused = client.post(f"{VC}{key}/omboka/kontrollera/", data=hidden_fields(first))
    assert refused.status_code == 200
    page = shown(refused.text)
    assert MOVED_OMBOKA in page and "Ny tid" in page and "fredag 4 december 2026 kl. 10.00" in page
    assert bookings(app) == before and cases(app) == []

    done = client.post(f"{VC}{key}/omboka/kontrollera/", data=hidden_fields(refused.text))
    assert done.status_code == 303
    assert (key, "2026-12-04T09:00:00", "active") in bookings(app)


def test_avboka_from_a_page_left_open_while_another_window_rebooked_cancels_nothing(
    app: Flask, client: FlaskClient
) -> None:
    key = rebook_key(client)
    submit(client, f"{VC}{key}/avboka/", {"approve": "yes"})
    cancel_page = client.get(f"{VC}{key}/avboka/kommentar/").text  # shows torsdag 3 december 08.00
    check = rebook_to_check(client, key, NINE)
    assert client.post(f"{VC}{key}/omboka/kontrollera/", data=hidden_fields(check)).status_code == 303
    before = bookings(app)

    refused = client.post(f"{VC}{key}/avboka/kommentar/", data={**hidden_fields(cancel_page), "kommentar": "Frisk"})
    assert refused.status_code == 409
    page = shown(refused.text)
    assert "<h1>Bokningen har ändrats</h1>" in page and CHANGED in page
    assert "fredag 4 december 2026 kl. 09.00" in page  # the booking as it is now
    assert bookings(app) == before
    assert cases(app) == [f"tidbok-omboka-{key}"]  # no inbox copy of a cancellation that was not made


def test_omboka_from_a_page_left_open_while_someone_else_moved_the_booking_moves_nothing(
    app: Flask, client: FlaskClient
) -> None:
    key = rebook_key(client)
    page = rebook_to_check(client, key, NINE)  # Nuvarande tid torsdag 3 december 08.00, Ny tid 09.00
    tidbok = app.extensions[EXTENSION]
    assert tidbok.update_booking(key, ADULT, datetime.datetime.fromisoformat(TEN), None, NOW).ok  # e.g. a guardian
    before = bookings(app)

    refused = client.post(f"{VC}{key}/omboka/kontrollera/", data=hidden_fields(page))
    assert refused.status_code == 409
    assert CHANGED in shown(refused.text) and "fredag 4 december 2026 kl. 10.00" in shown(refused.text)
    assert bookings(app) == before and cases(app) == []
