"""Finding a mottagning in a real Chromium on a phone (375×667) with JavaScript off: search from
the header, narrow by municipality and "Öppet nu", page, open a result; the same with the keyboard
alone; axe-core and the Nu Html Checker on every kind of search page, the municipality pages and
the front page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from forms.serve import build_app
from sitegen.build.run import build_site
from tests.forms.search_support import TUESDAY_MORNING, copy_content
from tests.support.browser import assert_accessible
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/kommuner/storkoping/",
    "/kommuner/asvik/",
    "/mottagningar/storgardens-vardcentral/",
    "/sok/",
    "/sok/?q=v%C3%A5rdcentral",  # hits
    "/sok/?q=nummer&sida=2&kommun=Sidby&oppet=nu",  # filters and pages
    "/sok/?q=zzzzqqq",  # no hits: the municipalities
    "/sok/?q=storgardns",  # no hits, with a suggestion
    "/sok/?q=%22%2A&sida=0&kommun=Atlantis",  # notes about corrected input
]


@pytest.fixture(scope="module")
def combined(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The demo content plus 45 mottagningar in Sidby (for pages), served as `forms.serve` does."""
    folder = tmp_path_factory.mktemp("search-browser")
    content = copy_content(folder)
    for number in range(1, 46):
        (content / "clinics" / f"nummer-{number:02d}.yaml").write_text(
            f"name: Mottagningen Nummer {number:02d}\nmunicipality: Sidby\n"
            'opening_hours:\n  - {days: Måndag–fredag, hours: "08.00–17.00"}\n'
            "eservices:\n  - use: skicka-meddelande\n",
            encoding="utf-8",
        )
    site = folder / "build"
    build_site(content, site, workers=1)
    app, _ = build_app(
        site,
        {
            "FORMS_CONTENT_DIR": str(content),
            "FORMS_SITE_DIR": str(site),
            "FORMS_DATABASE_URL": f"sqlite:///{folder / 'cases.sqlite3'}",
            "FORMS_NOW": TUESDAY_MORNING.isoformat(),
        },
    )
    with serve_app(app) as url:
        yield url, app


def test_search_filter_page_and_open_a_result(page: Any, combined: tuple[str, Any]) -> None:
    url, _ = combined
    page.goto(url + "/")
    page.get_by_role("search", name="Sök bland mottagningarna").get_by_role("searchbox").fill("vardcentral")
    with page.expect_navigation():
        page.get_by_role("search", name="Sök bland mottagningarna").get_by_role("button", name="Sök").click()
    assert page.locator("h1").inner_text() == "4 mottagningar för ”vardcentral”"
    page.get_by_text("Filtrera på kommun").click()  # a native <details>
    with page.expect_navigation():
        page.get_by_role("link", name="Granberga (1)").click()
    assert page.locator("h1").inner_text() == "1 mottagning för ”vardcentral” i Granberga"
    with page.expect_navigation():
        page.get_by_role("link", name="Visa bara de som har öppet nu (1)").click()
    assert "oppet=nu" in page.url and "kommun=Granberga" in page.url and "q=vardcentral" in page.url
    with page.expect_navigation():
        page.get_by_role("link", name="Vårdcentralen Granberga").click()
    assert page.locator("h1").inner_text() == "Vårdcentralen Granberga"
    assert page.get_by_role("navigation", name="Du är här").get_by_role("link", name="Granberga", exact=True).count() == 1


def test_numbered_pages(page: Any, combined: tuple[str, Any]) -> None:
    url, _ = combined
    page.goto(url + "/sok/?q=nummer")
    assert page.locator("li.result").count() == 20
    with page.expect_navigation():
        page.get_by_role("navigation", name="Sidor med träffar").get_by_role("link", name="Sida 3").click()
    assert page.locator("li.result").count() == 5
    assert page.locator("li.result h2").first.inner_text() == "Mottagningen Nummer 41"
    with page.expect_navigation():
        page.get_by_role("link", name="Föregående sida").click()
    assert page.locator("li.result h2").first.inner_text() == "Mottagningen Nummer 21"


def test_front_page_to_a_municipality_page(page: Any, combined: tuple[str, Any]) -> None:
    url, _ = combined
    page.goto(url + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Åsvik", exact=True).click()
    assert page.locator("h1").inner_text() == "Mottagningar i Åsvik"
    assert page.locator(".clinic-list li").count() == 3


def tab_to(page: Any, target: Any, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {target}")


def test_keyboard_only(page: Any, combined: tuple[str, Any]) -> None:
    url, _ = combined
    page.goto(url + "/")
    tab_to(page, page.locator("#q"))  # the front page's own search: the header has none there
    page.keyboard.type("asvik")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "3 mottagningar för ”asvik”"
    tab_to(page, page.get_by_role("link", name="Åsviks vårdcentral"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Åsviks vårdcentral"


@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations(axe_page: Any, combined: tuple[str, Any], path: str) -> None:
    url, _ = combined
    axe_page.goto(url + path)
    for details in axe_page.locator("details").all():  # the filters, open as a citizen would open them
        details.evaluate("element => { element.open = true; }")
    assert_accessible(axe_page)


@pytest.mark.parametrize("width", [320, 375])
def test_no_sideways_scrolling(axe_page: Any, combined: tuple[str, Any], width: int) -> None:
    url, _ = combined
    axe_page.set_viewport_size({"width": width, "height": 667})
    for path in ("/", "/sok/?q=nummer&sida=2"):
        axe_page.goto(url + path)
        assert axe_page.evaluate("document.documentElement.scrollWidth") <= width, path


def test_nu_html_checker(combined: tuple[str, Any], documents: dict[str, str]) -> None:
    """The pages go to the run's one Nu Html Checker call (tests/support/html_pages.py)."""
    _, app = combined
    client = Client(app)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        documents[path] = response.get_data(as_text=True)

