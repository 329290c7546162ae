"""Every page a test run wants checked, kept per test and given to the Nu Html Checker in one go.

Java takes seconds to start, and fifteen places (ten module teardowns, five tests) each started
it. Now a test puts the pages it wants checked into its `documents` fixture, and one checker run
over all of them is the session's last test (added only when a selected test asks for
`documents`). A failure is a failed test, not a warning, and names the test and the page of each
error, since the checker itself only sees temporary files.

A plugin (tests/conftest.py loads it), so that a pytester run can load it on its own.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.vnu import html_errors

CHECK_NAME = "test_every_page_gathered_in_this_run_is_valid_html"
FIXTURE = "documents"
SHOWN = 100  # a broken layout repeats its error on every page: the first ones say enough


@dataclass
class PageStore:
    """The pages of the run, by the test that produced them (its node id)."""

    by_test: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def for_test(self, test: str) -> dict[str, str]:
        """A dict the test fills (page name → markup); it is read at the end, so later pages count."""
        pages: dict[str, str] = {}
        self.by_test.append((test, pages))
        return pages

    def count(self) -> int:
        return sum(len(pages) for _, pages in self.by_test)

    def errors(self) -> list[str]:
        """Each error as `test › page 'name', line N: message`, from a single checker run."""
        pages = [(test, name, html) for test, found in self.by_test for name, html in found.items()]
        if not pages:
            return []
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for index, (_, _, html) in enumerate(pages):
                path = Path(folder) / f"page-{index:05d}.html"
                path.write_text(html, encoding="utf-8")
                paths.append(path)
            raw = html_errors(paths)
        return [_named(error, pages) for error in raw]


def _named(error: str, pages: list[tuple[str, str, str]]) -> str:
    """`file:/tmp/…/page-00007.html:12: message` → who made page 7, and the message."""
    match = re.search(r"page-(\d{5})\.html:([^:]*): ", error)
    if match is None:  # an error without a file of ours: keep it whole rather than lose it
        return error
    test, name, _ = pages[int(match.group(1))]
    return f"{test} › page {name!r}, line {match.group(2)}: {error[match.end():]}"


STORE = pytest.StashKey[PageStore]()


class InvalidHtml(AssertionError):
    """The checker ran and found errors in pages of this run."""


class HtmlCheck(pytest.Item):
    """The run's one Nu Html Checker call, over every page the tests put into `documents`."""

    def runtest(self) -> None:
        store = self.config.stash[STORE]
        errors = store.errors()
        if errors:
            shown = errors[:SHOWN] + ([f"… and {len(errors) - SHOWN} more"] if len(errors) > SHOWN else [])
            raise InvalidHtml(
                f"The Nu Html Checker found {len(errors)} error(s) in the {store.count()} pages of this run:\n"
                + "\n".join(shown)
            )

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, InvalidHtml):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)  # e.g. CheckerFailed with its traceback

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, CHECK_NAME


def pytest_configure(config: pytest.Config) -> None:
    config.stash[STORE] = PageStore()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    """Last of all hooks, so after -k/-m have deselected: the check runs iff a chosen test feeds it."""
    if any(FIXTURE in getattr(item, "fixturenames", ()) for item in items):
        items.append(HtmlCheck.from_parent(session, name=CHECK_NAME, nodeid=f"{_here(session)}::{CHECK_NAME}"))


def _here(session: pytest.Session) -> str:
    try:
        return Path(__file__).relative_to(session.config.rootpath).as_posix()
    except ValueError:  # loaded from outside the rootdir (a pytester run)
        return Path(__file__).name


@pytest.fixture
def documents(request: pytest.FixtureRequest) -> dict[str, str]:
    """Pages (name → markup) to check with the Nu Html Checker at the end of the run, in one call."""
    return request.config.stash[STORE].for_test(request.node.nodeid)
