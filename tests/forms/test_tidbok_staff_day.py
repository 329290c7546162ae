"""The tidbok's day view: the case roles and the lokal administratör read it, nobody else; each reading is logged."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.booking.common import EXTENSION
from forms.booking.interface import Request
from forms.staff import accesslog
from forms.store.db import AccessLogEntry, StaffRole
from forms.store.engine import writing
from forms.store.tidbok import ScheduleRow
from tests.forms.booking_support import ADULT, NOW, OTHER, token
from tests.forms.tidbok_staff_support import (
    ADMIN,
    AUDITOR,
    RECEIVER,
    SPEC_ADMIN,
    VC,
    P,
    make_tidbok_staff_app,
    staff_client,
)

STOCKHOLM = datetime.timezone(datetime.timedelta(hours=1))  # December: CET
DAY = f"{P}/tidbok/?dag=2026-12-03"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_tidbok_staff_app(tmp_path)


def at(hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, 3, hour, minute, tzinfo=STOCKHOLM)


def book(app: Flask, subject: str, start: datetime.datetime, reason: str | None, key: str) -> str:
    result = app.extensions[EXTENSION].make_booking(
        Request(clinic=VC, time_type="lakarbesok", start=start, subject=subject, booked_by=subject, reason=reason,
                request_key=key), NOW)
    assert result.ok, result
    return result.booking.key  # type: ignore[no-any-return]


def log_rows(app: Flask, action: str) -> list[AccessLogEntry]:
    with Session(app.extensions["hittavard_forms"].store.engine) as db:
        return list(db.scalars(select(AccessLogEntry).where(AccessLogEntry.action == action)))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_day_shows_each_time_with_its_booking_who_type_reason_and_by_whom(app: Flask) -> None:
    book(app, OTHER, at(8, 20), "Feber", "k1")
    html = staff_client(app, RECEIVER).get(DAY).text
    assert "torsdag 3 december 2026" in html
    page = text_of(html)
    assert re.search(r"08\.00 Läkarbesök Vera Vuxen, " + ADULT + r" , Läkarbesök Anledning: Ont i ryggen "
                     r"Bokad av mottagningen", page), page
    assert re.search(r"08\.20 Läkarbesök Olle Annan, " + OTHER + r" , Läkarbesök Anledning: Feber Bokad via webben",
                     page)
    assert "08.40 Läkarbesök Ledig" in page and "14.45 Vaccination Ledig" in page


def test_a_cancelled_booking_is_crossed_out_with_a_text_and_its_comment(app: Flask) -> None:
    key = book(app, OTHER, at(8, 20), "Feber", "k1")
    assert app.extensions[EXTENSION].cancel_booking(key, OTHER, "Blev frisk", NOW).ok
    html = staff_client(app, ADMIN).get(DAY).text
    assert re.search(r'<span class="visually-hidden">Avbokad: </span><del>Olle Annan, ' + OTHER, html)
    assert "Kommentar vid avbokning: Blev frisk" in html


def test_a_rebooked_booking_shows_at_its_new_time_with_its_comment(app: Flask) -> None:
    key = book(app, OTHER, at(8, 20), "Feber", "k1")
    assert app.extensions[EXTENSION].update_booking(key, OTHER, at(9, 0), "Kan inte tidigt", NOW).ok
    page = text_of(staff_client(app, ADMIN).get(DAY).text)
    assert "08.20 Läkarbesök Ledig" in page
    assert re.search(r"09\.00 Läkarbesök Olle Annan, " + OTHER + r" .* Kommentar vid ombokning: Kan inte tidigt", page)


def test_a_rebooked_then_cancelled_booking_shows_every_comment_in_order_labelled(app: Flask) -> None:
    tidbok = app.extensions[EXTENSION]
    key = book(app, OTHER, at(8, 20), "Feber", "k1")
    assert tidbok.update_booking(key, OTHER, at(9, 0), "Kan inte tidigt", NOW).ok
    assert tidbok.update_booking(key, OTHER, at(9, 20), "Bussen går senare", NOW).ok
    assert tidbok.cancel_booking(key, OTHER, "Blev frisk", NOW).ok
    page = text_of(staff_client(app, ADMIN).get(DAY).text)
    assert re.search(r"09\.20 Läkarbesök Avbokad: Olle Annan, " + OTHER + r", Läkarbesök Avbokad .* "
                     r"Kommentar vid ombokning: Kan inte tidigt Kommentar vid ombokning: Bussen går senare "
                     r"Kommentar vid avbokning: Blev frisk", page), page


def test_reading_the_day_is_logged_with_the_personnummer_shown_and_found_by_citizen(app: Flask) -> None:
    book(app, OTHER, at(8, 20), None, "k1")
    staff_client(app, RECEIVER).get(DAY)
    rows = log_rows(app, "tidbok_day")
    assert len(rows) == 1
    assert (rows[0].hsa_id, rows[0].clinic, rows[0].role) == (RECEIVER, VC, "arendemottagare")
    assert rows[0].detail == f"2026-12-03: {ADULT}, {OTHER}"
    engine = app.extensions["hittavard_forms"].store.engine
    found = accesslog.search(engine, accesslog.Query(clinic=VC, personnummer=OTHER), STOCKHOLM)
    assert [row.action for row in found] == ["tidbok_day"]


def test_the_day_links_to_the_previous_and_next_day_and_today_is_the_default(app: Flask) -> None:
    client = staff_client(app, RECEIVER)
    today = client.get(f"{P}/tidbok/").text
    assert "tisdag 1 december 2026" in today
    assert f'href="{P}/tidbok/?dag=2026-11-30"' in today and f'href="{P}/tidbok/?dag=2026-12-02"' in today
    assert "I dag" not in today and "I dag" in client.get(DAY).text


@pytest.mark.parametrize("bad", ["igår", "2026-02-30", "0001-01-01", "9999-12-31", "２０２６-12-03"])
@pytest.mark.parametrize("view", ["tidbok/", "tidbok/vecka/"])
def test_a_day_that_is_not_a_date_gets_a_swedish_message_with_what_was_typed(app: Flask, view: str, bad: str) -> None:
    response = staff_client(app, RECEIVER).get(f"{P}/{view}", query_string={"dag": bad})
    assert response.status_code == 422 and "<title>Fel: " in response.text
    assert "som år-månad-dag, till exempel 2027-01-31." in response.text and f'value="{bad}"' in response.text
    assert 'href="#dag"' in response.text and "<table" not in response.text
    assert log_rows(app, "tidbok_day") == []  # nothing read, nothing logged


ADMIN_PAGES = ["tidbok/tidstyper/", "tidbok/tidstyper/ny/", "tidbok/tidstyper/lakarbesok/", "tidbok/schema/",
               "tidbok/stangda-dagar/"]


def test_other_roles_and_another_mottagnings_admin_get_404_logged_as_refused(app: Flask) -> None:
    tries = 0
    for hsa_id, pages in [(RECEIVER, ADMIN_PAGES), (AUDITOR, [*ADMIN_PAGES, "tidbok/"]), (SPEC_ADMIN, [*ADMIN_PAGES, "tidbok/"])]:
        client = staff_client(app, hsa_id)
        csrf = token(client.get(f"{P[: P.rindex('/')]}/logga-in/").text)
        for page in pages:
            assert client.get(f"{P}/{page}").status_code == 404, (hsa_id, page)
            posted = client.post(f"{P}/{page}", data={"csrf_token": csrf, "day": "2026-12-30", "name": "X"})
            assert posted.status_code in (404, 405), (hsa_id, page)
            tries += 1 + (posted.status_code == 404)
    refused = log_rows(app, "refused")
    assert len(refused) == tries
    assert {row.hsa_id for row in refused} == {RECEIVER, AUDITOR, SPEC_ADMIN}
    assert log_rows(app, "tidbok") == [] and log_rows(app, "tidbok_day") == []
    assert "Ont i ryggen" not in staff_client(app, SPEC_ADMIN).get(DAY).text


@pytest.mark.parametrize("day", ["2026-03-29", "2026-10-25"])
def test_the_clock_change_nights_show_no_time_that_does_not_exist_or_happens_twice(app: Flask, day: str) -> None:
    with Session(writing(app.extensions["hittavard_forms"].store.engine)) as db, db.begin():
        db.add(ScheduleRow(clinic=VC, type_id="bvc", weekdays="6", start_time="01:00", end_time="04:00"))
    page = staff_client(app, ADMIN).get(f"{P}/tidbok/?dag={day}").text
    shown = re.findall(r'data-label="Tid">([0-9.]+)<', page)
    assert shown == ["01.00", "01.30", "03.00", "03.30"]


def test_the_day_is_reached_by_a_date_field_of_a_get_form(app: Flask) -> None:
    book(app, OTHER, at(8, 20), None, "k1")
    client = staff_client(app, RECEIVER)
    page = client.get(f"{P}/tidbok/").text
    form = page[page.index('<form method="get"'):]
    form = form[:form.index("</form>")]
    assert f'action="{P}/tidbok/"' in form and 'name="dag"' in form and 'value="2026-12-01"' in form
    assert "Till exempel 2027-01-31" in form and "Visa dagen" in form
    chosen = client.get(f"{P}/tidbok/", query_string={"dag": " 2026-12-03 "})
    assert chosen.status_code == 200 and "Torsdag 3 december 2026" in chosen.text and OTHER in chosen.text
    assert 'value="2026-12-03"' in chosen.text
    assert f'href="{P}/tidbok/vecka/?dag=2026-12-03"' in chosen.text  # and on to its week


WEEK_ROW = re.compile(r'<tr>\s*<th scope="row" data-label="Dag"><a href="([^"]+)">([^<]+)</a></th>\s*'
                      r'<td data-label="Bokade">(\d+)</td>\s*<td data-label="Lediga">([^<]+)</td>')


def test_the_week_counts_each_days_bookings_and_free_times_and_links_to_the_days(app: Flask) -> None:
    client = staff_client(app, RECEIVER)
    before = WEEK_ROW.findall(client.get(f"{P}/tidbok/vecka/?dag=2026-12-03").text)
    book(app, OTHER, at(8, 20), None, "k1")
    book(app, ADULT, at(8, 40), None, "k2")
    week = client.get(f"{P}/tidbok/vecka/", query_string={"dag": "2026-12-03"})
    assert week.status_code == 200
    assert "Vecka 49, 30 november – 6 december 2026" in text_of(week.text)
    rows = WEEK_ROW.findall(week.text)
    days = ["2026-11-30", *(f"2026-12-0{d}" for d in range(1, 7))]
    words = ["Måndag 30 november 2026", "Tisdag 1 december 2026", "Onsdag 2 december 2026", "Torsdag 3 december 2026",
             "Fredag 4 december 2026", "Lördag 5 december 2026", "Söndag 6 december 2026"]
    assert [(href, said) for href, said, _booked, _free in rows] == [
        (f"{P}/tidbok/?dag={day}", said) for day, said in zip(days, words, strict=True)]
    booked, free = int(before[3][2]), int(before[3][3])
    assert free > 2 and rows[3][2:] == (str(booked + 2), str(free - 2))  # Thursday: two more booked, two less free
    assert [row[2:] for i, row in enumerate(rows) if i != 3] == [row[2:] for i, row in enumerate(before) if i != 3]
    nav = week.text[week.text.index('aria-label="Veckor"'):]
    assert f'href="{P}/tidbok/vecka/?dag=2026-11-23"' in nav and f'href="{P}/tidbok/vecka/?dag=2026-12-07"' in nav
    assert log_rows(app, "tidbok_day") == []  # counts only: no names, no personnummer, no log row
    assert ADULT not in week.text and OTHER not in week.text


def test_a_granskare_opens_the_log_not_the_tidbok_unless_given_another_role(app: Flask) -> None:
    auditor = staff_client(app, AUDITOR)
    landing = auditor.get(f"{P}/", follow_redirects=True).text
    assert "Åtkomstlogg" in landing and f'href="{P}/tidbok/"' not in landing
    assert auditor.get(DAY).status_code == 404 and auditor.get(f"{P}/tidbok/vecka/").status_code == 404
    with Session(writing(app.extensions["hittavard_forms"].store.engine)) as db, db.begin():
        db.add(StaffRole(hsa_id=AUDITOR, clinic=VC, role="lokal-administrator"))
    both = staff_client(app, AUDITOR)
    assert both.get(DAY).status_code == 200 and f'href="{P}/tidbok/"' in both.get(f"{P}/logg/").text
    assert [row.role for row in log_rows(app, "tidbok_day")] == ["granskare,lokal-administrator"]
