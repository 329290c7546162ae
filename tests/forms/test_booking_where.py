""""Var vill du boka tid?" (CONTRACT section 9): a `boka` entry's `clinics:` list offers other
mottagningar after its villkor, shown once; the journey books in the chosen one's tidbok."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms import create_app
from tests.forms.booking_support import (
    ADULT,
    VC,
    VC_CLINIC,
    config,
    confirm,
    login,
    submit,
    times_offered,
    token,
    write_booking_content,
    write_demo,
)

EMPTY_CLINIC = """\
name: Tomma mottagningen
municipality: Teststad
eservices:
  - booking: boka
    villkor: Tomma mottagningens villkor.
"""


def make_app(tmp_path: Path, listed: str, shared_type: bool = False) -> Flask:
    root = write_booking_content(tmp_path / "content")
    clinic = VC_CLINIC.replace("    villkor: Villkor för att boka.\n", f"    villkor: Villkor för att boka.\n    clinics: [{listed}]\n")
    (root / "clinics" / "vardcentralen-test.yaml").write_text(clinic, encoding="utf-8")
    (root / "clinics" / "tomma.yaml").write_text(EMPTY_CLINIC, encoding="utf-8")  # a boka entry, no tidbok
    demo = write_demo(tmp_path / "demo.yaml")
    if shared_type:  # Specialisten's time type gets an id Vårdcentralen Test also has
        demo.write_text(demo.read_text(encoding="utf-8").replace("aterbesok", "provtagning"), encoding="utf-8")
    return create_app(config(root, demo, f"sqlite:///{tmp_path / 'store.sqlite3'}"))


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path, "tomma, specialisten")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    login(c := app.test_client(), ADULT)
    return c


def bookings(app: Flask) -> list[str]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from forms.store.tidbok import BookingRow

    with Session(app.extensions["hittavard_forms"].store.engine) as db:
        rows = db.scalars(select(BookingRow).where(BookingRow.status == "active", BookingRow.subject == ADULT))
        return sorted(f"{r.clinic} {r.type_id} {r.start.isoformat()}" for r in rows)


def test_after_the_villkor_the_journey_asks_where_this_mottagning_first(client: FlaskClient) -> None:
    approved = submit(client, f"{VC}boka/", {"approve": "yes"})
    assert approved.status_code == 303 and approved.headers["Location"].endswith("/boka/var/")
    page = client.get(f"{VC}boka/var/").text
    assert "<h1>Var vill du boka tid?</h1>" in page
    offered = re.findall(r'name="plats" value="([^"]+)"', page)
    assert offered == ["vardcentralen-test", "specialisten"]  # tomma has no tidbok: not offered
    assert "Tomma mottagningen" not in page
    assert client.get(f"{VC}boka/typ/").headers["Location"].endswith("/boka/var/")  # not skipped


def test_choosing_another_mottagning_books_in_its_tidbok_and_its_villkor_is_never_shown(
    app: Flask, client: FlaskClient
) -> None:
    before = bookings(app)
    pages = [client.get(f"{VC}boka/").text]
    submit(client, f"{VC}boka/", {"approve": "yes"})
    chosen = submit(client, f"{VC}boka/var/", {"plats": "specialisten"})
    assert chosen.headers["Location"].endswith(f"{VC}boka/typ/")  # on, at this address: no second villkor
    types = client.get(f"{VC}boka/typ/").text
    pages.append(types)
    assert re.findall(r'name="typ" value="([^"]+)"', types) == ["aterbesok"]  # Specialisten's time types
    submit(client, f"{VC}boka/typ/", {"typ": "aterbesok"})
    day = client.get(f"{VC}boka/tid/")
    pages.append(day.text)
    start = times_offered(day.text)[0]
    client.post(f"{VC}boka/tid/", data={"csrf_token": token(day.text), "tid": start})
    check = client.get(f"{VC}boka/kontrollera/").text
    pages.append(check)
    assert re.search(r"Mottagning</dt>\s*<dd[^>]*>\s*(<p>)?Specialisten", check), check
    done = confirm(client, check)
    assert done.status_code == 303
    receipt = client.get(done.headers["Location"]).text
    pages.append(receipt)
    assert "Din tid är bokad" in receipt and "Specialisten" in receipt
    assert [row.split(" ")[:2] for row in set(bookings(app)) - set(before)] == [["specialisten", "aterbesok"]]
    assert all("Specialistens villkor." not in page for page in pages)
    assert pages[0].count("Villkor för att boka.") == 1
    ics = client.get(re.search(r'href="([^"]+kalender\.ics)"', receipt).group(1))
    assert ics.status_code == 200 and b"Specialisten" in ics.data


def test_this_mottagning_chosen_books_here(app: Flask, client: FlaskClient) -> None:
    before = bookings(app)
    submit(client, f"{VC}boka/", {"approve": "yes"})
    submit(client, f"{VC}boka/var/", {"plats": "vardcentralen-test"})
    submit(client, f"{VC}boka/typ/", {"typ": "provtagning"})
    day = client.get(f"{VC}boka/tid/")
    client.post(f"{VC}boka/tid/", data={"csrf_token": token(day.text), "tid": times_offered(day.text)[0]})
    assert confirm(client, client.get(f"{VC}boka/kontrollera/").text).status_code == 303
    assert [row.split(" ")[:2] for row in set(bookings(app)) - set(before)] == [["vardcentralen-test", "provtagning"]]


@pytest.mark.parametrize("posted", [None, "", "tomma", "okand", "specialisten/../x", "x" * 500])
def test_no_choice_or_one_not_offered_is_refused_with_a_message(client: FlaskClient, posted: str | None) -> None:
    submit(client, f"{VC}boka/", {"approve": "yes"})
    response = submit(client, f"{VC}boka/var/", {} if posted is None else {"plats": posted})
    assert response.status_code == 200
    assert "<title>Fel: " in response.text and "Välj var du vill boka tid" in response.text
    assert client.get(f"{VC}boka/typ/").headers["Location"].endswith("/boka/var/")


def test_changing_the_mottagning_drops_what_was_chosen_at_the_other(tmp_path: Path) -> None:
    client = make_app(tmp_path, "specialisten", shared_type=True).test_client()
    login(client, ADULT)
    submit(client, f"{VC}boka/", {"approve": "yes"})
    submit(client, f"{VC}boka/var/", {"plats": "vardcentralen-test"})
    submit(client, f"{VC}boka/typ/", {"typ": "provtagning"})
    day = client.get(f"{VC}boka/tid/")
    client.post(f"{VC}boka/tid/", data={"csrf_token": token(day.text), "tid": times_offered(day.text)[0]})
    check = client.get(f"{VC}boka/kontrollera/").text
    assert f'href="{VC}boka/var/"' in check  # "Ändra" on the Mottagning row
    submit(client, f"{VC}boka/var/", {"plats": "specialisten"})
    # The same type id there is another time type of another tidbok: asked again, as is the time.
    assert client.get(f"{VC}boka/kontrollera/").headers["Location"].endswith("/boka/typ/")


def test_with_no_listed_mottagning_to_offer_the_question_is_not_asked(tmp_path: Path) -> None:
    client = make_app(tmp_path, "tomma").test_client()
    login(client, ADULT)
    approved = submit(client, f"{VC}boka/", {"approve": "yes"})
    assert approved.headers["Location"].endswith("/boka/typ/")
    assert client.get(f"{VC}boka/var/").headers["Location"].endswith("/boka/typ/")
