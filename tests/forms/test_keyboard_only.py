"""A citizen who uses only the keyboard completes Begär intyg (renewal) on a phone without JavaScript.

Tab moves between controls, arrow keys choose a radio, Space ticks a checkbox, Enter presses the
focused button: no mouse, no `fill`, no `click`.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.forms.test_journeys import CLINIC, TOLVAN, live  # noqa: F401 - the live server fixture

pytestmark = pytest.mark.browser


def tab_to(page: Any, target: Any, limit: int = 60) -> None:
    """Press Tab until `target` has focus; fail if it never gets there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.and_(page.locator(":focus")).count() == 1:
            return
    pytest.fail(f"Tab never reached {target}")


def test_begar_intyg_renewal_with_the_keyboard_alone(page: Any, live: str) -> None:  # noqa: F811
    page.goto(f"{live}{CLINIC}/begar-intyg/")
    expect(page.locator("h1")).to_have_text("Testinloggning")

    tab_to(page, page.get_by_label("Personnummer"))
    page.keyboard.type(TOLVAN)
    page.keyboard.press("Enter")

    tab_to(page, page.get_by_label("Jag har läst och godkänner villkoren"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Fortsätt"))
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Vilket intyg gäller det?")
    tab_to(page, page.get_by_label("Körkortsintyg"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Nytt intyg"))
    page.keyboard.press("ArrowDown")  # moves to, and chooses, Förnyelse
    assert page.get_by_label("Förnyelse").is_checked()
    tab_to(page, page.get_by_role("button", name="Fortsätt"))
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Ditt nuvarande intyg")
    tab_to(page, page.get_by_label("Vem utfärdade ditt nuvarande intyg?"))
    page.keyboard.type("Dr Berg")
    tab_to(page, page.get_by_label("Till och med vilket datum gäller det?"))
    page.keyboard.type("2027-03-31")
    page.keyboard.press("Enter")  # Enter in a text field submits the page

    expect(page.locator("h1")).to_have_text("Något mer?")
    tab_to(page, page.get_by_role("button", name="Fortsätt"))
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Kontrollera dina svar")
    expect(page.locator("main")).to_contain_text("Dr Berg")
    tab_to(page, page.get_by_role("button", name="Skicka"))
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Ditt ärende är skickat")
