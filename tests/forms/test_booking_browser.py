"""The booking journeys at 375×667 with JavaScript off, against a live server on the booking fixture.

Each page and error state is checked with axe-core where it stands and, once for the module, with
the Nu Html Checker. The clock stands at Tuesday 1 December 2026 08:00 (tests.forms.booking_support).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from forms import create_app
from forms.booking.common import EXTENSION
from forms.booking.interface import Request
from tests.forms.booking_support import (
    ADULT,
    CHILD,
    NOW,
    OTHER,
    TAKEN_TEXT,
    VC,
    config,
    write_booking_content,
    write_demo,
)
from tests.forms.journey import Journey
from tests.forms.test_keyboard_only import tab_to
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    root = tmp_path_factory.mktemp("booking")
    content = write_booking_content(root / "content")
    demo = write_demo(root / "demo.yaml")
    return create_app(config(content, demo, f"sqlite:///{root / 'store.sqlite3'}"))


@pytest.fixture(scope="module")
def live(live_app: Flask) -> Iterator[str]:
    with serve_app(live_app) as url:
        yield url


@pytest.fixture
def journey(page: Any, axe_page: Any, live: str, documents: dict[str, str], request: pytest.FixtureRequest) -> Journey:
    return Journey(request.node.name.removeprefix("test_"), page, axe_page, live, documents)


def log_in(j: Journey, url: str, personnummer: str, child: str | None = None) -> None:
    j.goto(url)
    j.login(personnummer)
    if child is not None:
        j.click("Byt person", role="link")
        j.page.get_by_label(child).check()
        j.click("Fortsätt")


def approve(j: Journey, audit: bool = True) -> None:
    if audit:
        j.click("Fortsätt")
        j.assert_error_state("Du behöver godkänna villkoren")
        j.audit("villkor-fel")
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")


def test_boka_tid(journey: Journey) -> None:
    j = journey
    log_in(j, f"{VC}boka/", ADULT)
    assert j.h1() == "Boka tid"
    j.audit("villkor")
    approve(j)
    assert j.h1() == "Välj typ av tid"
    j.audit("typ")
    j.click("Fortsätt")
    j.assert_error_state("Välj vilken typ av tid du vill boka.")
    j.audit("typ-fel")
    j.check("Läkarbesök Kom tio minuter före din tid.")
    j.click("Fortsätt")
    assert j.h1() == "Välj dag och tid"
    assert "Lediga tider tisdag 1 december 2026" in j.text()
    j.audit("dag")
    j.click("Fortsätt")
    j.assert_error_state("Välj en tid.")
    j.audit("dag-fel")
    j.click("Senare dagar", role="link")
    assert "Tidigare dagar" in j.text()
    j.audit("senare-dagar")
    j.follow(j.page.get_by_role("link", name="fredag 11 december 2026"))
    j.check("09.40")
    j.click("Fortsätt")
    assert j.h1() == "Varför vill du boka tiden?"
    j.click("Fortsätt")
    j.assert_error_state("Skriv varför du vill boka en tid.")
    j.audit("orsak-fel")
    j.fill("Orsak till besöket", "Ont i knät")
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera din bokning"
    for text in ("Vårdcentralen Test", "Läkarbesök", "fredag 11 december 2026 kl. 09.40", "Ont i knät", "Övrigt"):
        assert text in j.text()
    j.audit("kontrollera")
    j.click("Boka tiden")
    assert j.h1() == "Din tid är bokad"
    assert "fredag 11 december 2026 kl. 09.40" in j.text() and "Kom tio minuter före din tid." in j.text()
    j.audit("kvitto")
    with j.page.expect_download() as download:
        j.page.get_by_role("link", name="Lägg till i din kalender (.ics-fil)").click()
    assert download.value.suggested_filename == "bokad-tid.ics"
    j.page.get_by_label("E-postadress").fill("vera@")
    j.click("Skicka påminnelse dagen före")
    j.assert_error_state("Skriv e-postadressen i formen namn@exempel.se.")
    j.audit("paminnelse-fel")
    j.page.get_by_label("E-postadress").fill("vera@example.se")
    j.click("Skicka påminnelse dagen före")
    assert "Du får en påminnelse dagen före tiden med e-post" in j.text()
    j.audit("paminnelse")
    j.click("Gå till inkorgen", role="link")
    assert "Bokad: fredag 11 december 2026 kl. 09.40" in j.text()
    j.audit("inkorg")


def test_mina_bokade_tider_and_omboka(journey: Journey) -> None:
    j = journey
    log_in(j, VC, ADULT)
    assert j.h1() == "Mina bokade tider"
    j.audit("mina")
    j.follow(j.page.get_by_role("link", name="Omboka torsdag 3 december 2026 kl. 08.00"))
    approve(j, audit=False)
    assert j.h1() == "Välj dag och tid"
    j.audit("dag")
    j.follow(j.page.get_by_role("link", name="onsdag 2 december 2026"))
    j.check("10.00")
    j.click("Fortsätt")
    assert j.h1() == "Vill du lämna en kommentar?"
    j.audit("kommentar")
    j.page.get_by_label("Kommentar").fill("Passar bättre")
    j.click("Fortsätt")
    assert "Ny tid" in j.text() and "onsdag 2 december 2026 kl. 10.00" in j.text()
    j.audit("kontrollera")
    j.click("Omboka tiden")
    assert j.h1() == "Din tid är ombokad"
    j.audit("kvitto")


def test_avboka(journey: Journey) -> None:
    j = journey
    log_in(j, VC, ADULT)
    j.follow(j.page.get_by_role("link", name="Avboka tisdag 1 december 2026 kl. 13.00"))
    assert j.h1() == "Avboka tid"
    j.audit("villkor")
    approve(j, audit=False)
    assert j.h1() == "Avboka tiden"
    # "Avbryt" leads back to Mina bokade tider, where the change began, with nothing cancelled (issue 20).
    cancel = j.page.locator("main .form-actions").get_by_role("link", name="Avbryt")
    assert cancel.get_attribute("href").endswith("/e-tjanster/vardcentralen-test/tidbok/")
    j.audit("kommentar")
    j.page.get_by_label("Kommentar").fill("x" * 501)
    j.click("Avboka tiden")
    j.assert_error_state("Skriv högst 500 tecken i kommentaren.")
    j.audit("kommentar-fel")
    j.page.get_by_label("Kommentar").fill("Frisk igen")
    j.click("Avboka tiden")
    assert j.h1() == "Din tid är avbokad"
    j.audit("kvitto")
    j.click("Mina bokade tider", role="link")
    assert "tisdag 1 december 2026 kl. 13.00" not in j.text()


def test_specialist_times_that_may_not_be_changed_say_why(journey: Journey) -> None:
    j = journey
    log_in(j, "/e-tjanster/specialisten/tidbok/", ADULT)
    assert "kan inte ombokas här" in j.text() and "mindre än 72 timmar kvar" in j.text()
    j.audit("mina")


def test_a_guardian_books_for_a_child_and_age_barred_types_are_not_offered(journey: Journey) -> None:
    j = journey
    log_in(j, f"{VC}boka/", ADULT, child="Bo Barn")
    approve(j, audit=False)
    assert j.page.get_by_label("Provtagning").count() == 1
    assert j.page.get_by_label("Vaccination").count() == 0 and j.page.get_by_label("BVC-besök").count() == 0
    j.audit("typ-barn")
    j.check("Provtagning")
    j.click("Fortsätt")
    j.check("13.10")
    j.click("Fortsätt")
    assert "Bo Barn" in j.text()
    j.click("Boka tiden")
    assert j.h1() == "Din tid är bokad"
    j.audit("kvitto-barn")


def test_the_race_error_page(journey: Journey, live_app: Flask) -> None:
    j = journey
    log_in(j, f"{VC}boka/", ADULT)
    approve(j, audit=False)
    j.check("Läkarbesök Kom tio minuter före din tid.")
    j.click("Fortsätt")
    j.follow(j.page.get_by_role("link", name="måndag 7 december 2026"))
    j.check("10.40")
    j.click("Fortsätt")
    j.fill("Orsak till besöket", "Hosta")
    j.click("Fortsätt")
    start = NOW.replace(day=7, hour=9, minute=40)
    with live_app.app_context():
        taken = live_app.extensions[EXTENSION].make_booking(
            Request("vardcentralen-test", "lakarbesok", start, CHILD, ADULT, "Feber", "someone-else"), NOW
        )
    assert taken.ok
    j.click("Boka tiden")
    j.assert_error_state(TAKEN_TEXT)
    assert "Lediga tider måndag 7 december 2026" in j.text()
    assert j.page.get_by_label("10.40").count() == 0
    j.audit("upptagen")


def test_a_second_window_that_changes_the_time_is_shown_before_anything_is_booked(journey: Journey, live: str) -> None:
    j = journey
    log_in(j, f"{VC}boka/", ADULT)
    approve(j, audit=False)
    j.check("Provtagning")
    j.click("Fortsätt")
    j.goto(f"{VC}boka/tid/?dag=2026-12-08")
    j.check("13.20")
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera din bokning"
    other = j.page.context.new_page()  # the same citizen's second window chooses another time
    other.goto(f"{live}{VC}boka/tid/?dag=2026-12-08")
    other.get_by_label("13.30").check()
    with other.expect_navigation():
        other.get_by_role("button", name="Fortsätt").click()
    other.close()
    j.click("Boka tiden")
    assert j.h1() == "Kontrollera din bokning"
    assert "Du har ändrat bokningen i ett annat fönster" in j.text()
    assert "tisdag 8 december 2026 kl. 13.30" in j.text() and "13.20" not in j.text()
    j.audit("kontrollera-andrad")
    j.click("Boka tiden")
    assert j.h1() == "Din tid är bokad" and "tisdag 8 december 2026 kl. 13.30" in j.text()


def test_avboka_of_a_booking_moved_meanwhile_says_so_and_cancels_nothing(journey: Journey, live_app: Flask) -> None:
    j = journey
    tidbok = live_app.extensions[EXTENSION]
    start = NOW.replace(day=9, hour=7, minute=40)  # onsdag 9 december 08.40
    with live_app.app_context():
        made = tidbok.make_booking(
            Request("vardcentralen-test", "lakarbesok", start, ADULT, ADULT, "Ont", "moved-meanwhile"), NOW
        )
    assert made.ok and made.booking is not None
    log_in(j, VC, ADULT)
    j.follow(j.page.get_by_role("link", name="Avboka onsdag 9 december 2026 kl. 08.40"))
    approve(j, audit=False)
    assert j.h1() == "Avboka tiden"
    with live_app.app_context():  # moved in another window (or by the mottagning) while this page is open
        assert tidbok.update_booking(made.booking.key, ADULT, start.replace(hour=8, minute=0), None, NOW).ok
    j.page.get_by_label("Kommentar").fill("Frisk igen")
    j.click("Avboka tiden")
    assert j.h1() == "Bokningen har ändrats"
    assert "Din ändring är inte gjord" in j.text() and "onsdag 9 december 2026 kl. 09.00" in j.text()
    j.audit("andrad")
    j.click("Mina bokade tider", role="link")
    assert "onsdag 9 december 2026 kl. 09.00" in j.text()  # still booked


def test_boka_tid_with_the_keyboard_alone(page: Any, live: str) -> None:
    page.goto(f"{live}{VC}boka/")
    tab_to(page, page.get_by_label("Personnummer"))
    page.keyboard.type(OTHER)  # nobody else's journey has touched Olle's drafts
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Jag har läst och godkänner villkoren"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Fortsätt"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Välj typ av tid")
    tab_to(page, page.get_by_label("Läkarbesök Kom tio minuter före din tid."))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Fortsätt"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Välj dag och tid")
    tab_to(page, page.get_by_role("link", name="onsdag 9 december 2026"))
    page.keyboard.press("Enter")
    expect(page.locator("legend")).to_contain_text("onsdag 9 december 2026")
    tab_to(page, page.get_by_label("08.00"))
    page.keyboard.press("ArrowDown")  # to, and choosing, 08.20
    assert page.get_by_label("08.20").is_checked()
    tab_to(page, page.get_by_role("button", name="Fortsätt"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Varför vill du boka tiden?")
    tab_to(page, page.get_by_label("Orsak till besöket"))
    page.keyboard.type("Ont i ryggen")
    tab_to(page, page.get_by_role("button", name="Fortsätt"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Kontrollera din bokning")
    tab_to(page, page.get_by_role("button", name="Boka tiden"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Din tid är bokad")
    expect(page.locator("main")).to_contain_text("onsdag 9 december 2026 kl. 08.20")
