"""The tidbok's admin forms in the administrator's words (issue 20, item 10): a time type's id made
from its name and never shown, times typed the Swedish ways, one form of date hint, "(frivilligt)"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.staff.tidbok_input import clock, slug_of, type_id_for
from forms.store.tidbok import ScheduleRow, TimeTypeRow
from tests.forms.tidbok_staff_support import ADMIN, RECEIVER, VC, P, make_tidbok_staff_app, post_form, staff_client

NEW = f"{P}/tidbok/tidstyper/ny/"
TYPE = {"name": "Läkarbesök", "minutes": "20", "reason": "none", "min_age": "", "max_age": "", "cancel_hours": "24",
        "rebook": "1", "info": ""}


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_tidbok_staff_app(tmp_path)


def type_ids(app: Flask) -> dict[str, str]:
    """id → name of the mottagning's time types."""
    with Session(app.extensions["hittavard_forms"].store.engine) as db:
        return {row.type_id: row.name for row in db.scalars(select(TimeTypeRow).where(TimeTypeRow.clinic == VC))}


def visible_text(html: str) -> str:
    """What a person reads: the page without its tags (and so without addresses and field names)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("name", "slug"), [
    ("Läkarbesök", "lakarbesok"),
    ("Samtal med kurator, 45 min", "samtal-med-kurator-45-min"),
    ("  Öga & Öra  ", "oga-ora"),
    ("Rådgivning – BVC", "radgivning-bvc"),
    ("Vaccination (höst)", "vaccination-host"),
    ("???", "tidstyp"),
    ("x" * 200, "x" * 50),
])
def test_a_name_becomes_an_address_friendly_id(name: str, slug: str) -> None:
    assert slug_of(name) == slug


def test_an_id_taken_gets_the_next_number() -> None:
    assert type_id_for("Läkarbesök", {"lakarbesok"}) == "lakarbesok-2"
    assert type_id_for("Läkarbesök", {"lakarbesok", "lakarbesok-2"}) == "lakarbesok-3"
    assert type_id_for("Läkarbesök", {"lakarbesok-2"}) == "lakarbesok"


def test_a_new_time_types_id_is_made_from_its_name_unique_and_never_shown(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    assert "lakarbesok" in type_ids(app)  # the fixture's own Läkarbesök
    form = client.get(NEW).text
    assert 'name="type_id"' not in form and "Id" not in visible_text(form).split()
    for number in (2, 3):
        response = post_form(client, NEW, {**TYPE, "type_id": "hijack", "info": f"Nummer {number}"})
        assert response.status_code == 303
        assert type_ids(app)[f"lakarbesok-{number}"] == "Läkarbesök"
    response = post_form(client, NEW, {**TYPE, "name": "Samtal med kurator, 45 min"})
    listing = client.get(response.headers["Location"]).text
    assert "Tidstypen Samtal med kurator, 45 min är sparad." in listing
    assert "hijack" not in type_ids(app) and type_ids(app)["samtal-med-kurator-45-min"]
    for page in (listing, client.get(f"{P}/tidbok/tidstyper/lakarbesok-2/").text, client.get(f"{P}/tidbok/schema/").text):
        shown = visible_text(page)
        assert "lakarbesok" not in shown and "samtal-med-kurator" not in shown and "Id" not in shown.split()
        assert "<th scope=\"col\">Id</th>" not in page


def test_renaming_a_time_type_keeps_its_id(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    response = post_form(client, f"{P}/tidbok/tidstyper/lakarbesok/", {**TYPE, "name": "Besök hos läkare"})
    assert response.status_code == 303
    assert type_ids(app)["lakarbesok"] == "Besök hos läkare" and "besok-hos-lakare" not in type_ids(app)


@pytest.mark.parametrize("typed", ["8.00", "8:00", "08.00", "08:00", "0800", "800", " 8.00 "])
def test_times_are_taken_the_swedish_ways_and_shown_with_a_dot(app: Flask, typed: str) -> None:
    client = staff_client(app, ADMIN)
    row = {"time_type": "provtagning", "start": typed, "end": "1230", "from": "2027-06-01", "until": "",
           "days": ["lör"]}
    response = post_form(client, f"{P}/tidbok/schema/", row)
    assert response.status_code == 303, visible_text(response.text)[:500]
    with Session(app.extensions["hittavard_forms"].store.engine) as db:
        stored = db.scalars(select(ScheduleRow).where(ScheduleRow.clinic == VC, ScheduleRow.weekdays == "5")).one()
    assert (stored.start_time, stored.end_time) == ("08:00", "12:30")
    shown = visible_text(client.get(response.headers["Location"]).text)
    assert "08.00–12.30" in shown and "från 1 juni 2027" in shown and "08:00" not in shown


@pytest.mark.parametrize("typed", ["8", "8.0", "24.00", "8.60", "08:00:00", "８.00", "8,00", "8.00 fm"])
def test_what_is_not_a_time_gets_the_message_with_the_example(typed: str) -> None:
    assert clock(typed) is None


def test_optional_fields_say_frivilligt_as_on_the_citizens_side(app: Flask) -> None:
    client = staff_client(app, ADMIN)
    for url, optional in [(NEW, ["min_age", "max_age", "info"]), (f"{P}/tidbok/schema/", ["from", "until"])]:
        page = client.get(url).text
        for field in optional:
            label = re.search(rf'<label for="{field}">(.*?)</label>', page, re.S)
            assert label and '<span class="optional">(frivilligt)</span>' in label.group(1), (url, field)
        assert "valfritt" not in page
        required = re.search(r'<label for="(name|start)">(.*?)</label>', page, re.S)
        assert required and "frivilligt" not in required.group(2)


def test_every_date_field_of_the_staff_side_has_the_same_hint(app: Flask) -> None:
    admin = staff_client(app, ADMIN)
    pages = [admin.get(f"{P}/tidbok/schema/").text, admin.get(f"{P}/tidbok/stangda-dagar/").text,
             staff_client(app, RECEIVER).get(f"{P}/tidbok/").text,
             staff_client(app, RECEIVER).get(f"{P}/tidbok/vecka/").text]
    hints = set()
    for page in pages:
        for field in re.findall(r'<input type="text" id="(from|until|day|dag)"', page):
            hint = re.search(rf'<p class="hint" id="{field}-hint">([^<]*)</p>', page)
            assert hint, field
            hints.add(hint.group(1))
        assert not re.search(r"åååå|ÅÅÅÅ|tt:mm", page, re.I)
    assert hints == {"Till exempel 2027-01-31"}
