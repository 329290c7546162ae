"""At 375×667 with JavaScript off, axe on every page: "Vem vill du lämna dina synpunkter till?"
through to Patientnämnden's case list and case page (axe at 1280 px too, on the same markup), and "Var vill du boka tid?" through to a time
booked at the other mottagning (CONTRACT section 9). Every page is also checked with the Nu Html
Checker, once for the module."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms import create_app
from tests.forms import booking_support
from tests.forms.conftest import ADULT, NOW
from tests.forms.journey import Journey
from tests.forms.pn_support import PN_STAFF, SYNPUNKTER_URL, UNIT, write_pn_content, write_pn_demo
from tests.support.browser import DESKTOP
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pn_live(content_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pnlive")
    app = create_app({
        "FORMS_CONTENT_DIR": str(write_pn_content(content_dir, root / "content")),
        "FORMS_DEMO_DATA": str(write_pn_demo(root / "demo.yaml")),
        "FORMS_DATABASE_URL": f"sqlite:///{root / 'cases.sqlite3'}",
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "pn-browser",
        "CLOCK": lambda: NOW,
    })
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def where_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("wherelive")
    content = booking_support.write_booking_content(root / "content")
    clinic = content / "clinics" / "vardcentralen-test.yaml"
    clinic.write_text(
        clinic.read_text(encoding="utf-8").replace(
            "    villkor: Villkor för att boka.\n", "    villkor: Villkor för att boka.\n    clinics: [specialisten]\n"
        ),
        encoding="utf-8",
    )
    demo = booking_support.write_demo(root / "demo.yaml")
    app = create_app(booking_support.config(content, demo, f"sqlite:///{root / 'store.sqlite3'}"))
    with serve_app(app) as url:
        yield url


def approve(j: Journey) -> None:
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")


def test_a_complaint_to_patientnamnden(page: Any, axe_page: Any, pn_live: str, documents: dict[str, str]) -> None:
    j = Journey("patientnamnden", page, axe_page, pn_live, documents, also_at=[DESKTOP])
    j.goto(SYNPUNKTER_URL)
    j.login(ADULT)
    approve(j)
    assert j.h1() == "Vem vill du lämna dina synpunkter till?"
    j.audit("fraga")
    j.click("Fortsätt")
    j.assert_error_state()
    j.audit("fraga-fel")
    j.page.get_by_role("radio", name="Patientnämnden").check()
    j.click("Fortsätt")
    j.fill("Beskriv vad som hände", "Jag fick vänta i tre timmar.")
    j.click("Fortsätt")
    j.page.get_by_role("radio", name="Nej").check()
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera dina svar" and "Patientnämnden" in j.text()
    j.audit("kontrollera")
    j.click("Skicka")
    assert "Patientnämnden (gäller Testmottagningen)" in j.text()
    reference = j.reference()
    j.audit("kvitto")
    j.goto("/e-tjanster/personal/")
    j.fill("HSA-id", PN_STAFF)
    j.click("Logga in")
    assert j.h1() == "Ärenden" and "Gäller: Testmottagningen" in j.text()
    j.audit("lista")
    j.follow(j.page.get_by_role("link", name=re.compile(reference)))
    assert f"/personal/{UNIT}/arenden/{reference}/" in j.page.url
    assert "Gäller: Testmottagningen" in j.text() and "Jag fick vänta i tre timmar." in j.text()
    j.audit("arende")


def test_booking_at_another_mottagning(page: Any, axe_page: Any, where_live: str, documents: dict[str, str]) -> None:
    j = Journey("var-vill-du-boka", page, axe_page, where_live, documents)
    j.goto(f"{booking_support.VC}boka/")
    j.login(booking_support.ADULT)
    approve(j)
    assert j.h1() == "Var vill du boka tid?"
    j.audit("var")
    j.click("Fortsätt")
    j.assert_error_state("Välj var du vill boka tid")
    j.audit("var-fel")
    j.check("Specialisten")
    j.click("Fortsätt")
    assert j.h1() == "Välj typ av tid" and "Specialisten" in j.page.locator(".caption").inner_text()
    j.check("Återbesök")
    j.click("Fortsätt")
    assert j.h1() == "Välj dag och tid"
    j.page.locator('input[name="tid"]').first.check()
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera din bokning" and "Specialisten" in j.text()
    j.audit("kontrollera")
    j.click("Boka tiden")
    assert j.h1() == "Din tid är bokad" and "Specialisten" in j.text()
    j.audit("kvitto")
