"""The lokal administratör keeps the standalone tidbok: time types, schedule rows and closed days.

Each change is stored, shows in the booking side's tables, and writes one access-log row; each fault
gives a Swedish message with "Fel: " in the title and the typed values kept.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.store.db import AccessLogEntry
from forms.store.tidbok import ClosedDayRow, ScheduleRow, TimeTypeRow
from tests.forms.booking_support import token
from tests.forms.tidbok_staff_support import ADMIN, VC, P, make_tidbok_staff_app, post_form, staff_client

GOOD_TYPE = {"name": "Samtal", "minutes": "30", "reason": "optional", "min_age": "",
             "max_age": "", "cancel_hours": "12", "rebook": "1", "info": "Ring från ett tyst rum."}
GOOD_ROW = {"time_type": "samtal", "start": "13.00", "end": "14.00", "from": "2026-12-01", "until": "2027-01-31"}


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_tidbok_staff_app(tmp_path)


def engine(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["hittavard_forms"].store.engine


def log_rows(app: Flask, action: str) -> list[AccessLogEntry]:
    with Session(engine(app)) as db:
        return list(db.scalars(select(AccessLogEntry).where(AccessLogEntry.action == action)))


def test_a_new_time_type_is_stored_listed_and_logged(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    response = post_form(client, f"{P}/tidbok/tidstyper/ny/", GOOD_TYPE)
    assert response.status_code == 303
    listing = client.get(response.headers["Location"]).text
    assert "Tidstypen Samtal är sparad." in listing
    with Session(engine(app)) as db:
        row = db.scalars(select(TimeTypeRow).where(TimeTypeRow.clinic == VC, TimeTypeRow.type_id == "samtal")).one()
    assert (row.name, row.minutes, row.reason, row.min_age, row.cancel_hours, row.rebook, row.info) == (
        "Samtal", 30, "optional", None, 12, True, "Ring från ett tyst rum.")
    logged = log_rows(app, "tidbok")
    assert len(logged) == 1 and logged[0].hsa_id == ADMIN and logged[0].clinic == VC
    assert "samtal" in logged[0].detail and logged[0].role == "lokal-administrator"


def test_editing_a_time_type_keeps_its_id_and_changes_its_fields(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    form = client.get(f"{P}/tidbok/tidstyper/lakarbesok/").text
    assert 'value="Läkarbesök"' in form and 'id="reason-required" name="reason" value="required" checked' in form
    response = client.post(f"{P}/tidbok/tidstyper/lakarbesok/", data={
        "csrf_token": token(form), "type_id": "hijack", "name": "Läkartid", "minutes": "25", "reason": "none",
        "min_age": "16", "max_age": "99", "cancel_hours": "48"})
    assert response.status_code == 303
    with Session(engine(app)) as db:
        ids = set(db.scalars(select(TimeTypeRow.type_id).where(TimeTypeRow.clinic == VC)))
        row = db.scalars(select(TimeTypeRow).where(TimeTypeRow.type_id == "lakarbesok")).one()
    assert "hijack" not in ids
    assert (row.name, row.minutes, row.reason, row.min_age, row.max_age, row.cancel_hours, row.rebook) == (
        "Läkartid", 25, "none", 16, 99, 48, False)


@pytest.mark.parametrize(("change", "anchor", "message"), [
    ({"name": "  "}, "name", "Skriv tidstypens namn."),
    ({"name": "x" * 201}, "name", "Namnet får vara högst 200 tecken."),
    ({"minutes": "tjugo"}, "minutes", "Skriv längden i minuter, ett heltal från 5 till 480."),
    ({"minutes": "2"}, "minutes", "Skriv längden i minuter, ett heltal från 5 till 480."),
    ({"reason": ""}, "reason-required", "Välj om bokningen frågar efter en anledning."),
    ({"min_age": "-1"}, "min_age", "Skriv lägsta ålder som ett heltal från 0 till 130"),
    ({"max_age": "200"}, "max_age", "Skriv högsta ålder som ett heltal från 0 till 130"),
    ({"min_age": "30", "max_age": "20"}, "max_age", "Högsta ålder får inte vara lägre än lägsta ålder."),
    ({"cancel_hours": ""}, "cancel_hours", "Skriv antal timmar som ett heltal från 0 till 720."),
    ({"info": "x" * 2001}, "info", "Övrigt får vara högst 2000 tecken."),
])
def test_a_faulty_time_type_is_refused_with_a_message_and_what_was_typed(
    app: Flask, change: dict[str, str], anchor: str, message: str
) -> None:
    client = staff_client(app, ADMIN)
    data = {**GOOD_TYPE, "name": "Samtal med kurator", **change}
    response = post_form(client, f"{P}/tidbok/tidstyper/ny/", data)
    assert response.status_code == 422
    assert "<title>Fel: " in response.text
    assert f'href="#{anchor}"' in response.text and message in response.text
    if "name" not in change:
        assert 'value="Samtal med kurator"' in response.text  # typed values are kept
    assert 'value="optional" checked' in response.text or change.get("reason") == ""
    with Session(engine(app)) as db:
        assert db.scalars(select(TimeTypeRow).where(TimeTypeRow.name == "Samtal med kurator")).first() is None
    assert log_rows(app, "tidbok") == []


def test_an_unknown_time_type_is_404(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    assert client.get(f"{P}/tidbok/tidstyper/finns-inte/").status_code == 404
    assert client.get(f"{P}/tidbok/tidstyper/aterbesok/").status_code == 404  # Specialisten's type


def test_a_schedule_row_is_added_and_its_times_show_in_the_day_view(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    assert post_form(client, f"{P}/tidbok/tidstyper/ny/", GOOD_TYPE).status_code == 303
    page = client.get(f"{P}/tidbok/schema/")
    response = client.post(f"{P}/tidbok/schema/", data={"csrf_token": token(page.text), **GOOD_ROW,
                                                         "days": ["mån", "ons"]})
    assert response.status_code == 303
    with Session(engine(app)) as db:
        row = db.scalars(select(ScheduleRow).where(ScheduleRow.type_id == "samtal")).one()
    assert (row.weekdays, row.start_time, row.end_time) == ("02", "13:00", "14:00")
    assert (row.valid_from, row.valid_until) == (datetime.date(2026, 12, 1), datetime.date(2027, 1, 31))
    wednesday = client.get(f"{P}/tidbok/?dag=2026-12-02").text
    assert "13.00" in wednesday and "13.30" in wednesday and "Samtal" in wednesday
    assert "13.00" not in client.get(f"{P}/tidbok/?dag=2026-12-03").text  # a Thursday
    assert len(log_rows(app, "tidbok")) == 2


def test_a_schedule_row_is_removed_and_logged(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    with Session(engine(app)) as db:
        row_id = db.scalars(select(ScheduleRow.id).where(ScheduleRow.clinic == VC, ScheduleRow.type_id == "bvc")).one()
    page = client.get(f"{P}/tidbok/schema/")
    response = client.post(f"{P}/tidbok/schema/", data={"csrf_token": token(page.text), "remove": str(row_id)})
    assert response.status_code == 303
    with Session(engine(app)) as db:
        assert db.get(ScheduleRow, row_id) is None
    assert "tog bort schemarad bvc" in log_rows(app, "tidbok")[0].detail


def test_another_mottagnings_schedule_row_cannot_be_removed(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    with Session(engine(app)) as db:
        row_id = db.scalars(select(ScheduleRow.id).where(ScheduleRow.clinic == "specialisten")).first()
    page = client.get(f"{P}/tidbok/schema/")
    response = client.post(f"{P}/tidbok/schema/", data={"csrf_token": token(page.text), "remove": str(row_id)})
    assert response.status_code == 404
    with Session(engine(app)) as db:
        assert db.get(ScheduleRow, row_id) is not None
    assert log_rows(app, "tidbok") == [] and len(log_rows(app, "refused")) == 1


@pytest.mark.parametrize(("change", "days", "anchor", "message"), [
    ({"time_type": ""}, ["mån"], "time_type", "Välj en tidstyp."),
    ({}, [], "day-mån", "Välj minst en veckodag."),
    ({"start": "8"}, ["mån"], "start", "Skriv starttiden som timmar och minuter, till exempel 08.00."),
    ({"end": "25:00"}, ["mån"], "end", "Skriv sluttiden som timmar och minuter, till exempel 11.00."),
    ({"end": "12:00"}, ["mån"], "end", "Sluttiden måste vara senare än starttiden."),
    ({"from": "1 december"}, ["mån"], "from", "Skriv första dagen som år-månad-dag, till exempel 2027-01-31."),
    ({"until": "2026-02-30"}, ["mån"], "until", "Skriv sista dagen som år-månad-dag, till exempel 2027-01-31."),
    ({"until": "2026-11-01"}, ["mån"], "until", "Sista dagen får inte vara före första dagen."),
])
def test_a_faulty_schedule_row_is_refused_with_a_message_and_what_was_typed(
    app: Flask, change: dict[str, str], days: list[str], anchor: str, message: str
) -> None:
    client = staff_client(app, ADMIN)
    page = client.get(f"{P}/tidbok/schema/")
    data = {**GOOD_ROW, "time_type": "provtagning", **change}
    response = client.post(f"{P}/tidbok/schema/", data={"csrf_token": token(page.text), **data, "days": days})
    assert response.status_code == 422
    assert "<title>Fel: " in response.text and f'href="#{anchor}"' in response.text and message in response.text
    for day in days:
        assert f'value="{day}" checked' in response.text
    assert f'value="{data["start"]}"' in response.text
    with Session(engine(app)) as db:
        assert db.scalars(select(ScheduleRow).where(ScheduleRow.start_time == "13:00",
                                                    ScheduleRow.weekdays == "0")).first() is None
    assert log_rows(app, "tidbok") == []


def schedule_rows(app: Flask) -> list[tuple[str, str, str, str]]:
    with Session(engine(app)) as db:
        return [(r.type_id, r.weekdays, r.start_time, r.end_time)
                for r in db.scalars(select(ScheduleRow).where(ScheduleRow.clinic == VC).order_by(ScheduleRow.id))]


def test_a_schedule_row_overlapping_another_of_any_type_is_refused_with_the_row_named(app: Flask) -> None:
    """Provtagning on Wednesdays 08:00–09:00 inside Läkarbesök's Monday–Friday 08:00–11:00: two bookings at once."""
    client = staff_client(app, ADMIN)
    before = schedule_rows(app)
    inside = {"time_type": "provtagning", "start": "08:00", "end": "09:00", "from": "", "until": "", "days": ["ons"]}
    response = post_form(client, f"{P}/tidbok/schema/", inside)
    assert response.status_code == 422
    assert "<title>Fel: " in response.text and 'href="#start"' in response.text
    assert ("Tiderna krockar med schemaraden Läkarbesök mån, tis, ons, tor, fre 08.00–11.00 från 1 november 2026 "
            "till och med 31 mars 2027.") in response.text
    assert 'value="ons" checked' in response.text and 'value="08:00"' in response.text  # what was typed, kept
    same_type = {**inside, "time_type": "lakarbesok", "start": "10:50", "end": "12:00", "days": ["fre", "lör"]}
    assert post_form(client, f"{P}/tidbok/schema/", same_type).status_code == 422
    assert schedule_rows(app) == before and log_rows(app, "tidbok") == []
    # Touching its end, another period, or another weekday is no overlap; another mottagning's rows do not count.
    for fine in ({**inside, "start": "11:00", "end": "12:00"}, {**inside, "from": "2027-04-01"},
                 {**inside, "days": ["lör"]}):
        assert post_form(client, f"{P}/tidbok/schema/", fine).status_code == 303, fine
    assert len(schedule_rows(app)) == len(before) + 3


