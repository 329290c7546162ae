"""Staff book for a caller in a real browser, JavaScript off, at 375×667 and 1280×800, axe on every page.

The tidsbokare opens the day, books a free time for a caller (through the form's error state),
checks and books it, reads the week and a booking's Omboka and Avboka pages; then the citizen
finds the time in Mina bokade tider marked "Bokad av mottagningen" and cancels it, as the time
type allows (staff_bookings: cancel). Every page is checked with axe-core and the Nu Html Checker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.forms.booking_support import OTHER
from tests.forms.booking_support import VC as CITIZEN_VC
from tests.forms.journey import Journey
from tests.forms.test_booking_browser import approve, log_in
from tests.forms.tidbok_staff_support import BOOKER, P, make_tidbok_staff_app
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": ({"width": 1280, "height": 800}, "08.40"), "mobile": ({"width": 375, "height": 667}, "09.20")}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    app = make_tidbok_staff_app(tmp_path_factory.mktemp("staffbooking"))
    with serve_app(app) as url:
        yield url, app


def journey(browser: Any, base: str, documents: dict[str, str], name: str, viewport: dict[str, int]) -> Journey:
    page = browser.new_context(viewport=viewport, java_script_enabled=False, locale="sv-SE").new_page()
    axe = browser.new_context(viewport=viewport, java_script_enabled=True, bypass_csp=True, locale="sv-SE").new_page()
    return Journey(name, page, axe, base, documents)


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_staff_book_for_a_caller_and_the_citizen_sees_it_and_cancels_it(
        browser: Any, live: tuple[str, Flask], documents: dict[str, str], size: str) -> None:
    base, _app = live
    viewport, clock = VIEWPORTS[size]
    j = journey(browser, base, documents, f"{size}-personal", viewport)
    j.goto("/e-tjanster/personal/")
    j.fill("HSA-id", BOOKER)
    j.click("Logga in")
    j.goto(f"{P}/tidbok/?dag=2026-12-03")
    assert "torsdag 3 december 2026" in j.text()
    j.audit("dag")
    j.click("Veckans tider", role="link")
    assert j.h1().startswith("Tidbok vecka 49")
    j.audit("vecka")
    j.follow(j.page.get_by_role("button", name=f"Boka tid åt invånare torsdag 3 december 2026 {clock} Läkarbesök"))
    assert j.h1() == "Boka tid åt invånare"
    j.audit("formular")
    j.fill("Anledning till besöket", "Ont i halsen")
    j.fill("Kommentar till mottagningen (frivillig)", "Ringde från jobbet")
    j.fill("Invånarens personnummer", "19121212-1212")
    j.click("Fortsätt")
    j.assert_error_state("Det finns ingen person med personnumret 19121212-1212.")
    assert j.page.get_by_label("Kommentar till mottagningen (frivillig)").input_value() == "Ringde från jobbet"
    j.audit("formular-fel")
    j.fill("Invånarens personnummer", OTHER)
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera bokningen" and "Olle Annan" in j.text()
    j.audit("kontrollera")
    j.click("Boka tiden")
    assert "Tiden är bokad." in j.text() and "Ringde från jobbet" in j.text()
    j.audit("bokad")
    j.follow(j.page.get_by_role("link", name=f"Omboka {clock}").first)
    assert j.h1() == "Omboka tid åt invånare"
    j.audit("omboka")
    j.click("Tillbaka", role="link")
    j.follow(j.page.get_by_role("link", name=f"Avboka {clock}").first)
    assert j.h1() == "Avboka tid åt invånare"
    j.audit("avboka")

    c = journey(browser, base, documents, f"{size}-invanare", viewport)
    log_in(c, CITIZEN_VC, OTHER)
    assert c.h1() == "Mina bokade tider"
    when = f"torsdag 3 december 2026 kl. {clock}"
    item = c.page.locator("li", has_text=when)
    assert "Bokad av mottagningen" in item.inner_text()
    c.audit("mina-tider")
    c.follow(c.page.get_by_role("link", name=f"Avboka {when}"))
    approve(c, audit=False)
    assert c.h1() == "Avboka tiden"
    c.click("Avboka tiden")
    assert c.h1() == "Din tid är avbokad"
    c.audit("avbokad")
    c.click("Mina bokade tider", role="link")
    assert when not in c.text()
