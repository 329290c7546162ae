"""A citizen's journey through the live forms app in a phone-sized, JavaScript-free browser.

Every page the journey reaches is checked where it stands, error states included: axe-core runs
on the very same HTML (served to a second, JavaScript-enabled page from the saved markup, so no
second request changes or loses anything), the markup goes into the test's `documents` for the
Nu Html Checker (one Java run at the end of the test run: tests/support/html_pages.py), and with
FORMS_SCREENSHOTS set a full-page screenshot of each step is written there.

A journey may also check each page at other widths (`also_at`, e.g. 1280 px): the axe page is
resized over the same saved markup, which is what a wide screen gets (the server never knows the
width, and there is no script), so the journey is walked once and each page costs one more axe run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.support.browser import assert_accessible

SCREENSHOTS = os.environ.get("FORMS_SCREENSHOTS")


class Journey:
    def __init__(
        self, name: str, page: Any, axe_page: Any, base: str, documents: dict[str, str],
        also_at: Sequence[dict[str, int]] = (),
    ) -> None:
        self.name = name
        self.also_at = tuple(also_at)
        self.page = page
        self.axe_page = axe_page
        self.base = base
        self.documents = documents  # the test's pages, checked once at the end of the run
        self.step = 0

    # Moving about ---------------------------------------------------------------------------------

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def click(self, name: str, role: str = "button") -> None:
        self.follow(self.page.get_by_role(role, name=name, exact=True))

    def follow(self, target: Any) -> None:
        """Click and wait for the page it leads to: without JavaScript every button and link here
        navigates, and Playwright's click returns before the new page has loaded, so a read right
        after it may still see the old page (a CI run read the login page's title that way)."""
        with self.page.expect_navigation():
            target.click()

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).fill(value)

    def check(self, label: str) -> None:
        self.page.get_by_label(label, exact=True).check()

    def h1(self) -> str:
        return str(self.page.locator("h1").inner_text()).strip()

    def text(self) -> str:
        return str(self.page.locator("main").inner_text())

    def login(self, personnummer: str) -> None:
        assert self.h1() == "Testinloggning"
        self.fill("Personnummer", personnummer)
        self.click("Logga in")

    # Checking each page ---------------------------------------------------------------------------

    def audit(self, label: str) -> None:
        """axe-core on exactly this page as shown, plus markup and screenshot of the step."""
        self.step += 1
        html = self.page.content()
        key = f"{self.name}-{self.step:02d}-{label}"
        self.documents[key] = html
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SCREENSHOTS) / f"{key}.png"), full_page=True)
        url = self.page.url.split("#")[0]

        def same_page(candidate: str) -> bool:
            return candidate.split("#")[0] == url

        def serve_saved(route: Any) -> None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        self.axe_page.route(same_page, serve_saved)
        try:
            self.axe_page.goto(url)
        finally:
            self.axe_page.unroute(same_page, serve_saved)
        assert_accessible(self.axe_page)
        if self.also_at:
            first = self.axe_page.viewport_size
            try:
                for viewport in self.also_at:
                    self.axe_page.set_viewport_size(viewport)
                    try:
                        assert_accessible(self.axe_page, again=True)
                    except AssertionError as failed:
                        raise AssertionError(f"at {viewport['width']} px: {failed}") from None
            finally:
                self.axe_page.set_viewport_size(first)

    def assert_error_state(self, *messages: str) -> None:
        """Title prefixed "Fel: ", a summary whose links all reach an input, the messages shown."""
        assert self.page.title().startswith("Fel: "), self.page.title()
        summary = self.page.locator(".error-summary")
        assert summary.is_visible()
        links = summary.locator("a")
        assert links.count() >= 1
        for index in range(links.count()):
            target = links.nth(index).get_attribute("href")
            assert target and target.startswith("#")
            assert self.page.locator(f"[id='{target[1:]}']").count() == 1, f"no element {target}"
        summary_text = summary.inner_text()
        for message in messages:
            assert message in summary_text, (message, summary_text)

    def reference(self) -> str:
        match = re.search(r"HV-\d{4}-[A-Z0-9]{6}", self.text())
        assert match, self.text()
        return match.group(0)
