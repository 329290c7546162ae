"""Journeys through the demo e-services at 375×667 with JavaScript off, against a live server.

One test per journey. Each page visited is checked with axe-core (WCAG 2.x A/AA, error states
included) and, at the end, with the Nu Html Checker.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms import create_app
from tests.forms.journey import Journey
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CLINIC = "/e-tjanster/storgardens-vardcentral"
TOLVAN = "19121212-1212"  # guardian of Tilda (8) and of Tova (15)
TOVA = "20110510-2386"  # 15: no list of prescriptions
ERIK = "19850315-1238"  # an adult without children
DEMO_NOW = datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The forms app on the demo content and demo data, on 127.0.0.1 at a free port."""
    app = create_app(
        {
            "FORMS_CONTENT_DIR": str(ROOT / "content"),
            "FORMS_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('live') / 'cases.sqlite3'}",
            "FORMS_TEST_LOGIN": "1",
            "FORMS_SECRET_KEY": "journeys",
            "CLOCK": lambda: DEMO_NOW,
        }
    )
    with serve_app(app) as url:
        yield url


@pytest.fixture
def journey(page: Any, axe_page: Any, live: str, documents: dict[str, str], request: pytest.FixtureRequest) -> Journey:
    name = request.node.name.removeprefix("test_")
    return Journey(name, page, axe_page, live, documents)


def start(j: Journey, eservice: str, personnummer: str, subject: str | None = None) -> None:
    """From the e-service's address through the test login (and the choice of whom) to the villkor."""
    j.goto(f"{CLINIC}/{eservice}/")
    j.audit("inloggning")
    j.login(personnummer)
    if subject is not None:
        j.click("Byt person", role="link")
        assert j.h1() == "Vem vill du använda e-tjänsterna för?"
        j.audit("vem")
        j.page.get_by_label(subject).check()
        j.click("Fortsätt")
    assert j.page.get_by_label("Jag har läst och godkänner villkoren").count() == 1
    j.audit("villkor")
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")


def send_and_open_case(j: Journey) -> str:
    """Skicka on the check page; the receipt, the inbox and the case page; return the reference."""
    j.click("Skicka")
    assert j.h1() == "Ditt ärende är skickat"
    reference = j.reference()
    j.audit("kvitto")
    j.click("Gå till inkorgen", role="link")
    assert reference in j.text()
    j.audit("inkorg")
    j.follow(j.page.locator(".case-list a").first)
    assert reference in j.text()
    j.audit("arende")
    return reference


def test_begar_intyg_renewal_branch(journey: Journey) -> None:
    j = journey
    start(j, "begar-intyg", TOLVAN)
    assert j.h1() == "Vilket intyg gäller det?"
    j.audit("sida-1")
    j.check("Körkortsintyg")
    j.check("Förnyelse")
    j.click("Fortsätt")
    assert j.h1() == "Ditt nuvarande intyg"
    j.audit("sida-2")
    j.fill("Vem utfärdade ditt nuvarande intyg?", "Dr Berg, Storgårdens vårdcentral")
    j.fill("Till och med vilket datum gäller det?", "2027-03-31")
    j.click("Fortsätt")
    assert j.h1() == "Något mer?"
    j.audit("sida-3")
    j.page.get_by_label("Vill du berätta något mer om intyget?").fill("Intyget ska till Transportstyrelsen.")
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera dina svar"
    for text in ("Körkortsintyg", "Förnyelse", "Dr Berg, Storgårdens vårdcentral", "31 mars 2027", "Transportstyrelsen"):
        assert text in j.text()
    j.audit("kontrollera")
    j.follow(j.page.get_by_role("link", name="Ändra svar: Vilket intyg vill du ha?"))
    assert j.h1() == "Vilket intyg gäller det?"
    assert j.page.get_by_role("link", name="Tillbaka").get_attribute("href").endswith("/kontrollera/")
    j.check("Intyg för färdtjänst")
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera dina svar" and "Intyg för färdtjänst" in j.text()
    reference = send_and_open_case(j)
    assert "Intyg för färdtjänst" in j.text() and "Dr Berg, Storgårdens vårdcentral" in j.text()
    # Back from the case page to the check page (reload or back after sending) shows the same receipt.
    j.goto(f"{CLINIC}/begar-intyg/kontrollera/")
    assert j.h1() == "Ditt ärende är skickat" and j.reference() == reference


