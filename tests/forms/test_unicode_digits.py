"""Only ASCII 0–9 are digits (issue 19 item 6): other digits get a 400/404 or a Swedish message, never a 500.

`str.isdigit()` says yes to "²", which `int()` refuses (a 500 where it was trusted); `int()` and
`\\d` read "５" and "٣" as 5 and 3. The product refuses such digits everywhere, consistently: a
typed value gets its field's message, a posted id, index or address a 404 or is no field at all.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.identity.personnummer import InvalidPersonnummer, normalize
from forms.notices.contacts import InvalidContact, normalize_mobile
from forms.staff import tidbok_input
from forms.staff.case_list import _page_number
from forms.store.tidbok import ScheduleRow
from sitegen.content.cardvalues import normalise_postal_code
from sitegen.content.digits import ascii_date, ascii_int
from sitegen.content.hours import parse_hours
from tests.forms.booking_support import token
from tests.forms.conftest import BASE, OTHER_ADULT, approve, csrf_token, login
from tests.forms.tidbok_staff_support import ADMIN, VC, P, make_tidbok_staff_app, post_form, staff_client

OTHER_DIGITS = ["²", "٣", "５", "１２", "①", "𝟗"]
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
HJALPMEDEL = f"{BASE}/testmottagningen/fornya-hjalpmedel/"
ALLT = f"{BASE}/testmottagningen/allt/"


@pytest.mark.parametrize("text", [*OTHER_DIGITS, "", " 1", "1 ", "+1", "-1", "1_0", "1.0", "1234567890", None, 5])
def test_only_one_to_nine_ascii_digits_are_a_number(text: object) -> None:
    assert ascii_int(text) is None


def test_ascii_digits_are_read_and_the_length_bound_is_kept() -> None:
    assert (ascii_int("0"), ascii_int("007"), ascii_int("123456789")) == (0, 7, 123456789)
    assert ascii_int("12345", max_digits=4) is None and ascii_int("1234", max_digits=4) == 1234


@pytest.mark.parametrize("text", ["２０２６-01-31", "2026-0١-31", "20260131", "2026-W05-6", "2026-02-30", " 2026-01-31"])
def test_a_date_is_exactly_yyyy_mm_dd_in_ascii(text: str) -> None:
    assert ascii_date(text) is None
    assert ascii_date("2026-01-31") == datetime.date(2026, 1, 31)


# The citizen's e-services -------------------------------------------------------------------------


@pytest.fixture
def citizen(app: Flask):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, OTHER_ADULT)
    for url in (HJALPMEDEL, ALLT):
        approve(client, url)
    return client


@pytest.mark.parametrize("digit", OTHER_DIGITS)
def test_remove_with_other_digits_on_a_repeat_form_is_no_500_and_removes_nothing(citizen, digit: str) -> None:  # type: ignore[no-untyped-def]
    url = f"{HJALPMEDEL}sida/1/"
    data = {"products-0-product": "Rullator", "products-0-packages": "1", "action": f"remove:products:{digit}"}
    response = citizen.post(url, data={**data, "csrf_token": csrf_token(citizen.get(url).text)})
    assert response.status_code in {200, 303}, response.status_code
    assert "Rullator" in citizen.get(url).text  # item 0 is still there


@pytest.mark.parametrize("digit", OTHER_DIGITS)
def test_an_item_field_named_with_other_digits_is_no_field_of_the_form(citizen, digit: str) -> None:  # type: ignore[no-untyped-def]
    """"products-５-product" was item 5 to WTForms (and "products-²-product" a 500): now it is not
    an item, so the page asks for the product that is missing."""
    url = f"{HJALPMEDEL}sida/1/"
    data = {f"products-{digit}-product": "Rullator", f"products-{digit}-packages": "2"}
    response = citizen.post(url, data={**data, "csrf_token": csrf_token(citizen.get(url).text)})
    assert response.status_code == 200, response.status_code
    assert "<title>Fel: " in response.text and "Rullator" not in response.text


@pytest.mark.parametrize("typed", ["５", "１２", "٣", "²"])
def test_a_number_answer_in_other_digits_gets_the_swedish_message_and_is_kept(citizen, typed: str) -> None:  # type: ignore[no-untyped-def]
    url = f"{ALLT}sida/1/"
    data = {"name": "Ada", "story": "Ont", "when_started": "2026-01-02", "how_much": typed, "days": "Måndag",
            "contact": "Inkorg"}
    response = citizen.post(url, data={**data, "csrf_token": csrf_token(citizen.get(url).text)})
    assert response.status_code == 200
    assert "Skriv ett tal mellan 1 och 10" in response.text and f'value="{typed}"' in response.text


def test_a_page_number_in_other_digits_is_no_address_of_ours(citizen) -> None:  # type: ignore[no-untyped-def]
    assert citizen.get(f"{ALLT}sida/1/").status_code == 200
    assert citizen.get(f"{ALLT}sida/١/").status_code == 404
    assert citizen.get(f"{ALLT}sida/１/").status_code == 404


# Identity, contact details and content ------------------------------------------------------------


def test_a_personnummer_in_other_digits_is_refused_not_kept_as_a_second_spelling() -> None:
    assert normalize("19121212-1212") == "19121212-1212"
    for typed in ("１９１２１２１２-１２１２", "19121212-121٢"):
        with pytest.raises(InvalidPersonnummer, match="12 siffror"):
            normalize(typed)


def test_a_mobile_number_in_other_digits_is_refused_with_a_swedish_message() -> None:
    assert normalize_mobile("070-123 45 67") == "+46701234567"
    with pytest.raises(InvalidContact, match="siffrorna 0–9"):
        normalize_mobile("０７０-１２３ ４５ ６７")


def test_content_hours_and_postal_codes_in_other_digits_are_refused() -> None:
    assert parse_hours("08.00–12.00")
    with pytest.raises(ValueError, match="öppettider"):
        parse_hours("٠٨.٠٠–١٢.٠٠")
    assert normalise_postal_code("55320") == "553 20"
    with pytest.raises(ValueError, match="postnummer"):
        normalise_postal_code("５５３２０")


# Staff ---------------------------------------------------------------------------------------------


@pytest.fixture
def tidbok_app(tmp_path: Path) -> Flask:
    return make_tidbok_staff_app(tmp_path)


@pytest.mark.parametrize("written", ["²", "arabic-indic", "fullwidth"])
def test_removing_a_schedule_row_by_an_id_in_other_digits_is_404_and_removes_nothing(
    tidbok_app: Flask, written: str
) -> None:
    """remove=² was a 500; remove=<the row's id in ٠–٩ or ０–９> removed that row."""
    engine = tidbok_app.extensions["hittavard_forms"].store.engine
    with Session(engine) as db:
        row_id = db.scalars(select(ScheduleRow.id).where(ScheduleRow.clinic == VC)).first()
    assert row_id is not None
    remove = {"²": "²", "arabic-indic": str(row_id).translate(ARABIC_INDIC),
              "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in str(row_id))}[written]
    client = staff_client(tidbok_app, ADMIN)
    page = client.get(f"{P}/tidbok/schema/")
    response = client.post(f"{P}/tidbok/schema/", data={"csrf_token": token(page.text), "remove": remove})
    assert response.status_code == 404
    with Session(engine) as db:
        assert db.get(ScheduleRow, row_id) is not None


def test_a_time_types_minutes_in_other_digits_get_the_swedish_message(tidbok_app: Flask) -> None:
    client = staff_client(tidbok_app, ADMIN)
    typed = {"type_id": "samtal", "name": "Samtal", "minutes": "６０", "reason": "optional", "min_age": "",
             "max_age": "", "cancel_hours": "12"}
    response = post_form(client, f"{P}/tidbok/tidstyper/ny/", typed)
    assert response.status_code == 422
    assert "Skriv längden i minuter, ett heltal från 5 till 480." in response.text and 'value="６０"' in response.text


@pytest.mark.parametrize("field", ["start", "from"])
def test_schedule_times_and_dates_in_other_digits_get_the_swedish_message(field: str) -> None:
    form = {"time_type": "samtal", "start": "08:00", "end": "09:00", "from": "2026-12-01"}
    form[field] = {"start": "０８:００", "from": "２０２６-12-01"}[field]
    checked = tidbok_input.schedule(form, ["mån"], {"samtal"})
    assert [error["anchor"] for error in checked.errors] == [field]


def test_the_case_lists_page_number_in_other_digits_is_the_first_page() -> None:
    assert (_page_number("3"), _page_number("３"), _page_number("²"), _page_number(None)) == (3, 1, 1, 1)
