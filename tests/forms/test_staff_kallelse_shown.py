"""The staff case page of a message with a kallelse says whether the citizen has booked, and when:
what an ärendehanterare is asked when the patient calls ("Har hon bokat?"). The read is the page's
own, logged in its one access-log row; the staff statuses stay the contract's."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from forms.booking.interface import STOCKHOLM
from forms.platform.rendering import local_time
from forms.store.db import Kallelse
from forms.store.tidbok import BookingRow
from tests.forms.booking_support import NOW, login
from tests.forms.gunicorn_run import hidden_fields
from tests.forms.omvant_support import (
    ADULT,
    BOKA,
    SENDER,
    P,
    book_through,
    engine_of,
    kallelse_link_in,
    log_rows,
    make_omvant_app,
    reference_from,
    send_message,
    staff_client,
)


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Flask:
    """On SQLite and PostgreSQL (tests.forms.storage)."""
    return make_omvant_app(tmp_path, database_url)


def _kallelse_line(staff: FlaskClient, reference: str) -> str | None:
    """The case page's "Kallelse" line, as text; None when the page has none."""
    page = staff.get(f"{P}/arenden/{reference}/")
    assert page.status_code == 200
    found = re.search(r"<dt>Kallelse</dt><dd>([^<]*)</dd>", page.text)
    return found.group(1) if found else None


def _status(staff: FlaskClient, reference: str) -> str:
    found = re.search(r"<dt>Status</dt><dd>([^<]*)", staff.get(f"{P}/arenden/{reference}/").text)
    assert found
    return found.group(1).strip()


def _booking(app: Flask) -> BookingRow:
    """The time booked with the (one) kallelse."""
    with engine_of(app).connect() as connection:
        return connection.execute(select(BookingRow).join(Kallelse, Kallelse.booking_id == BookingRow.id)).one()


def _book(app: Flask, reference: str) -> FlaskClient:
    """The invited citizen books through the kallelse; their client."""
    citizen = app.test_client()
    login(citizen, ADULT)
    check = book_through(citizen, kallelse_link_in(citizen, reference))
    assert citizen.post(f"{BOKA}kontrollera/", data=hidden_fields(check)).status_code == 303
    return citizen


