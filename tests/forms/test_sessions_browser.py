"""The security pages in a real browser: timeout, stale page, 400, 413 and 500, checked like journeys.

Each page is reached as a citizen reaches it (JavaScript off, 375 px) and checked with axe-core and,
at the end, the Nu Html Checker, through the same Journey helper as the e-service journeys. The
live app has its own clock, so "31 minutes later" is a step of the test, not a wait.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms import create_app
from tests.forms.journey import Journey
from tests.forms.security_support import Clock
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CLINIC = "/e-tjanster/storgardens-vardcentral"
ERIK = "19850315-1238"
START = datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def clock() -> Iterator[Clock]:
    with pytest.MonkeyPatch.context() as patch:
        yield Clock(START).drive_token_time(patch)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[str]:
    app = create_app(
        {
            "FORMS_CONTENT_DIR": str(ROOT / "content"),
            "FORMS_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('security') / 'cases.sqlite3'}",
            "FORMS_TEST_LOGIN": "1",
            "FORMS_SECRET_KEY": "security-pages",
            "CLOCK": clock,
        }
    )

    def broken() -> str:
        raise RuntimeError("forced for the test")

    app.add_url_rule("/e-tjanster/trasig/", view_func=broken)
    with serve_app(app) as url:
        yield url


@pytest.fixture
def journey(page: Any, axe_page: Any, live: str, documents: dict[str, str], request: pytest.FixtureRequest) -> Journey:
    return Journey(request.node.name.removeprefix("test_"), page, axe_page, live, documents)


def to_last_page(j: Journey) -> None:
    j.goto(f"{CLINIC}/begar-intyg/")
    if j.h1() == "Testinloggning":
        j.login(ERIK)
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")
    j.check("Intyg om vapeninnehav")
    j.check("Nytt intyg")
    j.click("Fortsätt")
    assert j.h1() == "Något mer?"


def test_idle_timeout_page_and_back_to_the_same_page(journey: Journey, clock: Clock) -> None:
    j = journey
    to_last_page(j)
    j.page.get_by_label("Vill du berätta något mer om intyget?").fill("Skrivet före en lång paus")
    clock.advance(minutes=31)
    j.click("Fortsätt")
    assert j.h1() == "Du har blivit utloggad"
    assert "30 minuter" in j.text() and "Skrivet före en lång paus" in j.text()
    j.audit("utloggad")
    j.click("Logga in igen", role="link")
    j.login(ERIK)
    assert j.h1() == "Något mer?" and j.page.url.endswith("/begar-intyg/sida/3/")
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera dina svar" and "Intyg om vapeninnehav" in j.text()


def test_a_page_left_open_for_long_comes_back_with_what_was_typed(journey: Journey, clock: Clock) -> None:
    j = journey
    to_last_page(j)
    j.page.get_by_label("Vill du berätta något mer om intyget?").fill("En text som tog tid")
    other_tab = j.page.context.new_page()
    for _ in range(4):  # work goes on in another tab for 80 minutes
        clock.advance(minutes=20)
        other_tab.goto(f"{j.base}/e-tjanster/inkorg/")
    other_tab.close()
    j.click("Fortsätt")
    assert "Sidan hade varit öppen länge" in j.text()
    assert j.page.get_by_label("Vill du berätta något mer om intyget?").input_value() == "En text som tog tid"
    j.audit("gammal-sida")
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera dina svar" and "En text som tog tid" in j.text()
    j.page.context.clear_cookies()


def test_error_pages(journey: Journey, clock: Clock) -> None:
    j = journey
    j.goto("/e-tjanster/logga-in/")
    login_url = j.page.url
    page = j.page
    page.route(login_url, lambda route: route.continue_(post_data="personnummer=19850315-1238")
               if route.request.method == "POST" else route.continue_())
    j.fill("Personnummer", ERIK)
    j.click("Logga in")
    assert j.h1() == "Sidan kunde inte skickas"
    j.audit("400")
    page.unroute(login_url)

    j.goto("/e-tjanster/logga-in/")
    page.route(login_url, lambda route: route.continue_(post_data="personnummer=" + "1" * 600_000)
               if route.request.method == "POST" else route.continue_())
    j.click("Logga in")
    assert j.h1() == "För mycket text"
    j.audit("413")
    page.unroute(login_url)

    j.goto("/e-tjanster/logga-in/")
    j.login(ERIK)
    j.goto("/e-tjanster/trasig/")
    assert j.h1() == "Något gick fel hos oss" and "Felkod" in j.text()
    j.audit("500")