def test_closing_a_day_removes_its_free_times_but_keeps_its_bookings(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    assert post_form(client, f"{P}/tidbok/stangda-dagar/", {"day": "2026-12-03"}).status_code == 303
    with Session(engine(app)) as db:
        assert db.get(ClosedDayRow, (VC, datetime.date(2026, 12, 3))) is not None
    day = client.get(f"{P}/tidbok/?dag=2026-12-03").text
    assert "Dagen är stängd" in day and "Ledig" not in day and "Ont i ryggen" in day
    assert "stängd dag 2026-12-03" in log_rows(app, "tidbok")[0].detail


def test_a_closed_day_is_opened_again(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    assert post_form(client, f"{P}/tidbok/stangda-dagar/", {"remove": "2026-12-24"}).status_code == 303
    with Session(engine(app)) as db:
        assert db.get(ClosedDayRow, (VC, datetime.date(2026, 12, 24))) is None
    assert "Ledig" in client.get(f"{P}/tidbok/?dag=2026-12-24").text
    assert post_form(client, f"{P}/tidbok/stangda-dagar/", {"remove": "2026-12-31"}).status_code == 404


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Skriv dagen som år-månad-dag, till exempel 2027-01-31."),
    ("24/12", "Skriv dagen som år-månad-dag, till exempel 2027-01-31."),
    ("2026-13-01", "Skriv dagen som år-månad-dag, till exempel 2027-01-31."),
    ("2026-12-25", "Den dagen är redan stängd."),
])
def test_a_faulty_closed_day_is_refused_with_a_message_and_what_was_typed(
    app: Flask, typed: str, message: str
) -> None:
    client = staff_client(app, ADMIN)
    response = post_form(client, f"{P}/tidbok/stangda-dagar/", {"day": typed})
    assert response.status_code == 422
    assert "<title>Fel: " in response.text and 'href="#day"' in response.text and message in response.text
    assert f'name="day" value="{typed}"' in response.text
    assert log_rows(app, "tidbok") == []


def test_a_change_without_the_staff_csrf_token_is_refused(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    for path, data in [("tidstyper/ny/", GOOD_TYPE), ("schema/", GOOD_ROW), ("stangda-dagar/", {"day": "2026-12-30"})]:
        assert client.post(f"{P}/tidbok/{path}", data=data).status_code == 400
        assert client.post(f"{P}/tidbok/{path}", data={**data, "csrf_token": "forged"}).status_code == 400
    assert log_rows(app, "tidbok") == []
