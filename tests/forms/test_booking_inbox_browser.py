"""Bokade tider, Omboka from it, and the inbox after it, at 375×667 with JavaScript off, axe at zero.

A module of its own (a fresh store), so the inbox holds exactly what this journey made.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from forms import create_app
from tests.forms.booking_support import ADULT, VC, config, write_booking_content, write_demo
from tests.forms.journey import Journey
from tests.forms.test_booking_browser import approve, log_in
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("booking-inbox")
    app: Flask = create_app(config(write_booking_content(root / "content"), write_demo(root / "demo.yaml"),
                                   f"sqlite:///{root / 'store.sqlite3'}"))
    with serve_app(app) as url:
        yield url


def test_bokade_tider_omboka_from_it_and_the_inbox_after(
    page: Any, axe_page: Any, live: str, documents: dict[str, str],
) -> None:
    j = Journey("bokade-tider", page, axe_page, live, documents)
    log_in(j, "/e-tjanster/bokade-tider/", ADULT)
    assert j.h1() == "Bokade tider"
    assert "Specialisten" in j.text() and "Vårdcentralen Test" in j.text()
    j.audit("lista")
    j.goto(f"{VC}boka/")
    approve(j, audit=False)
    j.check("Läkarbesök Kom tio minuter före din tid.")
    j.click("Fortsätt")
    j.goto(f"{VC}boka/tid/?dag=2026-12-10")
    j.check("09.40")
    j.click("Fortsätt")
    j.fill("Orsak till besöket", "Ont i knät")
    j.click("Fortsätt")
    j.click("Boka tiden")
    j.page.get_by_label("E-postadress").fill("vera@example.se")
    j.click("Skicka påminnelse dagen före")
    j.click("Bokade tider", role="link")
    j.follow(j.page.get_by_role("link", name="Omboka torsdag 10 december 2026 kl. 09.40, Vårdcentralen Test"))
    changing = "Du ändrar: Läkarbesök, torsdag 10 december 2026 kl. 09.40, Vårdcentralen Test"
    assert changing in j.text()
    j.audit("omboka-villkor")
    approve(j, audit=False)
    assert changing in j.text()
    j.check("10.00")  # today: the first day with free times is shown at once
    j.click("Fortsätt")
    j.click("Fortsätt")
    assert changing in j.text() and "mindre än 24 timmar bort" in j.text()
    j.audit("omboka-kontrollera")
    j.click("Omboka tiden")
    assert "Påminnelsen dagen före som du hade valt skickas inte" in j.text()
    j.audit("omboka-kvitto")
    j.click("Inkorg", role="link")
    assert "Du har 2 olästa." in j.text() and "Ombokad till tisdag 1 december 2026 kl. 10.00" in j.text()
    assert "Status" not in j.text() and "Ärendenummer" not in j.text()
    j.audit("inkorg")
    j.click("Boka tid", role="link")
    assert "Ombokad till tisdag 1 december 2026 kl. 10.00" in j.text()
    j.audit("kopia")
    j.click("Tillbaka", role="link")
    assert "Du har 1 oläst." in j.text()
