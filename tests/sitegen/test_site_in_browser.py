"""The built demo site in a real Chromium on a phone: order, disclosures, markings, accessibility.

Journeys run with JavaScript off; axe-core runs on the same pages in a JavaScript-enabled context.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.build.publish import publish
from sitegen.content.loader import Content, load_content
from sitegen.content.models import CATEGORIES
from sitegen.site.render import render_site
from sitegen.site.resolve import resolve_clinic
from sitegen.site.theme import Theme
from tests.support.browser import assert_accessible, axe_violations
from tests.support.static_server import serve_folder

pytestmark = pytest.mark.browser

DEMO = Path(__file__).resolve().parents[2] / "content"
BIG = "storgardens-vardcentral"
# The day the demo is built for: its notice is up and Julafton is among the avvikande öppettider,
# on whatever day the tests run.
DEMO_DAY = datetime.date(2026, 12, 1)


@pytest.fixture(scope="module")
def demo() -> Content:
    return load_content(DEMO)


@pytest.fixture(scope="module")
def built(demo: Content, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "build"
    publish(render_site(demo, Theme(), DEMO_DAY), out)
    return out


@pytest.fixture(scope="module")
def site(built: Path) -> Iterator[str]:
    with serve_folder(built) as url:
        yield url


def category_rank(demo: Content, slug: str) -> dict[str, int]:
    return {service.name: CATEGORIES.index(service.category) for service in resolve_clinic(demo, slug)}


def test_eservices_appear_in_category_order(page: Any, site: str, demo: Content) -> None:
    page.goto(f"{site}mottagningar/{BIG}/")
    names = page.locator(".eservice-link").all_text_contents()
    ranks = category_rank(demo, BIG)
    assert sorted(names) == sorted(ranks), "every e-service of the file is listed once"
    listed_ranks = [ranks[name] for name in names]
    assert listed_ranks == sorted(listed_ranks)
    # Inside one category, the clinic file's order holds.
    file_order = [service.name for service in resolve_clinic(demo, BIG)]
    for rank in set(listed_ranks):
        same = [name for name in names if ranks[name] == rank]
        assert same == [name for name in file_order if ranks[name] == rank]


def test_more_eservices_opens_by_keyboard(page: Any, site: str, demo: Content) -> None:
    page.goto(f"{site}mottagningar/{BIG}/")
    visible = demo.site.visible_eservices
    hidden_first = page.locator(".more .eservice-link").first
    assert page.locator("main > div > section .eservices").first.locator(":scope > li").count() == visible
    assert not hidden_first.is_visible()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.locator("summary:focus").count() and page.locator("summary:focus").inner_text().startswith(
            "Fler e-tjänster"
        ):
            break
    else:
        pytest.fail("Tab never reached the Fler e-tjänster summary")
    page.keyboard.press("Enter")
    assert hidden_first.is_visible()
    assert page.locator(".more .eservice-link").count() == len(demo.clinics[BIG].eservices) - visible


def test_info_disclosure_shows_the_villkor(page: Any, site: str, demo: Content) -> None:
    page.goto(f"{site}mottagningar/{BIG}/")
    first = page.locator(".eservice").first
    name = first.locator(".eservice-link").inner_text()
    info = first.locator(".info-text")
    assert not info.is_visible()
    page.get_by_text(f"Information om {name}", exact=True).click()
    assert info.is_visible()
    expected = next(service for service in resolve_clinic(demo, BIG) if service.name == name).info
    assert expected.split("\n")[0].strip("# *")[:30] in info.inner_text()


def test_markings_show_for_hand_added_and_borrowed(page: Any, site: str, demo: Content) -> None:
    page.goto(f"{site}mottagningar/{BIG}/")
    services = resolve_clinic(demo, BIG)
    hand = [s for s in services if s.kind == "hand"]
    borrowed = [s for s in services if s.kind == "borrowed"]
    assert hand and borrowed, "the demo's big clinic shows both markings"
    page.locator(".more > summary").click()
    for service in hand + borrowed:
        item = page.locator(".eservice").filter(has=page.get_by_role("link", name=service.name, exact=True))
        marking = "E-tjänst utan koppling till 1177" if service.kind == "hand" else f"E-tjänst från {service.origin_name}"
        assert item.locator(".marking").inner_text() == marking


def test_info_control_has_the_accessible_name(page: Any, site: str) -> None:
    page.goto(f"{site}mottagningar/{BIG}/")
    first_name = page.locator(".eservice-link").first.inner_text()
    snapshot = page.locator(".eservice").first.locator("summary").aria_snapshot()
    assert f"Information om {first_name}" in snapshot


PAGES = ["", f"mottagningar/{BIG}/", "tillganglighet/", "finns-inte/"]


@pytest.mark.parametrize("path", PAGES, ids=["index", "contact", "statement", "404"])
def test_no_axe_violations(axe_page: Any, site: str, path: str) -> None:
    axe_page.goto(f"{site}{path}")
    assert_accessible(axe_page)


def test_no_axe_violations_with_everything_expanded(axe_page: Any, site: str) -> None:
    axe_page.goto(f"{site}mottagningar/{BIG}/")
    axe_page.locator(".more > summary").click()
    for summary in axe_page.locator(".info > summary").all():
        summary.click()
    assert axe_page.locator("details[open]").count() == axe_page.locator("details").count()
    assert_accessible(axe_page)


def test_axe_check_fails_on_a_broken_page(axe_page: Any) -> None:
    """Proof that the accessibility assertion can fail: an unlabeled field and a nameless link."""
    axe_page.set_content(
        '<!doctype html><html><head><title>x</title></head><body><main>'
        '<input type="text"><a href="/"></a><p style="color:#aaa;background:#fff">grå text</p></main></body></html>'
    )
    rules = {violation["id"] for violation in axe_violations(axe_page)}
    assert {"html-has-lang", "label", "link-name", "color-contrast"} <= rules
    with pytest.raises(AssertionError, match="axe-core violations"):
        assert_accessible(axe_page)


@pytest.mark.parametrize("path", PAGES, ids=["index", "contact", "statement", "404"])
def test_no_horizontal_scrolling_at_320_px(browser: Any, site: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{site}{path}")
    for summary in page.locator("summary").all():
        summary.click()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0


def test_text_zoomed_to_200_percent_does_not_scroll_sideways(browser: Any, site: str) -> None:
    """200 % zoom on a 640 px wide window is the same layout as 320 CSS px; with larger text too."""
    context = browser.new_context(viewport={"width": 640, "height": 800}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{site}mottagningar/{BIG}/")
    page.add_style_tag(content="html { font-size: 200% !important; }")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0


def test_every_built_page_is_valid_html(built: Path, documents: dict[str, str]) -> None:
    pages = sorted(built.rglob("*.html"))
    assert len(pages) >= 15
    # Among them a contact page with a notice and avvikande öppettider (their microdata included).
    big = (built / "mottagningar" / BIG / "index.html").read_text(encoding="utf-8")
    assert 'class="notice"' in big and "specialOpeningHoursSpecification" in big
    for page in pages:  # checked with the Nu Html Checker at the end of the run, in one call
        documents[page.relative_to(built).as_posix()] = page.read_text(encoding="utf-8")


def test_missing_page_answers_with_the_404_page(page: Any, site: str) -> None:
    response = page.goto(f"{site}mottagningar/finns-inte/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Sidan finns inte"


def test_a_page_with_a_notice_and_exceptions_passes_axe(axe_page: Any, site: str) -> None:
    """The Nu Html Checker checks the same page in test_every_built_page_is_valid_html (one Java start)."""
    axe_page.goto(f"{site}mottagningar/{BIG}/")
    notice = axe_page.locator("main .notice")
    assert notice.count() == 1 and notice.locator("h2").inner_text() == "Vi ringer upp dig samma dag"
    exceptions = axe_page.locator(".exceptions li")
    assert exceptions.first.inner_text().startswith("Torsdag 24 december: Stängt (Julafton)")
    assert exceptions.count() == 6  # 24, 25, 31 December, 1, 5, 6 January: the coming six weeks
    assert_accessible(axe_page)
