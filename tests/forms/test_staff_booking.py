"""The tidsbokare books, rebooks and cancels for a caller (CONTRACT section 9), and the citizen sees it.

Vårdcentralen Test's Thursday 3 December 2026: Läkarbesök every 20 minutes from 08.00 (ADULT has
08.00, booked by the mottagning in the demo file), the clock at Tuesday 1 December 08.00.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from forms.booking.common import EXTENSION
from forms.booking.interface import CHANGED, TAKEN, Request
from forms.store.db import AccessLogEntry
from forms.store.engine import writing
from forms.store.tidbok import BookingCommentRow, BookingRow, TimeTypeRow
from tests.forms import booking_support
from tests.forms.booking_support import ADULT, CHILD, NOW, OTHER, fieldless_get_forms, token
from tests.forms.test_staff_urls import crawl
from tests.forms.tidbok_staff_support import (
    ADMIN,
    AUDITOR,
    BOOKER,
    RECEIVER,
    SPEC,
    SPEC_ADMIN,
    SPEC_BOOKER,
    VC,
    P,
    make_tidbok_staff_app,
    staff_client,
)

CET = datetime.timezone(datetime.timedelta(hours=1))
BASE = booking_support.BASE
DAY = f"{P}/tidbok/?dag=2026-12-03"
T0840 = datetime.datetime(2026, 12, 3, 8, 40, tzinfo=CET)
BOOK = f"{P}/tidbok/boka/"
CONFIRM = f"{P}/tidbok/boka/bekrafta/"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_tidbok_staff_app(tmp_path)


def engine(app: Flask) -> Any:
    return app.extensions["hittavard_forms"].store.engine


def log_rows(app: Flask, action: str) -> list[AccessLogEntry]:
    with Session(engine(app)) as db:
        return list(db.scalars(select(AccessLogEntry).where(AccessLogEntry.action == action)
                               .order_by(AccessLogEntry.id)))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def form_page(client: FlaskClient, start: datetime.datetime = T0840, type_id: str = "lakarbesok") -> Any:
    return client.get(BOOK, query_string={"tid": start.isoformat(), "typ": type_id})


def to_check(client: FlaskClient, who: str = CHILD, start: datetime.datetime = T0840, type_id: str = "lakarbesok",
             reason: str = "Ont i örat", comment: str = "Ringde i morse") -> Any:
    page = form_page(client, start, type_id)
    assert page.status_code == 200, page.status_code
    return client.post(BOOK, data={"csrf_token": token(page.text), "tid": start.isoformat(), "typ": type_id,
                                   "personnummer": who, "orsak": reason, "kommentar": comment})


def confirm(client: FlaskClient, check_html: str) -> Any:
    return client.post(CONFIRM, data=hidden(check_html))


def set_type(app: Flask, type_id: str, **values: object) -> None:
    with Session(writing(engine(app))) as db, db.begin():
        db.execute(update(TimeTypeRow).where(TimeTypeRow.clinic == VC, TimeTypeRow.type_id == type_id).values(**values))


def staff_booked(app: Flask, who: str = CHILD, start: datetime.datetime = T0840) -> str:
    result = app.extensions[EXTENSION].book_for_caller(VC, "lakarbesok", start, who, "Hosta", None, BOOKER,
                                                       f"t-{start.isoformat()}", NOW)
    assert result.ok, result
    return result.booking.key  # type: ignore[no-any-return]


def test_the_tidsbokare_books_a_free_time_for_a_caller_and_the_day_shows_it_with_who_booked(app: Flask) -> None:
    client = staff_client(app, BOOKER)
    day = client.get(DAY).text
    assert "Boka tid åt invånare<span class=\"visually-hidden\"> 08.40 Läkarbesök</span>" in day
    assert "08.00 Läkarbesök" in text_of(day) and "> 08.00 Läkarbesök</span>" not in day  # taken: no control
    check = to_check(client)
    assert check.status_code == 200
    page = text_of(check.text)
    assert "Kontrollera bokningen" in page and f"Bo Barn, {CHILD}" in page
    assert "torsdag 3 december 2026 kl. 08.40" in page and "Ringde i morse" in page
    done = confirm(client, check.text)
    assert done.status_code == 303 and done.headers["Location"].endswith("/tidbok/?dag=2026-12-03&klart=bokad")
    assert CHILD not in done.headers["Location"]
    with Session(engine(app)) as db:
        row = db.scalars(select(BookingRow).where(BookingRow.subject == CHILD)).one()
        history = db.scalars(select(BookingCommentRow).where(BookingCommentRow.booking_id == row.id)).one()
    assert (row.booked_by, row.reason, row.comment) == ("mottagningen", "Ont i örat", "Ringde i morse")
    assert (history.action, history.hsa_id, history.comment) == ("boka", BOOKER, "Ringde i morse")
    shown = text_of(client.get(done.headers["Location"]).text)
    assert "Tiden är bokad." in shown
    assert f"Bo Barn, {CHILD} , Läkarbesök Anledning: Ont i örat Bokad av mottagningen" in shown
    assert f"Bokad av personal ({BOOKER}): Ringde i morse" in shown
    looked_up, booked = log_rows(app, "tidbok_person"), log_rows(app, "tidbok_boka")
    assert [(r.hsa_id, r.clinic, r.personnummer, r.role) for r in looked_up] == [(BOOKER, VC, CHILD, "tidsbokare")]
    assert [(r.hsa_id, r.personnummer) for r in booked] == [(BOOKER, CHILD)] and "08:40" in booked[0].detail


def test_pressing_boka_tiden_twice_books_once(app: Flask) -> None:
    client = staff_client(app, BOOKER)
    check = to_check(client)
    assert confirm(client, check.text).status_code == 303
    assert confirm(client, check.text).status_code == 303
    with Session(engine(app)) as db:
        assert len(db.scalars(select(BookingRow).where(BookingRow.subject == CHILD)).all()) == 1


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Skriv invånarens personnummer, till exempel 19121212-1212."),
    ("1212", "Skriv personnumret med 12 siffror, till exempel 19121212-1212."),
    ("19121212-1213", "Personnumret stämmer inte. Kontrollera att alla siffror är rätt."),
    ("19121212-1212", "Det finns ingen person med personnumret 19121212-1212. Kontrollera numret med den som ringer."),
])
def test_a_bad_or_unknown_personnummer_gets_a_swedish_message_and_keeps_what_was_typed(
        app: Flask, typed: str, message: str) -> None:
    client = staff_client(app, BOOKER)
    response = to_check(client, who=typed, comment="Ring tillbaka efter lunch")
    assert response.status_code == 422
    assert message in response.text and 'href="#personnummer"' in response.text
    assert f'name="personnummer" value="{typed}"' in response.text
    assert ">Ring tillbaka efter lunch</textarea>" in response.text and ">Ont i örat</textarea>" in response.text
    assert log_rows(app, "tidbok_boka") == []


def test_a_required_reason_and_a_too_long_comment_are_said_with_the_rest_kept(app: Flask) -> None:
    client = staff_client(app, BOOKER)
    response = to_check(client, reason="", comment="x" * 501)
    assert response.status_code == 422
    assert "Skriv anledningen till besöket." in response.text and "högst 500 tecken" in response.text
    assert f'value="{CHILD}"' in response.text


def test_a_time_taken_between_the_check_and_boka_tiden_shows_the_page_again_with_what_was_typed(app: Flask) -> None:
    client = staff_client(app, BOOKER)
    check = to_check(client)
    taken = app.extensions[EXTENSION].make_booking(
        Request(clinic=VC, time_type="lakarbesok", start=T0840, subject=OTHER, booked_by=OTHER, reason="Feber",
                request_key="web"), NOW)
    assert taken.ok
    response = confirm(client, check.text)
    assert response.status_code == 409 and TAKEN in response.text
    assert f'value="{CHILD}"' in response.text and ">Ringde i morse</textarea>" in response.text
    with Session(engine(app)) as db:
        assert db.scalars(select(BookingRow).where(BookingRow.subject == CHILD)).all() == []
    assert log_rows(app, "tidbok_boka") == []  # the row is written with the booking, or not at all


def test_a_time_overlapping_another_booking_is_refused_by_the_database(app: Flask) -> None:
    client = staff_client(app, BOOKER)
    check = to_check(client)
    with Session(writing(engine(app))) as db, db.begin():  # a booking outside the schedule, 08.30–08.50
        db.add(BookingRow(key="overlap", clinic=VC, type_id="lakarbesok", subject=OTHER, booked_by=OTHER,
                          start=datetime.datetime(2026, 12, 3, 7, 30), end=datetime.datetime(2026, 12, 3, 7, 50),
                          status="active", created_at=NOW.replace(tzinfo=None), updated_at=NOW.replace(tzinfo=None)))
    response = confirm(client, check.text)
    assert response.status_code == 409 and TAKEN in response.text
    assert to_check(client).status_code == 422  # and the form no longer offers it


def test_a_type_only_staff_book_is_not_on_the_web_but_the_tidsbokare_books_it(app: Flask) -> None:
    set_type(app, "lakarbesok", web=False)
    citizen = app.test_client()
    booking_support.login(citizen, CHILD)
    booking_support.submit(citizen, f"{booking_support.VC}boka/", {"approve": "yes"})
    types = citizen.get(f"{booking_support.VC}boka/typ/").text
    assert "Provtagning" in types and "Läkarbesök" not in types
    chosen = booking_support.submit(citizen, f"{booking_support.VC}boka/typ/", {"typ": "lakarbesok"})
    assert chosen.status_code == 200 and "Välj vilken typ av tid du vill boka" in chosen.text
    client = staff_client(app, BOOKER)
    assert confirm(client, to_check(client).text).status_code == 303


def test_max_per_person_is_said_on_the_web_at_the_type_and_to_the_tidsbokare(app: Flask) -> None:
    set_type(app, "lakarbesok", max_per_person=1)
    staff_booked(app, CHILD)
    citizen = app.test_client()
    booking_support.login(citizen, CHILD)
    booking_support.submit(citizen, f"{booking_support.VC}boka/", {"approve": "yes"})
    refused = booking_support.submit(citizen, f"{booking_support.VC}boka/typ/", {"typ": "lakarbesok"})
    assert refused.status_code == 200
    assert "Du har redan en kommande tid av typen Läkarbesök här" in refused.text and "Avboka" in refused.text
    client = staff_client(app, BOOKER)
    again = to_check(client, start=datetime.datetime(2026, 12, 3, 9, 0, tzinfo=CET))
    assert again.status_code == 422 and "Invånaren har redan en kommande tid av typen Läkarbesök" in again.text


@pytest.mark.parametrize("staff_bookings", ["cancel", "see", "hidden"])
def test_the_citizen_sees_a_staff_booked_time_marked_and_may_change_it_as_the_type_says(
        app: Flask, staff_bookings: str) -> None:
    set_type(app, "lakarbesok", staff_bookings=staff_bookings)
    key = staff_booked(app, CHILD)
    citizen = app.test_client()
    booking_support.login(citizen, CHILD)
    mine = citizen.get(booking_support.VC).text
    overview = citizen.get(f"{BASE}/bokade-tider/").text
    cancel_url = f"{booking_support.VC}{key}/avboka/"
    for page in (mine, overview):
        assert ("torsdag 3 december 2026 kl. 08.40" in page) is (staff_bookings != "hidden")
        assert ("Bokad av mottagningen" in page) is (staff_bookings != "hidden")
        assert (cancel_url in page) is (staff_bookings == "cancel")
    if staff_bookings == "see":
        assert "Tiden är bokad av mottagningen och kan bara ändras av mottagningen." in mine


def test_the_tidsbokare_rebooks_with_the_start_the_page_showed_and_a_change_meanwhile_is_refused(app: Flask) -> None:
    key = staff_booked(app, CHILD)
    client = staff_client(app, BOOKER)
    url = f"{P}/tidbok/bokning/{key}/omboka/"
    page = client.get(url)
    assert page.status_code == 200 and f"Bo Barn, {CHILD}" in text_of(page.text)
    assert 'value="2026-12-03T09:00:00+01:00"' in page.text and hidden(page.text)["was"] == T0840.isoformat()
    assert [r.personnummer for r in log_rows(app, "tidbok_bokning")] == [CHILD]
    form = {"csrf_token": token(page.text), "was": T0840.isoformat(), "dag": "2026-12-03",
            "kommentar": "Vill komma senare"}
    missing = client.post(url, data=form)
    assert missing.status_code == 422 and "Välj en ny tid." in missing.text and "Vill komma senare</textarea>" in missing.text
    moved = client.post(url, data={**form, "tid": "2026-12-03T09:00:00+01:00"})
    assert moved.status_code == 303 and moved.headers["Location"].endswith("klart=ombokad")
    again = client.post(url, data={**form, "tid": "2026-12-03T09:20:00+01:00"})  # the page's `was` is old now
    assert again.status_code == 409 and CHANGED in again.text and "Vill komma senare</textarea>" in again.text
    with Session(engine(app)) as db:
        row = db.scalars(select(BookingRow).where(BookingRow.key == key)).one()
    assert row.start == datetime.datetime(2026, 12, 3, 8, 0)  # 09.00 CET
    assert [(r.hsa_id, r.personnummer) for r in log_rows(app, "tidbok_omboka")] == [(BOOKER, CHILD)]
    day = text_of(client.get(DAY).text)
    assert f"Ombokad av personal ({BOOKER}): Vill komma senare" in day


def test_the_tidsbokare_rebooks_onto_a_taken_time_and_is_refused_with_the_comment_kept(app: Flask) -> None:
    key = staff_booked(app, CHILD)
    client = staff_client(app, BOOKER)
    url = f"{P}/tidbok/bokning/{key}/omboka/"
    page = client.get(url)
    staff_booked(app, OTHER, datetime.datetime(2026, 12, 3, 9, 0, tzinfo=CET))
    response = client.post(url, data={"csrf_token": token(page.text), "was": T0840.isoformat(),
                                      "tid": "2026-12-03T09:00:00+01:00", "kommentar": "Senare"})
    assert response.status_code == 409 and TAKEN in response.text and ">Senare</textarea>" in response.text
    assert log_rows(app, "tidbok_omboka") == []


def test_the_tidsbokare_cancels_even_a_web_booking_inside_the_citizens_window(app: Flask) -> None:
    made = app.extensions[EXTENSION].make_booking(
        Request(clinic=VC, time_type="lakarbesok", start=T0840, subject=CHILD, booked_by=ADULT, reason=None,
                request_key="web"), NOW)
    key = made.booking.key
    client = staff_client(app, BOOKER)
    url = f"{P}/tidbok/bokning/{key}/avboka/"
    page = client.get(url)
    assert page.status_code == 200 and "Avboka tiden" in page.text
    stale = client.post(url, data={"csrf_token": token(page.text), "was": "2026-12-03T09:00:00+01:00"})
    assert stale.status_code == 409 and CHANGED in stale.text
    done = client.post(url, data={"csrf_token": token(page.text), "was": T0840.isoformat(), "kommentar": "Sjuk"})
    assert done.status_code == 303 and done.headers["Location"].endswith("klart=avbokad")
    assert [(r.hsa_id, r.personnummer) for r in log_rows(app, "tidbok_avboka")] == [(BOOKER, CHILD)]
    gone = client.get(url)
    assert gone.status_code == 200 and "Bokningen är avbokad" in gone.text and "Avboka tiden" not in gone.text
    assert f"Avbokad av personal ({BOOKER}): Sjuk" in text_of(client.get(DAY).text)


def test_the_week_shows_seven_days_with_controls_and_logs_every_personnummer_shown(app: Flask) -> None:
    client = staff_client(app, BOOKER)
    week = client.get(f"{P}/tidbok/vecka/tider/?vecka=2026-12-03")
    assert week.status_code == 200
    page = text_of(week.text)
    assert "Tidbok vecka 49" in page and "Måndag 30 november 2026" in page and "Söndag 6 december 2026" in page
    assert f"Vera Vuxen, {ADULT}" in page and f"Olle Annan, {OTHER}" in page
    assert ('Boka tid åt invånare<span class="visually-hidden"> torsdag 3 december 2026 08.40 Läkarbesök</span>'
            in week.text)
    # Omboka and Avboka are links to clean addresses: a field-less GET form left "…/omboka/?".
    assert fieldless_get_forms(week.text) == [] and re.search(r'href="[^"?]*/omboka/">Omboka<', week.text)
    logged = log_rows(app, "tidbok_week")
    assert len(logged) == 1 and ADULT in logged[0].detail and OTHER in logged[0].detail
    assert client.get(f"{P}/tidbok/vecka/tider/?vecka=2026-13-01").status_code == 404


def new_pages(app: Flask) -> list[tuple[str, str]]:
    key = staff_booked(app, CHILD)
    start = T0840.isoformat().replace("+", "%2B")
    return [("GET", f"{P}/tidbok/vecka/tider/"), ("GET", f"{BOOK}?tid={start}&typ=lakarbesok"),
            ("POST", BOOK), ("POST", CONFIRM),
            ("GET", f"{P}/tidbok/bokning/{key}/omboka/"), ("POST", f"{P}/tidbok/bokning/{key}/omboka/"),
            ("GET", f"{P}/tidbok/bokning/{key}/avboka/"), ("POST", f"{P}/tidbok/bokning/{key}/avboka/")]


@pytest.mark.parametrize("who", [ADMIN, RECEIVER, AUDITOR, SPEC_ADMIN, SPEC_BOOKER])
def test_every_new_page_and_action_is_404_to_every_other_role_and_mottagning(app: Flask, who: str) -> None:
    client = staff_client(app, who)
    csrf = token(client.get(f"{BASE}/personal/", follow_redirects=True).text)
    for method, url in new_pages(app):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf, "tid": T0840.isoformat(), "typ": "lakarbesok",
                                              "personnummer": CHILD, "was": T0840.isoformat()})
        assert response.status_code == 404, (who, method, url, response.status_code)
    assert log_rows(app, "tidbok_avboka") == [] and log_rows(app, "tidbok_boka") == []


def test_a_booking_of_another_mottagning_is_404_to_the_tidsbokare(app: Flask) -> None:
    spec = app.extensions[EXTENSION].book_for_caller(
        SPEC, "aterbesok", datetime.datetime(2026, 12, 4, 9, 0, tzinfo=CET), CHILD, None, None, SPEC_BOOKER, "x", NOW)
    assert spec.ok
    client = staff_client(app, BOOKER)
    for action in ("omboka", "avboka"):
        assert client.get(f"{P}/tidbok/bokning/{spec.booking.key}/{action}/").status_code == 404
    assert client.get(f"{BOOK}?tid=2026-12-03T08:41:00%2B01:00&typ=finns-inte").status_code == 404


def test_the_tidsbokares_pages_emit_no_personnummer_in_any_url(app: Flask) -> None:
    staff_booked(app, OTHER, datetime.datetime(2026, 12, 3, 9, 0, tzinfo=CET))
    client = staff_client(app, BOOKER)
    seen, problems = crawl(client, [DAY, f"{P}/tidbok/vecka/tider/?vecka=2026-12-03"], limit=40)
    assert any("/omboka/" in url for url in seen) and any("/tidbok/boka/" in url for url in seen)
    check = to_check(client)
    assert check.status_code == 200 and re.search(r'<form method="post"', check.text) and CHILD in check.text
    done = confirm(client, check.text)
    assert done.status_code == 303, text_of(done.text)[-1500:]
    assert problems == [] and CHILD not in done.headers["Location"]


def test_the_lokal_administrator_grants_tidsbokare_and_the_booking_controls_follow(app: Flask) -> None:
    receiver = staff_client(app, RECEIVER)
    assert "Boka tid åt invånare" not in receiver.get(DAY).text
    admin = staff_client(app, ADMIN)
    roles = admin.get(f"{P}/roller/")
    assert "Tidsbokare" in roles.text
    granted = admin.post(f"{P}/roller/", data={"csrf_token": token(roles.text), "hsa_id": RECEIVER,
                                               "role": ["arendemottagare", "tidsbokare"]})
    assert granted.status_code == 303
    assert "Boka tid åt invånare" in staff_client(app, RECEIVER).get(DAY).text
