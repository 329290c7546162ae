"""The access log's result table in a real browser (issue 20, item 9): at 1280 px no HSA-id,
personnummer, case number or time breaks across lines, nothing is wider than the screen, and the
page passes axe-core at 1280 and 375 px (and the Nu Html Checker)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forms import create_app
from tests.forms.conftest import ADULT, NOW
from tests.forms.journey import Journey
from tests.forms.staff_support import AUDITOR, HANDLER, RECEIVER, Clock, act, case_url, send_case, staff_login
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 375, "height": 667}}
# For each id or time cell: how many lines its text takes (distinct tops of its text's boxes).
LINES_OF_CELLS = """() => [...document.querySelectorAll('.access-log td.log-nowrap')].map(cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  return [cell.dataset.label, cell.textContent.trim(), tops.size];
})"""


@pytest.fixture(scope="module")
def log_live(
    content_dir: Path, staff_demo_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Flask]]:
    clock = Clock()
    app = create_app({
        "FORMS_CONTENT_DIR": str(content_dir),
        "FORMS_DEMO_DATA": str(staff_demo_file),
        "FORMS_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('loglive') / 'cases.sqlite3'}",
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "staff-log-browser",
        "CLOCK": clock,
    })
    # A morning's work to read: reads of one case, a distribution, a list, a refused page.
    reference = send_case(app.test_client(), ADULT)
    receiver = app.test_client()
    staff_login(receiver, RECEIVER)
    for minutes in (15, 25, 40):
        clock.now = NOW + datetime.timedelta(minutes=minutes)
        receiver.get(case_url(reference))
    act(receiver, reference, "fordela", handler=HANDLER)
    receiver.get(f"{case_url(reference)[: case_url(reference).index('/arenden/')]}/arenden/")
    receiver.get(f"{case_url(reference)[: case_url(reference).index('/arenden/')]}/logg/")
    clock.now = NOW
    with serve_app(app) as url:
        yield url, app


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_the_log_keeps_ids_and_times_on_one_line_and_is_accessible(
    browser: Any, log_live: tuple[str, Flask], documents: dict[str, str], size: str
) -> None:
    base, _app = log_live
    viewport = VIEWPORTS[size]
    page = browser.new_context(viewport=viewport, java_script_enabled=False, locale="sv-SE").new_page()
    axe = browser.new_context(viewport=viewport, java_script_enabled=True, bypass_csp=True, locale="sv-SE").new_page()
    j = Journey(f"{size}-logg", page, axe, base, documents)
    j.goto("/e-tjanster/personal/")
    j.fill("HSA-id", AUDITOR)
    j.click("Logga in")
    assert j.h1() == "Åtkomstlogg"
    j.click("Sök")
    j.assert_error_state("Skriv ett personnummer, ett HSA-id eller ett datum att söka på.")
    j.audit("logg-tom")
    j.fill("Invånarens personnummer", ADULT)
    j.click("Sök")
    text = j.text()
    assert "Läste ärende, 4 gånger" in text  # act() opens the case too
    assert "Rita Mottagare" in text and "Fördelade" in text
    j.audit("logg-resultat")
    cells = page.evaluate(LINES_OF_CELLS)
    assert {label for label, _text, _lines in cells} == {"Tid", "HSA-id", "Invånare", "Ärende"}
    assert any(cell_text == "1 juni 2026 kl. 12.15–12.40" for _label, cell_text, _lines in cells)
    if size == "desktop":
        assert [cell for cell in cells if cell[2] != 1] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.context.close()
    axe.context.close()
