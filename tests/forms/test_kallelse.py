"""The kallelse: a one-use link that opens Boka tid at one time type for the invited citizen only."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forms.app import create_app
from forms.booking import kallelse
from forms.booking.interface import STOCKHOLM, Request
from forms.store.db import Kallelse
from forms.store.tidbok import BookingRow
from tests.forms.booking_support import (
    BASE,
    CHILD,
    NOW,
    OTHER,
    config,
    login,
    submit,
    token,
    write_booking_content,
)
from tests.forms.conftest import act_for
from tests.forms.gunicorn_run import hidden_fields, made_up_people
from tests.forms.omvant_support import (
    ADULT,
    BOKA,
    SENDER,
    VC,
    book_through,
    engine_of,
    kallelse_link_in,
    log_rows,
    make_omvant_app,
    reference_from,
    send_message,
    staff_client,
)
from tests.forms.test_kallelse_races import STARTS, write_family


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_omvant_app(tmp_path)


def _invite(app: Flask, time_type: str = "vaccination") -> str:
    """Staff send ADULT a kallelse; the case's reference."""
    return reference_from(send_message(staff_client(app, SENDER), kallelse=time_type, amne="Kallelse"))


def _kallelse(app: Flask) -> Kallelse:
    with engine_of(app).connect() as connection:
        return connection.execute(select(Kallelse)).one()


def _bookings(app: Flask) -> list[BookingRow]:
    with engine_of(app).connect() as connection:
        return list(connection.execute(
            select(BookingRow).where(BookingRow.type_id == "vaccination", BookingRow.status == "active")
        ))


def test_the_citizen_books_through_the_kallelse_and_the_link_is_spent(app: Flask) -> None:
    reference = _invite(app)
    stored = _kallelse(app)
    citizen = app.test_client()
    login(citizen, ADULT)
    link = kallelse_link_in(citizen, reference)
    assert "Mottagningen vill att du bokar en tid: Vaccination." in citizen.get(f"{BASE}/inkorg/{reference}/").text
    # Only the token's hash is stored, not the token.
    value = link.rstrip("/").rsplit("/", 1)[1]
    assert stored.token_hash == kallelse.token_hash(value) and value not in (stored.nonce, stored.token_hash)
    check = book_through(citizen, link)
    booked = citizen.post(f"{BOKA}kontrollera/", data=hidden_fields(check))
    assert booked.status_code == 303
    [booking] = _bookings(app)
    assert (booking.subject, booking.booked_by) == (ADULT, ADULT)  # the citizen's own, made on the web
    spent = _kallelse(app)
    assert spent.booking_id == booking.id and spent.spent_at is not None
    again = citizen.get(link)
    assert again.status_code == 410 and "Kallelsen är redan använd" in again.text
    assert "Du har bokat en tid med kallelsen." in citizen.get(f"{BASE}/inkorg/{reference}/").text
    # After the kallelse, Boka tid is the ordinary one again: the choice of types is back.
    assert submit(citizen, BOKA, {"approve": "yes"}).headers["Location"].endswith("/boka/typ/")


def test_the_link_is_404_for_another_citizen_and_asks_the_anonymous_to_log_in(app: Flask) -> None:
    reference = _invite(app)
    invited = app.test_client()
    login(invited, ADULT)
    link = kallelse_link_in(invited, reference)
    other = app.test_client()
    login(other, OTHER)
    assert other.get(link).status_code == 404
    assert other.get(f"{BASE}/inkorg/{reference}/").status_code == 404
    anonymous = app.test_client().get(link)
    assert anonymous.status_code == 303 and "/logga-in/" in anonymous.headers["Location"]
    assert _kallelse(app).spent_at is None and _bookings(app) == []


def test_a_made_up_or_altered_token_and_another_mottagning_are_404(app: Flask) -> None:
    reference = _invite(app)
    citizen = app.test_client()
    login(citizen, ADULT)
    link = kallelse_link_in(citizen, reference)
    assert citizen.get(link[:-3] + "xx/").status_code == 404
    assert citizen.get(f"{BASE}/{VC}/tidbok/kallelse/{'A' * 43}/").status_code == 404
    assert citizen.get(link.replace(VC, "specialisten")).status_code == 404


def test_a_kallelse_books_only_its_own_type(app: Flask) -> None:
    """The booking path is given the invited type explicitly: no choice of type, and another type
    posted to the type step changes nothing."""
    reference = _invite(app, "provtagning")
    citizen = app.test_client()
    login(citizen, ADULT)
    citizen.get(kallelse_link_in(citizen, reference))
    submit(citizen, BOKA, {"approve": "yes"})
    assert citizen.get(f"{BOKA}typ/").headers["Location"].endswith("/boka/tid/")
    day = citizen.get(f"{BOKA}tid/")
    citizen.post(f"{BOKA}typ/", data={"csrf_token": token(day.text), "typ": "lakarbesok"})
    assert "Provtagning" in citizen.get(f"{BOKA}tid/").text


