"""The Nu Html Checker wrapper finds errors, and a checker that did not check never passes a page.

Every "valid HTML" claim of the suite (tests/forms/journey.py, tests/sitegen/test_site_in_browser.py,
the 429 pages) rests on tests/support/vnu.py and on the run's one checker call over every test's
`documents` (tests/support/html_pages.py); this proves both once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.html_pages import CHECK_NAME, PageStore
from tests.support.vnu import CheckerFailed, document_errors, html_errors, parse_report

VALID = '<!DOCTYPE html><html lang="sv"><head><title>Giltig</title></head><body><p>Hej</p></body></html>'
INVALID = '<!DOCTYPE html><html lang="sv"><head></head><body><div><span>Fel</div></body></html>'


def test_an_invalid_page_is_caught_and_a_valid_one_passes() -> None:
    errors = document_errors({"giltig": VALID, "ogiltig": INVALID})
    assert errors, "the checker found nothing in an invalid page"
    assert all("ogiltig" in error for error in errors), errors  # each error names its file
    assert any("title" in error for error in errors), errors
    assert any("span" in error for error in errors), errors
    assert document_errors({"giltig": VALID}) == []


def test_a_checker_that_fails_to_start_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "ogiltig.html"
    page.write_text(INVALID, encoding="utf-8")
    broken = tmp_path / "vnu.jar"
    broken.write_text("inte en jar-fil", encoding="utf-8")  # java: "Invalid or corrupt jarfile"
    monkeypatch.setenv("VNU_JAR", str(broken))
    with pytest.raises(CheckerFailed, match="exited 1"):
        html_errors([page])


def test_a_checker_killed_without_a_word_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A JVM killed (out of memory, a signal) prints nothing: that is no "no errors"."""
    page = tmp_path / "ogiltig.html"
    page.write_text(INVALID, encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    java = bin_dir / "java"
    java.write_text("#!/bin/sh\nexit 137\n", encoding="utf-8")
    java.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    with pytest.raises(CheckerFailed, match="exited 137"):
        html_errors([page])


def test_a_file_that_is_not_there_is_not_passed(tmp_path: Path) -> None:
    """The checker itself answers "no messages" and status 0 for a missing file."""
    with pytest.raises(CheckerFailed, match="no such HTML files"):
        html_errors([tmp_path / "finns-inte.html"])


@pytest.mark.parametrize(
    ("status", "output"),
    [
        (0, ""),  # no output at all: the checker did not run
        (1, "Error: Unable to access jarfile /x/vnu.jar"),
        (2, '{"messages": []}'),  # a status the checker never gives when it checked
        (1, '{"messages": []}'),  # "errors found", but none reported
        (0, '{"messages": [{"type": "error", "message": "x"}]}'),  # errors, but "all fine"
        (0, '{"messages": [{"type": "non-document-error", "message": "IO"}]}'),
        (0, '{"version": "26.9.27"}'),
    ],
)
def test_every_answer_but_a_clean_report_is_a_failure(status: int, output: str) -> None:
    with pytest.raises(CheckerFailed):
        parse_report(status, output)


def test_a_clean_report_and_an_error_report_are_read() -> None:
    assert parse_report(0, '{"version": "26.9.27", "messages": []}') == []
    error = '{"messages": [{"type": "error", "url": "file:/a.html", "lastLine": 3, "message": "Fel."}]}'
    assert parse_report(1, error) == ["file:/a.html:3: Fel."]


def test_each_error_names_the_test_and_the_page_that_made_it() -> None:
    store = PageStore()
    store.for_test("tests/a.py::test_giltig")["start"] = VALID
    broken = store.for_test("tests/b.py::test_trasig")
    broken["steg-2"] = INVALID  # put in after for_test: pages added later in the test count too
    errors = store.errors()
    assert errors, "the checker found nothing in an invalid page"
    assert all(error.startswith("tests/b.py::test_trasig › page 'steg-2', line ") for error in errors), errors
    assert any("span" in error for error in errors), errors
    assert PageStore().errors() == []  # nothing gathered: no Java started, nothing to find


INNER = f"""
VALID = {VALID!r}
INVALID = {INVALID!r}

def test_makes_an_invalid_page(documents):
    documents["kontakt"] = INVALID

def test_makes_a_valid_page(documents):
    documents["start"] = VALID

def test_makes_no_page():
    pass
"""


def test_an_invalid_page_fails_the_run_naming_its_test_and_page(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest("-p", "tests.support.html_pages")
    result.assert_outcomes(passed=3, failed=1)  # a failure, not a warning
    result.stdout.fnmatch_lines([f"FAILED *::{CHECK_NAME}*"])
    result.stdout.fnmatch_lines(["*test_inner.py::test_makes_an_invalid_page › page 'kontakt', line *span*"])
    assert "test_makes_a_valid_page ›" not in result.stdout.str()


def test_the_check_runs_last_and_only_when_a_chosen_test_gathers_pages(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=INNER)
    chosen = pytester.runpytest("-p", "tests.support.html_pages", "--collect-only", "-q", "-k", "valid or no_page")
    chosen.stdout.fnmatch_lines(["*test_makes_a_valid_page", "*test_makes_no_page", f"*::{CHECK_NAME}"])  # last
    none = pytester.runpytest("-p", "tests.support.html_pages", "--collect-only", "-q", "-k", "no_page")
    assert CHECK_NAME not in none.stdout.str()


def test_a_layout_error_on_every_page_is_cut_short(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """One broken layout repeats its error on each of hundreds of pages: the first hundred say enough."""
    monkeypatch.setattr(PageStore, "errors", lambda self: [f"fel {n}" for n in range(150)])  # no Java
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_inprocess("-p", "tests.support.html_pages", "-k", "invalid_page")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*found 150 error(s) in the 1 pages*", "fel 99", "… and 50 more"])
    assert "fel 100" not in result.stdout.str()
