"""Fixtures shared by all test folders: a real Chromium and the page contexts the tests need.

Journeys run with JavaScript off, as citizens may have it; axe-core is JavaScript itself, so the
accessibility checks load the same page in a second context with JavaScript on (and CSP bypassed,
since the pages forbid all script).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import MOBILE, launch_chromium

# The `documents` fixture and the run's one Nu Html Checker call over every page put into it;
# pytester runs that plugin in a test run of its own (tests/test_html_checker.py).
pytest_plugins = ["tests.support.html_pages", "pytester"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page with JavaScript off: what the journeys use."""
    context = browser.new_context(viewport=MOBILE, java_script_enabled=False, locale="sv-SE")
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_page(browser: Any) -> Iterator[Any]:
    """A phone-sized page with JavaScript on and CSP bypassed, only for running axe-core."""
    context = browser.new_context(viewport=MOBILE, java_script_enabled=True, bypass_csp=True, locale="sv-SE")
    yield context.new_page()
    context.close()