def test_a_kallelse_is_spent_once_even_for_two_different_times(app: Flask) -> None:
    """Unit, on the tidbok: the second booking through a spent kallelse books nothing."""
    _invite(app)
    invitation = _kallelse(app)
    tidbok = app.extensions["hittavard_tidbok"]
    starts = [datetime.datetime(2026, 12, 3, 14, 15 * i, tzinfo=STOCKHOLM) for i in range(2)]  # a Thursday
    results = [
        tidbok.make_booking(Request(VC, "vaccination", start, ADULT, ADULT, None, f"key-{i}", kallelse=invitation.id), NOW)
        for i, start in enumerate(starts)
    ]
    assert [r.ok for r in results] == [True, False] and results[1].text == kallelse.SPENT
    assert len(_bookings(app)) == 1
    assert kallelse.unspent(engine_of(app), invitation.id, VC, ADULT) is None


def test_the_kallelse_is_logged_with_the_message(app: Flask) -> None:
    reference = _invite(app)
    [row] = log_rows(app, "meddelande")
    assert (row.case_reference, row.personnummer, row.detail) == (reference, ADULT, "ber om: kallelse")


def _two_guardians_at_the_check(tmp_path: Path) -> tuple[Flask, FlaskClient, FlaskClient, str, str]:
    """Both guardians open the child's kallelse (Hälsosamtal, not on the web) and reach "Kontrollera
    din bokning" with a time each: the app, the two clients and their check pages."""
    first_guardian, second_guardian = made_up_people(2)
    content = write_booking_content(tmp_path / "content")
    demo = write_family(tmp_path / "demo.yaml", [first_guardian, second_guardian])
    family = create_app(config(content, demo, f"sqlite:///{tmp_path / 'family.sqlite3'}"))
    reference = reference_from(
        send_message(staff_client(family, SENDER), personnummer=CHILD, kallelse="halsosamtal", amne="Kallelse")
    )
    clients, checks = [], []
    for guardian, start in ((first_guardian, STARTS[0]), (second_guardian, STARTS[1])):
        client = family.test_client()
        login(client, guardian)
        act_for(client, CHILD)
        link = kallelse_link_in(client, reference)
        assert client.get(link).status_code == 303
        submit(client, BOKA, {"approve": "yes"})
        day = client.get(f"{BOKA}tid/?dag={start[:10]}")
        assert client.post(f"{BOKA}tid/", data={"csrf_token": token(day.text), "tid": start}).status_code == 303
        checks.append(client.get(f"{BOKA}kontrollera/").text)
        clients.append(client)
    return family, clients[0], clients[1], checks[0], checks[1]


def test_a_guardian_whose_kallelse_another_guardian_spent_is_told_and_nothing_is_booked(tmp_path: Path) -> None:
    """The second guardian presses "Boka tiden" after the first booked. Before, the journey silently
    lost its (web: false) type and went back to a choice of types; in a race inside the transaction
    it was a 500."""
    family, first, second, first_check, second_check = _two_guardians_at_the_check(tmp_path)
    assert first.post(f"{BOKA}kontrollera/", data=hidden_fields(first_check)).status_code == 303
    late = second.post(f"{BOKA}kontrollera/", data=hidden_fields(second_check))
    assert late.status_code == 410 and kallelse.SPENT in late.text
    with engine_of(family).connect() as connection:
        booked = connection.execute(select(BookingRow.subject).where(BookingRow.type_id == "halsosamtal")).all()
    assert [row.subject for row in booked] == [CHILD]


@pytest.mark.parametrize(
    ("method", "step"),
    [("GET", ""), ("POST", ""), ("GET", "typ/"), ("GET", "tid/"), ("POST", "tid/"), ("GET", "orsak/"),
     ("GET", "var/"), ("GET", "kontrollera/")],
)
def test_every_step_of_a_kallelse_journey_says_the_kallelse_is_spent(tmp_path: Path, method: str, step: str) -> None:
    """Whichever step the second guardian is on (going back to the villkor, another day, another
    time) it says "Kallelsen är redan använd", not a choice of types or the villkor with no word why;
    the next visit is the ordinary Boka tid, and nothing was booked for them."""
    family, first, second, first_check, second_check = _two_guardians_at_the_check(tmp_path)
    assert first.post(f"{BOKA}kontrollera/", data=hidden_fields(first_check)).status_code == 303
    if method == "GET":
        told = second.get(f"{BOKA}{step}?dag={STARTS[1][:10]}")
    else:
        fields = {"csrf_token": token(second_check), "approve": "yes", "tid": STARTS[1]}
        told = second.post(f"{BOKA}{step}", data=fields)
    assert told.status_code == 410 and kallelse.SPENT in told.text
    assert "<title>Kallelsen är redan använd" in told.text
    assert second.get(f"{BOKA}tid/").headers["Location"].endswith("/boka/typ/")  # told once, then ordinary Boka tid
    with engine_of(family).connect() as connection:
        booked = connection.execute(select(BookingRow.subject).where(BookingRow.type_id == "halsosamtal")).all()
    assert [row.subject for row in booked] == [CHILD]
