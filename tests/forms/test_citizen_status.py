"""The status a citizen reads, the same in the inbox list and on the case page: a kallelse not yet
booked waits for them ("Väntar på att du bokar en tid"), never "Besvarad"; once booked, "Tid bokad"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forms.booking.kallelse import BOOKED, CANCELLED_TIME, OPEN
from forms.cases import status
from forms.cases.status import Waiting
from forms.store.db import Case, Kallelse
from forms.store.tidbok import BookingRow
from tests.forms.booking_support import BASE, NOW, login
from tests.forms.gunicorn_run import hidden_fields
from tests.forms.omvant_support import (
    ADULT,
    BOKA,
    SENDER,
    book_through,
    kallelse_link_in,
    make_omvant_app,
    reference_from,
    send_message,
    staff_client,
)


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Flask:
    """On SQLite and PostgreSQL (tests.forms.storage)."""
    return make_omvant_app(tmp_path, database_url)


def _statuses(client: FlaskClient, reference: str) -> tuple[str, str]:
    """(the inbox line's status, the case page's status) of this case."""
    inbox = client.get(f"{BASE}/inkorg/").text
    line = re.search(rf'<li[^>]*>(?:(?!</li>).)*?{reference}(?:(?!</li>).)*?</li>', inbox, re.S)
    assert line, inbox
    listed = re.search(r"Status: ([^·<]+?) ·", line.group(0))
    page = re.search(r"<dt>Status</dt><dd>([^<]*)</dd>", client.get(f"{BASE}/inkorg/{reference}/").text)
    assert listed and page
    return listed.group(1), page.group(1)


def test_a_kallelse_waits_for_the_citizen_to_book_and_then_says_tid_bokad(app: Flask) -> None:
    reference = reference_from(send_message(staff_client(app, SENDER), kallelse="vaccination", amne="Kallelse"))
    citizen = app.test_client()
    login(citizen, ADULT)
    assert _statuses(citizen, reference) == (status.BOOK, status.BOOK)
    check = book_through(citizen, kallelse_link_in(citizen, reference))
    assert citizen.post(f"{BOKA}kontrollera/", data=hidden_fields(check)).status_code == 303
    assert _statuses(citizen, reference) == (status.BOOKED, status.BOOKED)


def test_a_message_asking_for_a_reply_and_a_booking_says_both_until_each_is_done(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    reference = reference_from(send_message(staff, kallelse="vaccination", svar="1"))
    asks = reference_from(send_message(staff, svar="1", key="k" * 24))
    plain = reference_from(send_message(staff, key="p" * 24))
    citizen = app.test_client()
    login(citizen, ADULT)
    assert _statuses(citizen, reference) == (status.BOOK_AND_REPLY, status.BOOK_AND_REPLY)
    assert _statuses(citizen, asks) == (status.REPLY, status.REPLY)
    assert _statuses(citizen, plain) == ("Avslutad", "Avslutad")  # nothing asked: nothing waits


def test_a_time_booked_with_a_kallelse_and_then_cancelled_no_longer_says_tid_bokad(app: Flask) -> None:
    reference = reference_from(send_message(staff_client(app, SENDER), kallelse="vaccination", amne="Kallelse"))
    citizen = app.test_client()
    login(citizen, ADULT)
    check = book_through(citizen, kallelse_link_in(citizen, reference))
    assert citizen.post(f"{BOKA}kontrollera/", data=hidden_fields(check)).status_code == 303
    with app.extensions["hittavard_forms"].store.engine.connect() as connection:
        key = connection.scalar(select(BookingRow.key).join(Kallelse, Kallelse.booking_id == BookingRow.id))
    assert app.extensions["hittavard_tidbok"].cancel_booking(key, ADULT, None, NOW).ok
    assert _statuses(citizen, reference) == (status.CANCELLED, status.CANCELLED)
    page = " ".join(citizen.get(f"{BASE}/inkorg/{reference}/").text.split())
    assert "Du bokade en tid med kallelsen, men tiden är avbokad. Kallelsen kan inte användas igen" in page
    assert "Du har bokat en tid med kallelsen" not in page


@pytest.mark.parametrize(
    ("direction", "case_status", "waiting", "expected"),
    [
        ("out", "Besvarad", Waiting(False, OPEN), status.BOOK),
        ("out", "Besvarad", Waiting(True, OPEN), status.BOOK_AND_REPLY),
        ("out", "Besvarad", Waiting(True, None), status.REPLY),
        ("out", "Besvarad", Waiting(False, BOOKED), status.BOOKED),
        ("out", "Avslutad", Waiting(False, BOOKED), status.BOOKED),
        ("out", "Besvarad", Waiting(False, CANCELLED_TIME), status.CANCELLED),
        ("out", "Fördelad", Waiting(False, BOOKED), "Fördelad"),  # the citizen replied: the mottagning's turn
        ("out", "Besvarad", Waiting(False, None), "Besvarad"),  # the mottagning answered the reply
        ("in", "Besvarad", Waiting(True, None), status.ANSWERED_REPLY),
        ("in", "Besvarad", Waiting(False, None), "Besvarad"),
        ("in", "Ny", Waiting(False, None), "Ny"),
    ],
)
def test_the_words_put_what_waits_for_the_citizen_first(
    direction: str, case_status: str, waiting: Waiting, expected: str
) -> None:
    case = Case(direction=direction, status=case_status)
    assert status.words(case, waiting) == expected