def test_begar_intyg_new_branch_skips_the_renewal_page(journey: Journey) -> None:
    j = journey
    start(j, "begar-intyg", ERIK)
    j.check("Intyg om vapeninnehav")
    j.check("Nytt intyg")
    j.click("Fortsätt")
    assert j.h1() == "Något mer?" and j.page.url.endswith("/sida/3/")
    assert j.page.get_by_role("link", name="Tillbaka").get_attribute("href").endswith("/sida/1/")
    j.audit("sida-3")
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera dina svar"
    assert "Ditt nuvarande intyg" not in j.text() and "Vem utfärdade" not in j.text()
    j.audit("kontrollera")
    send_and_open_case(j)
    assert "Intyg om vapeninnehav" in j.text() and "Ditt nuvarande intyg" not in j.text()


def fill_product(j: Journey, number: int, product: str, size: str, per_day: str, packages: str) -> None:
    item = j.page.locator("fieldset.repeat-item").filter(has=j.page.locator("legend", has_text=f"Hjälpmedel {number}"))
    item.get_by_label("Produktnamn").fill(product)
    item.get_by_label("Storlek").fill(size)
    item.get_by_label("Hur många använder du per dygn?").fill(per_day)
    item.get_by_label("Hur många förpackningar vill du ha?").fill(packages)


def test_fornya_hjalpmedel_two_products_one_removed_one_added(journey: Journey) -> None:
    j = journey
    start(j, "fornya-hjalpmedel", ERIK)
    assert j.h1() == "Vilka hjälpmedel vill du förnya?"
    j.audit("en-produkt")
    fill_product(j, 1, "Tena Lady Normal", "M", "3", "2")
    j.click("Lägg till")
    assert j.page.locator("legend", has_text="Hjälpmedel 2").count() == 1
    assert j.page.get_by_label("Produktnamn").first.input_value() == "Tena Lady Normal"
    fill_product(j, 2, "Abena Pants", "L", "2", "1")
    j.audit("tva-produkter")
    j.follow(j.page.get_by_role("button", name="Ta bort Hjälpmedel 1"))
    assert j.page.locator("legend", has_text="Hjälpmedel 2").count() == 0
    assert j.page.get_by_label("Produktnamn").input_value() == "Abena Pants"
    j.click("Lägg till")
    fill_product(j, 2, "Depend Mini", "", "1", "3")
    j.audit("efter-byte")
    j.click("Fortsätt")
    assert j.h1() == "Något mer?"
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera dina svar"
    text = j.text()
    assert "Abena Pants" in text and "Depend Mini" in text and "Tena" not in text
    j.audit("kontrollera")
    send_and_open_case(j)
    assert "Abena Pants" in j.text() and "Depend Mini" in j.text() and "Tena" not in j.text()


def add_medicine_by_hand(j: Journey, name: str, strength: str, form: str) -> None:
    item = j.page.locator("fieldset.repeat-item").last
    item.get_by_label("Läkemedlets namn").fill(name)
    item.get_by_label("Styrka").fill(strength)
    item.get_by_label("Beredningsform").fill(form)


def test_fornya_recept_adult_picks_from_the_list_and_adds_one_by_hand(journey: Journey) -> None:
    j = journey
    start(j, "fornya-recept", TOLVAN)
    assert j.h1() == "Vilka läkemedel vill du förnya?"
    boxes = j.page.locator("input[type=checkbox]")
    labels = [j.page.locator(f"label[for='{boxes.nth(i).get_attribute('id')}']").inner_text() for i in range(boxes.count())]
    assert [label.split("\n")[0].split(" Förskrivet")[0] for label in labels] == [
        "Levaxin 50 mikrogram, tablett",
        "Enalapril 10 mg, tablett",
    ]
    for absent in ("Omeprazol", "Citalopram", "Salbutamol"):  # too old, discontinued, another mottagning
        assert absent not in j.text()
    j.audit("lista")
    j.page.get_by_label("Levaxin").check()
    j.click("Lägg till")
    add_medicine_by_hand(j, "Alvedon", "500 mg", "tablett")
    j.audit("for-hand")
    j.click("Fortsätt")
    assert j.h1() == "Något mer?"
    j.click("Fortsätt")
    text = j.text()
    assert "Levaxin 50 mikrogram" in text and "Valt från listan" in text
    assert "Alvedon" in text and "Inskrivet för hand" in text and "Enalapril" not in text
    j.audit("kontrollera")
    send_and_open_case(j)
    assert "Levaxin" in j.text() and "Alvedon" in j.text()


