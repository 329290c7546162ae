"""Omvänt ärendeflöde in a real browser with JavaScript off, at 375×667, axe on every page at 375
and at 1280 px (the axe page resized over the same markup, so the journey is walked once).

Staff write to a citizen from a mall, asking for a reply and with a kallelse; the citizen reads
it in the inbox, replies, and books through the kallelse, whose link is then spent. The error
states on the way are checked too, and every page at the end with the Nu Html Checker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from forms.store.db import MessageTemplate
from tests.forms.journey import Journey
from tests.forms.omvant_support import ADMIN, ADULT, SENDER, VC, engine_of, make_omvant_app, mall_id
from tests.forms.test_staff_browser import staff_login
from tests.support.browser import DESKTOP, MOBILE
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    app = make_omvant_app(tmp_path_factory.mktemp("omvant"))
    with serve_app(app) as url:
        yield url, app


def _journey(browser: Any, name: str, base: str, documents: dict[str, str]) -> Journey:
    page = browser.new_context(viewport=MOBILE, java_script_enabled=False, locale="sv-SE").new_page()
    axe = browser.new_context(viewport=MOBILE, java_script_enabled=True, bypass_csp=True, locale="sv-SE").new_page()
    return Journey(name, page, axe, base, documents, also_at=[DESKTOP])


def test_staff_send_a_kallelse_and_the_citizen_replies_and_books_through_it(browser, live, documents) -> None:
    base, app = live
    admin = _journey(browser, "mallar", base, documents)
    staff_login(admin, ADMIN)
    admin.follow(admin.page.get_by_role("link", name="Mallar"))
    assert admin.h1() == "Mallar" and "Dags för kontroll" in admin.text()
    admin.audit("mallar")
    admin.follow(admin.page.get_by_role("link", name="Dags för kontroll"))
    assert admin.h1() == "Ändra mall"
    admin.page.get_by_label("Kallelse", exact=True).select_option(label="Vaccination")
    admin.check("Be invånaren svara")
    admin.audit("mall-kallelse")
    admin.click("Spara")
    assert "Mallen är sparad." in admin.text() and "Kallelse: Vaccination · Ber invånaren svara" in admin.text()
    admin.audit("mallar-sparad")

    staff = _journey(browser, "personal", base, documents)
    staff_login(staff, SENDER)
    assert staff.h1() == "Ärenden"
    staff.follow(staff.page.get_by_role("link", name="Nytt meddelande till invånare"))
    assert staff.h1() == "Nytt meddelande till invånare"
    staff.audit("nytt")
    staff.click("Skicka")
    staff.assert_error_state("Skriv invånarens personnummer.", "Skriv ett ämne.", "Skriv ett meddelande.")
    staff.audit("nytt-fel")
    staff.fill("Invånarens personnummer", "19700101-1234")
    staff.page.get_by_label("Mall", exact=True).select_option(label="Dags för kontroll")
    staff.click("Använd mallen")
    assert staff.page.get_by_label("Ämne", exact=True).input_value() == "Dags för kontroll"
    # The mall's kallelse and reply are chosen with it.
    assert staff.page.get_by_label("Kallelse", exact=True).input_value() == "vaccination"
    assert staff.page.get_by_label("Be invånaren svara").is_checked()
    staff.click("Skicka")
    staff.assert_error_state("Personnumret stämmer inte. Kontrollera att alla siffror är rätt.")
    staff.audit("personnummer-fel")
    staff.fill("Invånarens personnummer", ADULT)
    staff.click("Skicka")
    assert "Meddelandet är skickat till invånaren." in staff.text()
    reference = staff.reference()
    assert "Vaccination. Invånaren har inte bokat någon tid ännu." in staff.text()  # the staff see the kallelse open
    staff.audit("skickat")

    citizen = _journey(browser, "invanare", base, documents)
    citizen.goto("/e-tjanster/inkorg/")
    citizen.login(ADULT)
    assert "Dags för kontroll" in citizen.text() and "Oläst" in citizen.text()
    assert "Status: Väntar på ditt svar och att du bokar en tid" in citizen.text()
    citizen.audit("inkorg")
    citizen.follow(citizen.page.get_by_role("link", name="Dags för kontroll"))
    assert "Meddelande från mottagningen" in citizen.text() and reference in citizen.text()
    citizen.audit("meddelande")
    citizen.fill("Ditt svar", "Tack, jag bokar en tid.")
    citizen.click("Skicka svar")
    assert "Ditt svar är skickat till mottagningen." in citizen.text()
    citizen.audit("svarat")
    citizen.click("Boka tid", role="link")
    assert citizen.h1() == "Boka tid"
    citizen.check("Jag har läst och godkänner villkoren")
    citizen.click("Fortsätt")
    assert citizen.h1() == "Välj dag och tid" and "Vaccination" in citizen.text()
    citizen.audit("dag")
    citizen.page.get_by_role("radio").first.check()
    citizen.click("Fortsätt")
    assert citizen.h1() == "Kontrollera din bokning" and "Vaccination" in citizen.text()
    citizen.audit("kontrollera")
    citizen.click("Boka tiden")
    assert citizen.h1() == "Din tid är bokad"
    citizen.goto(f"/e-tjanster/inkorg/{reference}/")
    assert "Du har bokat en tid med kallelsen." in citizen.text()
    citizen.audit("kallelse-anvand")
    staff.goto(f"/e-tjanster/personal/{VC}/arenden/{reference}/")
    assert "Vaccination. Tid bokad: " in staff.text()  # "Har hon bokat?": the staff see it, and when
    staff.audit("kallelse-bokad")
    staff.goto(f"/e-tjanster/personal/{VC}/arenden/?status=Alla")
    assert "Kallelse: tid bokad" in staff.text()  # and on the message's row of the case list
    staff.audit("lista-kallelse")

    # A mall whose type has since gone from the tidbok says so on its edit page.
    with engine_of(app).begin() as connection:
        connection.execute(update(MessageTemplate).values(kallelse="borttagen-typ"))
    admin.goto(f"/e-tjanster/personal/{VC}/mallar/{mall_id(app, VC)}/")
    assert "Mallens typ av tid finns inte längre i tidboken." in admin.text()
    admin.audit("mall-kallelse-borttagen")
