"""The citizen's pages as they are seen on a 375 px phone (issue 20, items 4–6), measured in Chromium.

The demo content and data, site and app on one URL as `forms.serve` serves them: the header's
height, one search form a page, fields a finger can hit and iOS does not zoom into, "Avbryt" on
each step of Boka tid and none of "Tillbaka"/"Avbryt" on its receipt; axe-core on the new states.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms.serve import build_app
from sitegen.build.run import build_site
from tests.forms.search_support import TUESDAY_MORNING, copy_content
from tests.support.browser import assert_accessible
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser

THEME_CSS = Path(__file__).resolve().parents[2] / "themes" / "default" / "static" / "style.css"
ADULT = "19850315-1238"  # Erik Andersson: no children, the plain logged-in bar
GUARDIAN = "19121212-1212"  # Tolvan: the bar also says for whom
CLINIC = "asviks-vardcentral"
COMPACT = 120  # px of a 375 px screen the header may take before any content
COMPACT_GUARDIAN = 170  # "Du använder e-tjänsterna för …" and "Byt person": two more rows of 24 px (WCAG 2.5.8)
TYPES = ["text", "email", "tel", "number", "date", "search", "password", "url"]
# Every field's size and text size, as a person meets it.
FIELDS = """() => [...document.querySelectorAll(
  'input:not([type=hidden]):not([type=radio]):not([type=checkbox]), textarea, select')].map(e => {
  const r = e.getBoundingClientRect();
  return {id: e.id || e.type, type: e.type, height: r.height, width: r.width,
          font: parseFloat(getComputedStyle(e).fontSize)}; })"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("citizen-layout")
    content = copy_content(folder)
    site = folder / "build"
    build_site(content, site, workers=1)
    app, _ = build_app(
        site,
        {
            "FORMS_CONTENT_DIR": str(content),
            "FORMS_SITE_DIR": str(site),
            "FORMS_DATABASE_URL": f"sqlite:///{folder / 'cases.sqlite3'}",
            "FORMS_NOW": TUESDAY_MORNING.isoformat(),
            "FORMS_TEST_LOGIN": "1",
        },
    )
    with serve_app(app) as url:
        yield url


def header_height(page: Any) -> float:
    return float(page.locator(".site-header").bounding_box()["height"])


def log_in(page: Any, url: str, personnummer: str, path: str = "/e-tjanster/inkorg/") -> None:
    page.goto(f"{url}/e-tjanster/logga-in/?next={path}")
    page.get_by_label("Personnummer").fill(personnummer)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()


def assert_fields_fit_a_finger(page: Any, expected: set[str]) -> None:
    fields = page.evaluate(FIELDS)
    assert expected <= {f["id"] for f in fields}, fields
    for field in fields:
        assert field["height"] >= 44 and field["font"] >= 16, field


def test_the_header_is_compact_on_a_phone(page: Any, live: str) -> None:
    page.goto(f"{live}/mottagningar/{CLINIC}/")
    assert header_height(page) <= COMPACT  # name and search on one row (was 143 px)
    log_in(page, live, ADULT)
    assert header_height(page) <= COMPACT  # was 237 px
    page.get_by_role("button", name="Logga ut").click()
    log_in(page, live, GUARDIAN)
    assert header_height(page) <= COMPACT_GUARDIAN  # was 265 px


@pytest.mark.parametrize("path", ["/", "/sok/", "/sok/?q=vardcentral"])
def test_a_page_with_its_own_search_has_no_second_one_in_the_header(page: Any, live: str, path: str) -> None:
    page.goto(live + path)
    assert page.get_by_role("search").count() == 1
    assert page.locator(".header-search").count() == 0


def test_other_pages_keep_the_headers_search(page: Any, live: str) -> None:
    page.goto(f"{live}/mottagningar/{CLINIC}/")
    assert page.get_by_role("search", name="Sök mottagning").count() == 1
    assert_fields_fit_a_finger(page, {"sidhuvud-sok"})