def test_fornya_recept_as_a_15_year_old_has_no_list(journey: Journey) -> None:
    j = journey
    start(j, "fornya-recept", TOVA)
    assert j.page.locator("input[type=checkbox]").count() == 0
    assert "16 år eller äldre" in j.text() and "Desloratadin" not in j.text()
    j.audit("ingen-lista")
    j.click("Fortsätt")
    j.assert_error_state("Läkemedel 1: Skriv läkemedlets namn")
    j.audit("fel-for-hand")
    add_medicine_by_hand(j, "Desloratadin", "5 mg", "tablett")
    j.click("Fortsätt")
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera dina svar" and "Desloratadin" in j.text()
    send_and_open_case(j)


def test_fornya_recept_as_a_guardian_for_a_child_has_no_list(journey: Journey) -> None:
    j = journey
    start(j, "fornya-recept", TOLVAN, subject="Tilda Tolvansson")
    header = j.page.locator("header").inner_text()
    assert "Tilda Tolvansson" in header
    assert j.page.locator("input[type=checkbox]").count() == 0
    assert "för ett barn" in j.text()
    for absent in ("Levaxin", "Mometason"):
        assert absent not in j.text()
    j.audit("ingen-lista")
    add_medicine_by_hand(j, "Mometason", "50 mikrogram/dos", "nässpray")
    j.click("Fortsätt")
    j.click("Fortsätt")
    assert "Tilda Tolvansson" in j.text()
    j.audit("kontrollera")
    send_and_open_case(j)
    assert "Tilda Tolvansson" in j.text() and "Tolvan Tolvansson" in j.text()


def test_error_state_of_each_page_type(journey: Journey) -> None:
    j = journey
    # Login: a personnummer whose check digit is wrong.
    j.goto(f"{CLINIC}/begar-intyg/")
    j.fill("Personnummer", "19121212-1213")
    j.click("Logga in")
    j.assert_error_state("Personnumret stämmer inte")
    assert j.page.get_by_label("Personnummer").input_value() == "19121212-1213"
    j.audit("inloggning")
    j.login_retry = None
    j.fill("Personnummer", ERIK)
    j.click("Logga in")
    # Villkor: Fortsätt without the checkbox.
    j.click("Fortsätt")
    j.assert_error_state("godkänner villkoren")
    j.audit("villkor")
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")
    # Choice: nothing chosen.
    j.click("Fortsätt")
    j.assert_error_state("Välj ett alternativ")
    j.audit("val")
    j.check("Körkortsintyg")
    j.check("Förnyelse")
    j.click("Fortsätt")
    # Text and date: empty.
    j.click("Fortsätt")
    j.assert_error_state("Skriv vem som utfärdade", "Skriv ett datum som 2025-01-31")
    j.audit("text-och-datum")
    j.fill("Vem utfärdade ditt nuvarande intyg?", "Dr Berg")
    j.fill("Till och med vilket datum gäller det?", "2027-01-31")
    j.click("Fortsätt")
    # Textarea: longer than max_length, and what was typed is kept.
    long_text = "Lång text. " * 100
    j.page.get_by_label("Vill du berätta något mer om intyget?").fill(long_text)
    j.click("Fortsätt")
    j.assert_error_state("Skriv högst 1000 tecken")
    assert j.page.get_by_label("Vill du berätta något mer om intyget?").input_value() == long_text.strip()
    j.audit("textruta")

    # Repeat with numbers: empty and out of range; Enter in a field means Fortsätt, not Ta bort.
    j.goto(f"{CLINIC}/fornya-hjalpmedel/")
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")
    j.click("Lägg till")
    fill_product(j, 1, "Tena", "", "300", "")
    j.page.get_by_label("Produktnamn").first.press("Enter")
    j.assert_error_state("Skriv ett tal mellan 0 och 50", "Skriv hur många förpackningar du vill ha")
    # Enter pressed "Fortsätt", not the first "Ta bort": both items are still there, and the blank
    # second one is left out of the checks instead of being reported.
    assert j.page.locator("legend", has_text="Hjälpmedel 2").count() == 1
    assert "Hjälpmedel 2:" not in j.page.locator(".error-summary").inner_text()
    assert j.page.get_by_label("Hur många använder du per dygn?").first.input_value() == "300"
    j.audit("upprepning")

    # Prescriptions: nothing chosen from Erik's list and nothing added by hand.
    j.goto(f"{CLINIC}/fornya-recept/")
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")
    j.click("Fortsätt")
    j.assert_error_state("Välj minst ett läkemedel i listan")
    j.audit("recept")

    # Checkboxes: none chosen on the mottagning's own (local) e-service.
    j.goto(f"{CLINIC}/halsosamtal/")
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")
    j.click("Fortsätt")
    j.assert_error_state("Välj minst ett alternativ")
    j.audit("kryssrutor")
