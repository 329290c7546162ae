"""The uppföljning in a real browser with JavaScript off, at 375 and 1280 px: axe-core finds
nothing, at either width, on the page with figures and on a bad period's error state; the Nu Html
Checker passes the documents; nothing is wider than the screen at 375 px."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from flask import Flask

from forms import create_app
from tests.forms.conftest import ADULT, NOW
from tests.forms.staff_support import BOTH, act, send_case, staff_login
from tests.forms.test_staff_browser import VIEWPORTS, _journey
from tests.forms.test_staff_browser import staff_login as browser_login
from tests.forms.test_staff_followup import MANAGER, followup_demo_file  # noqa: F401 - its fixture
from tests.support.live_app import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def followup_live(
    content_dir: Path, followup_demo_file: Path, tmp_path_factory: pytest.TempPathFactory  # noqa: F811
) -> Iterator[str]:
    app: Flask = create_app({
        "FORMS_CONTENT_DIR": str(content_dir),
        "FORMS_DEMO_DATA": str(followup_demo_file),
        "FORMS_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('followuplive') / 'cases.sqlite3'}",
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "followup-browser",
        "CLOCK": lambda: NOW,
    })
    for _ in range(3):
        send_case(app.test_client(), ADULT)
    receiver = app.test_client()
    staff_login(receiver, BOTH)
    act(receiver, send_case(app.test_client(), ADULT), "svara", text="Hej! Här är svaret.")
    with serve_app(app) as url:
        yield url


def test_the_uppfoljning_is_accessible_at_375_and_1280_px(browser, followup_live, documents) -> None:
    for size in ("mobile", "desktop"):
        j = _journey(browser, f"uppfoljning-{size}", VIEWPORTS[size], followup_live, documents)
        browser_login(j, MANAGER)
        assert j.h1() == "Uppföljning"
        j.audit("sida")
        assert j.page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]
        j.page.get_by_text("Begär intyg vecka för vecka").click()  # <details>: works without JavaScript
        j.audit("sida-oppnad")
        j.fill("Från och med", "2026-06-01")
        j.fill("Till och med", "2026-01-01")
        j.click("Visa")
        j.assert_error_state("Från och med-datumet är efter till och med-datumet.")
        j.audit("fel")
        j.page.context.close()
        j.axe_page.context.close()


NARROW = {"width": 320, "height": 640}
CHART_TEXTS = """() => [...document.querySelectorAll('svg.followup-chart')].flatMap((svg, chart) => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter(t => getComputedStyle(t).display !== 'none').map(t => {
    const r = t.getBoundingClientRect();
    return {chart, text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a,
            left: r.left, right: r.right, top: Math.round(r.top), inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5};
  });
})"""


def test_the_charts_labels_are_readable_and_apart_at_320_px(browser, followup_live) -> None:
    """At 320 px the charts' 640-unit drawing is shrunk to half: 13-unit labels were 6 CSS px."""
    j = _journey(browser, "uppfoljning-320", NARROW, followup_live, {})
    browser_login(j, MANAGER)
    texts = j.page.evaluate(CHART_TEXTS)
    assert texts, "no chart text on the page"
    small = [(t["text"], round(t["px"], 1)) for t in texts if t["px"] < 12]
    assert small == [], small
    assert [t["text"] for t in texts if not t["inside"]] == []  # none cut off at the chart's edge
    rows: dict[tuple[int, int], list[dict]] = {}
    for t in texts:
        rows.setdefault((t["chart"], t["top"]), []).append(t)
    for row in rows.values():
        row.sort(key=lambda t: t["left"])
        overlapping = [(a["text"], b["text"]) for a, b in pairwise(row) if a["right"] > b["left"]]
        assert overlapping == [], overlapping
    assert j.page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    j.audit("320")
    j.page.context.close()
    j.axe_page.context.close()