def test_staff_see_an_open_kallelse_and_then_the_time_booked_with_it(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    reference = reference_from(send_message(staff, kallelse="vaccination", amne="Kallelse"))
    assert _kallelse_line(staff, reference) == "Vaccination. Invånaren har inte bokat någon tid ännu."
    _book(app, reference)
    start = _booking(app).start
    assert (start.hour, start.minute) == (13, 0)  # stored in UTC: 14.00 in Stockholm in December
    # Swedish words in Stockholm time, as elsewhere on staff pages.
    assert _kallelse_line(staff, reference) == "Vaccination. Tid bokad: 3 december 2026 kl. 14.00."
    assert _status(staff, reference) == "Besvarad"  # the contract's staff status, not the citizen's words


def test_a_kallelse_whose_booked_time_was_cancelled_says_so_and_that_it_is_spent(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    reference = reference_from(send_message(staff, kallelse="vaccination", amne="Kallelse"))
    _book(app, reference)
    booked = _booking(app)
    tidbok = app.extensions["hittavard_tidbok"]
    assert tidbok.cancel_booking(booked.key, ADULT, None, NOW).ok
    assert _kallelse_line(staff, reference) == (
        f"Vaccination. Invånaren bokade {local_time(booked.start)}, men tiden är avbokad. "
        "Kallelsen kan inte användas igen."
    )


def test_a_time_booked_with_the_kallelse_and_then_moved_shows_the_new_time(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    reference = reference_from(send_message(staff, kallelse="vaccination", amne="Kallelse"))
    _book(app, reference)
    tidbok = app.extensions["hittavard_tidbok"]
    later = datetime.datetime(2026, 12, 10, 14, 30, tzinfo=STOCKHOLM)  # a Thursday of the type's schedule
    assert tidbok.update_booking(_booking(app).key, ADULT, later, None, NOW).ok
    assert _kallelse_line(staff, reference) == "Vaccination. Tid bokad: 10 december 2026 kl. 14.30."


def test_a_message_without_a_kallelse_shows_none(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    reference = reference_from(send_message(staff, svar="1"))
    assert _kallelse_line(staff, reference) is None


def test_each_case_page_with_its_kallelse_is_one_logged_read(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    reference = reference_from(send_message(staff, kallelse="vaccination", amne="Kallelse"))
    _book(app, reference)
    before = len(log_rows(app, "read"))
    assert _kallelse_line(staff, reference) is not None
    reads = log_rows(app, "read")[before:]
    assert [(r.case_reference, r.personnummer, r.hsa_id) for r in reads] == [(reference, ADULT, SENDER)]


def test_the_kallelse_is_read_in_the_pages_one_transaction_with_its_log_row(app: Flask) -> None:
    """The page's session, case, kallelse, booked time and access-log row share one connection (one
    pool checkout): the kallelse is never read outside the transaction that logs the read."""
    staff = staff_client(app, SENDER)
    reference = reference_from(send_message(staff, kallelse="vaccination", amne="Kallelse"))
    _book(app, reference)
    checkouts: list[object] = []
    event.listen(engine_of(app), "checkout", lambda *_: checkouts.append(1))
    assert _kallelse_line(staff, reference) == "Vaccination. Tid bokad: 3 december 2026 kl. 14.00."
    assert len(checkouts) == 1


def _list_kallelse(staff: FlaskClient, reference: str) -> str | None:
    """The case list row's kallelse words for this case; None when its row has none."""
    page = staff.get(f"{P}/arenden/?status=Alla")
    assert page.status_code == 200
    row = next(r for r in re.findall(r"<tr.*?</tr>", page.text, re.S) if f"ärende {reference}<" in r)
    found = re.search(r'<span class="muted kallelse">([^<]*)</span>', row)
    return found.group(1) if found else None


def test_the_case_list_says_on_a_messages_row_whether_its_kallelse_was_booked(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    reference = reference_from(send_message(staff, kallelse="vaccination", amne="Kallelse"))
    plain = reference_from(send_message(staff, svar="1"))
    assert _list_kallelse(staff, reference) == "Kallelse: inte bokad ännu"
    assert _list_kallelse(staff, plain) is None
    _book(app, reference)
    assert _list_kallelse(staff, reference) == "Kallelse: tid bokad"
    tidbok = app.extensions["hittavard_tidbok"]
    assert tidbok.cancel_booking(_booking(app).key, ADULT, None, NOW).ok
    assert _list_kallelse(staff, reference) == "Kallelse: tiden avbokad"


def test_the_lists_kallelser_are_one_query_in_the_transaction_that_logs_the_list(app: Flask) -> None:
    """However many rows have a kallelse, the page reads them in one statement, on the one
    connection (pool checkout) that also reads the session, the cases and writes the `list` row."""
    staff = staff_client(app, SENDER)
    references = [
        reference_from(send_message(staff, kallelse="vaccination", amne=f"Kallelse {n}")) for n in range(3)
    ]
    _book(app, references[0])
    before = len(log_rows(app, "list"))
    engine = engine_of(app)
    checkouts: list[object] = []
    kallelse_reads: list[str] = []
    event.listen(engine, "checkout", lambda *_: checkouts.append(1))
    event.listen(
        engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: kallelse_reads.append(statement) if "kallelser" in statement else None,
    )
    page = staff.get(f"{P}/arenden/")
    assert page.status_code == 200
    assert page.text.count("Kallelse: inte bokad ännu") == 2 and page.text.count("Kallelse: tid bokad") == 1
    assert len(kallelse_reads) == 1
    assert len(checkouts) == 1
    listed = log_rows(app, "list")[before:]
    assert len(listed) == 1 and all(r in listed[0].detail for r in references)
