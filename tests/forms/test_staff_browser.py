"""The staff side in a real browser with JavaScript off, at 1280×800 and 375×667.

A receiver distributes a case, a handler answers it from a standardsvar, the citizen reads the
answer in the inbox and replies. Every staff page and error state on the way (and the admin and
granskare pages) is checked with axe-core where it stands and, at the end, with the Nu Html
Checker. A last test answers with the keyboard alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forms import create_app
from tests.forms.conftest import ADULT, NOW
from tests.forms.journey import Journey
from tests.forms.staff_support import ADMIN, AUDITOR, BOTH, CLINIC, HANDLER, RECEIVER, send_case
from tests.forms.test_keyboard_only import tab_to
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 375, "height": 667}}


@pytest.fixture(scope="module")
def staff_live(
    content_dir: Path, staff_demo_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Flask]]:
    app = create_app(
        {
            "FORMS_CONTENT_DIR": str(content_dir),
            "FORMS_DEMO_DATA": str(staff_demo_file),
            "FORMS_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('stafflive') / 'cases.sqlite3'}",
            "FORMS_TEST_LOGIN": "1",
            "FORMS_SECRET_KEY": "staff-browser",
            "CLOCK": lambda: NOW,
        }
    )
    with serve_app(app) as url:
        yield url, app


def _journey(browser: Any, name: str, size: dict[str, int], base: str, documents: dict[str, str]) -> Journey:
    page = browser.new_context(viewport=size, java_script_enabled=False, locale="sv-SE").new_page()
    axe = browser.new_context(viewport=size, java_script_enabled=True, bypass_csp=True, locale="sv-SE").new_page()
    return Journey(name, page, axe, base, documents)


def staff_login(j: Journey, hsa_id: str) -> None:
    j.goto("/e-tjanster/personal/")
    assert j.h1() == "Testinloggning för personal"
    j.fill("HSA-id", hsa_id)
    j.click("Logga in")


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_receiver_distributes_handler_answers_and_the_citizen_replies(browser, staff_live, documents, size) -> None:
    base, app = staff_live
    reference = send_case(app.test_client(), ADULT)
    viewport = VIEWPORTS[size]

    receiver = _journey(browser, f"{size}-mottagare", viewport, base, documents)
    receiver.goto("/e-tjanster/personal/")
    receiver.audit("login")
    receiver.click("Logga in")
    receiver.assert_error_state("Skriv ditt HSA-id.")
    receiver.audit("login-fel")
    staff_login(receiver, RECEIVER)
    assert receiver.h1() == "Ärenden" and reference in receiver.page.content()
    receiver.audit("lista")
    receiver.follow(receiver.page.get_by_role("link", name=re.compile(reference)))
    assert reference in receiver.text()
    receiver.audit("arende")
    receiver.click("Fördela")
    receiver.assert_error_state("Välj en ärendehanterare.")
    receiver.audit("fordela-fel")
    receiver.page.get_by_label("Ärendehanterare").select_option(label="Hugo Hanterare, Läkare")
    receiver.click("Fördela")
    assert "Ärendet är fördelat." in receiver.text()
    receiver.audit("fordelat")

    handler = _journey(browser, f"{size}-hanterare", viewport, base, documents)
    staff_login(handler, HANDLER)
    handler.follow(handler.page.get_by_role("link", name=re.compile(reference)))
    handler.click("Skicka svar")
    handler.assert_error_state("Skriv ett svar.")
    handler.audit("svar-fel")
    handler.page.get_by_label("Lägg till ett standardsvar").select_option(label="Intyget skickas")
    handler.click("Lägg till standardsvaret")
    answer = handler.page.get_by_label("Svar till invånaren", exact=True)
    assert "Ditt intyg skickas med post" in answer.input_value()
    handler.audit("standardsvar")
    handler.check("Be invånaren svara")
    handler.click("Skicka svar")
    assert "Svaret är skickat till invånaren." in handler.text()
    handler.audit("besvarat")

    citizen = _journey(browser, f"{size}-invanare", viewport, base, documents)
    citizen.goto("/e-tjanster/inkorg/")
    citizen.login(ADULT)
    assert "Besvarad" in citizen.text()
    citizen.audit("inkorg")
    citizen.follow(citizen.page.locator(".case-list a").first)
    assert "Ditt intyg skickas med post" in citizen.text() and "Hugo Hanterare, Läkare" in citizen.text()
    citizen.audit("svar")
    citizen.click("Skicka svar")
    citizen.assert_error_state("Skriv ditt svar.")
    citizen.audit("svar-fel")
    citizen.fill("Ditt svar", "Tack! Jag vill ha det till min adress i Jönköping.")
    citizen.click("Skicka svar")
    assert "Ditt svar är skickat till mottagningen." in citizen.text()
    citizen.audit("svarat")
    citizen.follow(citizen.page.get_by_role("link", name="Mina uppgifter"))
    assert citizen.h1() == "Mina uppgifter"
    citizen.audit("mina-uppgifter")
    citizen.fill("E-postadress (frivilligt)", "vera@")
    citizen.fill("Mobilnummer (frivilligt)", "12345")
    citizen.click("Spara")
    citizen.assert_error_state("Skriv e-postadressen i formen namn@exempel.se.")
    citizen.audit("mina-uppgifter-fel")
    citizen.fill("E-postadress (frivilligt)", "vera@example.se")
    citizen.fill("Mobilnummer (frivilligt)", "070-123 45 67")
    citizen.click("Spara")
    assert "Dina uppgifter är sparade." in citizen.text()
    citizen.audit("mina-uppgifter-sparade")

    handler.page.reload()
    assert "Tack! Jag vill ha det" in handler.text() and "Fördelad" in handler.text()
    for journey in (receiver, handler, citizen):
        journey.page.context.close()
        journey.axe_page.context.close()


def test_admin_granskare_and_choice_pages_are_accessible(browser, staff_live, documents) -> None:
    base, _app = staff_live
    size = VIEWPORTS["mobile"]
    admin = _journey(browser, "admin", size, base, documents)
    staff_login(admin, ADMIN)
    assert admin.h1() == "Standardsvar"
    admin.audit("standardsvar")
    admin.follow(admin.page.get_by_role("link", name="Nytt standardsvar"))
    admin.click("Spara")
    admin.assert_error_state("Skriv en rubrik.", "Skriv standardsvarets text.")
    admin.audit("standardsvar-fel")
    admin.fill("Rubrik", "Provsvar")
    admin.fill("Text", "Provsvaren är normala.")
    admin.click("Spara")
    admin.audit("standardsvar-sparat")
    admin.follow(admin.page.get_by_role("link", name="Roller"))
    admin.audit("roller")
    admin.click("Lägg till")
    admin.assert_error_state("Det finns ingen personal med det HSA-id:t.")
    admin.audit("roller-fel")

    auditor = _journey(browser, "granskare", size, base, documents)
    staff_login(auditor, AUDITOR)
    assert auditor.h1() == "Åtkomstlogg"
    auditor.audit("logg")
    auditor.fill("Invånarens personnummer", "123")
    auditor.click("Sök")
    auditor.assert_error_state()
    auditor.audit("logg-fel")
    auditor.fill("Invånarens personnummer", "")
    auditor.fill("Personalens HSA-id", RECEIVER)
    auditor.click("Sök")
    auditor.audit("logg-resultat")

    both = _journey(browser, "bada", VIEWPORTS["desktop"], base, documents)
    staff_login(both, BOTH)
    assert both.h1() == "Välj mottagning"
    both.audit("valj")
    both.follow(both.page.get_by_role("link", name="Testmottagningen"))
    both.audit("lista")
    both.click("Logga ut")
    assert both.h1() == "Du är utloggad"
    both.audit("utloggad")
    for journey in (admin, auditor, both):
        journey.page.context.close()
        journey.axe_page.context.close()


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_the_case_page_is_two_columns_on_a_wide_screen_and_one_on_a_phone(browser, staff_live, documents, size) -> None:
    """Issue 20 item 8: at 1280 px the case and its history beside the actions (tops level, one to
    the right of the other); at 375 px one column, the actions under the case. And item 7 in a
    browser without JavaScript: a standardsvar added keeps the answer and the note as typed."""
    base, app = staff_live
    reference = send_case(app.test_client(), ADULT)
    j = _journey(browser, f"{size}-arendesida", VIEWPORTS[size], base, documents)
    staff_login(j, BOTH)
    j.follow(j.page.get_by_role("link", name="Testmottagningen"))
    j.follow(j.page.get_by_role("link", name=re.compile(reference)))
    main, actions = j.page.locator(".case-main").bounding_box(), j.page.locator(".case-actions").bounding_box()
    if size == "desktop":
        assert actions["x"] >= main["x"] + main["width"], (main, actions)  # beside, not under
        assert abs(actions["y"] - main["y"]) < 40, (main, actions)  # tops level
        assert main["width"] > 500 and actions["width"] > 350, (main, actions)
    else:
        assert abs(actions["x"] - main["x"]) < 2 and actions["y"] >= main["y"] + main["height"], (main, actions)
        assert j.page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    assert "Invånaren godkände villkoren som gäller i dag." in j.text()
    j.audit("arende")
    j.fill("Svar till invånaren", "Hej Vera!")
    j.fill("Anteckning", "Ring upp i morgon")
    j.page.get_by_label("Lägg till ett standardsvar").select_option(label="Intyget skickas")
    j.click("Lägg till standardsvaret")
    answer = j.page.get_by_label("Svar till invånaren", exact=True).input_value()
    assert answer == "Hej Vera!\n\nHej! Ditt intyg skickas med post inom två veckor.", answer
    assert j.page.get_by_label("Anteckning", exact=True).input_value() == "Ring upp i morgon"
    assert j.page.url.endswith("/standardsvar/#svar-text")  # back at the answer, not the top of the page
    j.audit("standardsvar-tillagt")
    j.click("Lägg till standardsvaret")  # none chosen
    j.assert_error_state("Välj ett av standardsvaren i listan.")
    j.audit("standardsvar-fel")
    j.follow(j.page.get_by_role("link", name="Tillbaka till ärendelistan"))
    j.fill("Sök på ärendenummer eller personnummer", ADULT)
    j.click("Sök")
    assert f"med personnumret {ADULT}" in j.text() and reference in j.text()
    j.audit("sokresultat")
    j.fill("Sök på ärendenummer eller personnummer", "HV-2026")
    j.click("Sök")
    j.assert_error_state("Skriv ett ärendenummer som HV-2026-7KQ2MX")
    j.audit("sok-fel")
    j.page.context.close()
    j.axe_page.context.close()


def test_answering_with_the_keyboard_alone(browser, staff_live) -> None:
    base, app = staff_live
    reference = send_case(app.test_client(), ADULT)
    page = browser.new_context(viewport=VIEWPORTS["mobile"], java_script_enabled=False, locale="sv-SE").new_page()
    page.goto(f"{base}/e-tjanster/personal/")
    tab_to(page, page.get_by_label("HSA-id"))
    page.keyboard.type(BOTH)
    page.keyboard.press("Enter")
    page.wait_for_url("**/personal/mottagningar/")
    tab_to(page, page.get_by_role("link", name="Testmottagningen"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/personal/{CLINIC}/arenden/")
    tab_to(page, page.get_by_role("link", name=re.compile(reference)))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/arenden/{reference}/")
    tab_to(page, page.get_by_label("Svar till invånaren", exact=True), limit=120)
    page.keyboard.type("Hej! Intyget är klart.")
    tab_to(page, page.get_by_role("button", name="Skicka svar"))
    page.keyboard.press("Enter")
    page.wait_for_url("**klar=svara")
    assert "Svaret är skickat till invånaren." in page.locator("main").inner_text()
    page.context.close()
