"""The tidbok's staff pages in a real browser with JavaScript off, at 1280×800 and 375×667.

The lokal administratör adds a time type (through its error state), a schedule row and a closed
day, then reads the day view with a web booking, a staff booking and a cancelled one. Every page
and error state is checked with axe-core where it stands and, at the end, with the Nu Html Checker.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from forms.booking.common import EXTENSION
from forms.booking.interface import Request
from tests.forms.booking_support import NOW, OTHER
from tests.forms.journey import Journey
from tests.forms.tidbok_staff_support import ADMIN, VC, make_tidbok_staff_app
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 375, "height": 667}}
CET = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    app = make_tidbok_staff_app(tmp_path_factory.mktemp("tidbokstaff"))
    tidbok = app.extensions[EXTENSION]
    for minute, key in ((20, "a"), (40, "b")):
        start = datetime.datetime(2026, 12, 3, 8, minute, tzinfo=CET)
        result = tidbok.make_booking(Request(clinic=VC, time_type="lakarbesok", start=start, subject=OTHER,
                                             booked_by=OTHER, reason="Feber", request_key=key), NOW)
        assert result.ok
    later = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=CET)
    assert tidbok.update_booking(result.booking.key, OTHER, later, "Kan inte tidigt", NOW).ok
    assert tidbok.cancel_booking(result.booking.key, OTHER, "Blev frisk", NOW).ok
    with serve_app(app) as url:
        yield url, app


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_the_admin_keeps_the_tidbok_and_reads_the_day(browser: Any, live: tuple[str, Flask],
                                                      documents: dict[str, str], size: str) -> None:
    base, _app = live
    viewport = VIEWPORTS[size]
    page = browser.new_context(viewport=viewport, java_script_enabled=False, locale="sv-SE").new_page()
    axe = browser.new_context(viewport=viewport, java_script_enabled=True, bypass_csp=True, locale="sv-SE").new_page()
    j = Journey(f"{size}-tidbok", page, axe, base, documents)
    j.goto("/e-tjanster/personal/")
    j.fill("HSA-id", ADMIN)
    j.click("Logga in")

    j.click("Tidstyper", role="link")
    assert j.h1() == "Tidstyper"
    j.audit("tidstyper")
    j.click("Ny tidstyp", role="link")
    j.fill("Längd i minuter", "två")
    j.click("Spara")
    j.assert_error_state("Skriv tidstypens namn.", "Skriv längden i minuter, ett heltal från 5 till 480.")
    assert page.get_by_label("Längd i minuter").input_value() == "två"
    j.audit("tidstyp-fel")
    j.fill("Namn (det som den som bokar ser)", f"Samtal {size}")
    j.fill("Längd i minuter", "30")
    j.check("Får anges")
    j.click("Spara")
    assert f"Tidstypen Samtal {size} är sparad." in j.text()
    j.audit("tidstyp-sparad")

    j.click("Schema", role="link")
    j.click("Lägg till raden")
    j.assert_error_state("Välj en tidstyp.", "Välj minst en veckodag.")
    j.audit("schema-fel")
    page.get_by_label("Tidstyp", exact=True).select_option(label=f"Samtal {size}")
    j.check("ons")
    # The Swedish ways of typing a time; each size its own hour (one mottagning takes one booking at a time).
    hour = 13 if size == "desktop" else 14
    j.fill("Första tiden börjar", f"{hour}.00")
    j.fill("Sista tiden slutar senast", f"{hour + 1}00")
    j.click("Lägg till raden")
    assert "Schemat är sparat." in j.text()
    j.audit("schema-sparat")

    j.click("Stängda dagar", role="link")
    j.fill("Dag", "31 december")
    j.click("Stäng dagen")
    j.assert_error_state("Skriv dagen som år-månad-dag, till exempel 2027-01-31.")
    j.audit("stangd-fel")
    j.fill("Dag", "2026-12-31" if size == "desktop" else "2026-12-30")
    j.click("Stäng dagen")
    assert "De stängda dagarna är sparade." in j.text()
    j.audit("stangd-sparad")

    j.click("Tidbok", role="link")
    assert "tisdag 1 december 2026" in j.text()
    j.audit("dag")
    j.follow(page.get_by_role("link", name=re.compile(r"^Nästa dag\W+onsdag 2 december 2026$")))
    assert f"{hour}.00" in j.text() and f"Samtal {size}" in j.text()
    j.follow(page.get_by_role("link", name=re.compile(r"^Nästa dag\W+torsdag 3 december 2026$")))
    text = j.text()
    assert "Bokad av mottagningen" in text and "Bokad via webben" in text
    assert page.locator("del").count() == 1 and "Kommentar vid avbokning: Blev frisk" in text
    assert "Kommentar vid ombokning: Kan inte tidigt" in text
    j.audit("dag-bokningar")

    # By date and by week, not only day by day (issue 20, item 10).
    j.fill("Gå till dag", "24 december")
    j.click("Visa dagen")
    j.assert_error_state("Skriv dagen som år-månad-dag, till exempel 2027-01-31.")
    assert page.get_by_label("Gå till dag").input_value() == "24 december"
    j.audit("dag-fel")
    j.fill("Gå till dag", "2026-12-02")
    j.click("Visa dagen")
    assert "Onsdag 2 december 2026" in j.text() and f"Samtal {size}" in j.text()
    j.follow(page.get_by_role("link", name=re.compile(r"^Hela veckan")))
    assert "Vecka 49, 30 november – 6 december 2026" in j.text()
    j.audit("vecka")
    j.follow(page.get_by_role("link", name="Torsdag 3 december 2026"))
    assert "Kommentar vid avbokning: Blev frisk" in j.text()