def test_every_field_type_gets_the_themes_size(page: Any) -> None:
    """The stylesheet alone, with one field of every kind: an unlisted type falls back to 13 px."""
    fields = "".join(f'<label for="f-{t}">{t}</label><input type="{t}" id="f-{t}">' for t in TYPES)
    fields += '<label for="f-textarea">t</label><textarea id="f-textarea"></textarea>'
    fields += '<label for="f-select">s</label><select id="f-select"><option>a</option></select>'
    page.set_content(f"<!doctype html><html lang=sv><style>{THEME_CSS.read_text()}</style><body>{fields}")
    assert_fields_fit_a_finger(page, {f"f-{t}" for t in [*TYPES, "textarea", "select"]})
    for field in page.evaluate(FIELDS):
        assert field["width"] >= 343 - 1 or field["type"] in {"number", "date"}, field  # full width of a phone


def test_mina_uppgifter_fields_and_the_saved_state(page: Any, axe_page: Any, live: str) -> None:
    log_in(page, live, ADULT, "/e-tjanster/mina-uppgifter/")
    assert_fields_fit_a_finger(page, {"email", "mobile"})  # were 177×21 px with 13 px text
    page.get_by_label("E-postadress").fill("erik@exempel.se")
    page.get_by_label("Mobilnummer").fill("0701234567")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara").click()
    confirmation = page.locator(".confirmation").inner_text()
    assert "Vi skickar aviseringar till e-postadressen erik@exempel.se och mobilnumret 070-123 45 67." in confirmation
    assert page.get_by_role("button", name="Spara").count() == 0  # nothing left that looks still to do
    change = page.get_by_role("link", name="Ändra dina uppgifter")
    assert "button-secondary" in change.get_attribute("class")
    assert page.get_by_role("link", name="Tillbaka").get_attribute("href") == "/e-tjanster/inkorg/"
    axe_page.context.add_cookies(page.context.cookies())
    axe_page.goto(page.url)
    assert_accessible(axe_page)


def test_boka_tid_has_avbryt_on_every_step_and_its_receipt_no_way_back_into_it(
    page: Any, axe_page: Any, live: str
) -> None:
    contact = f"/mottagningar/{CLINIC}/"
    log_in(page, live, ADULT, f"/e-tjanster/{CLINIC}/tidbok/boka/")

    def step(action: Any) -> None:
        cancel = page.locator("main .form-actions a")
        assert cancel.inner_text() == "Avbryt" and cancel.get_attribute("href") == contact, page.url
        with page.expect_navigation():
            action()

    step(lambda: (page.get_by_label("Jag har läst och godkänner villkoren").check(),
                  page.get_by_role("button", name="Fortsätt").click()))
    step(lambda: (page.get_by_label("Läkarbesök").check(), page.get_by_role("button", name="Fortsätt").click()))
    with page.expect_navigation():
        page.get_by_role("link", name="Senare dagar").click()  # a time far enough ahead for a reminder
    step(lambda: (page.locator("input[name=tid]").first.check(), page.get_by_role("button", name="Fortsätt").click()))
    step(lambda: (page.locator("textarea").fill("Ont i ryggen"), page.get_by_role("button", name="Fortsätt").click()))
    axe_page.context.add_cookies(page.context.cookies())
    axe_page.goto(page.url)
    assert_accessible(axe_page)  # the step with "Avbryt" beside the button
    step(lambda: page.get_by_role("button", name="Boka tiden").click())
    assert page.locator("h1").inner_text() == "Din tid är bokad"
    main = page.locator("main")
    assert main.get_by_role("link", name="Tillbaka").count() == 0 and main.get_by_text("Avbryt").count() == 0
    assert page.get_by_role("link", name="Gå till sidan för Åsviks vårdcentral").get_attribute("href") == contact
    assert_fields_fit_a_finger(page, {"epost", "mobil"})  # the reminder's fields, were 177×21 px
    page.get_by_label("E-postadress").fill("erik@exempel.se")
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka påminnelse dagen före").click()
    assert "med e-post till erik@exempel.se" in page.locator(".confirmation").inner_text()
    assert page.get_by_role("button", name="Skicka påminnelse dagen före").is_hidden()  # behind "Ändra"
    page.locator(".change-details > summary").click()
    assert page.get_by_role("button", name="Skicka påminnelse dagen före").is_visible()
    axe_page.goto(page.url)
    assert_accessible(axe_page)
