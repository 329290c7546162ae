"""A form page is bound to its stored answers once per GET, and a GET never shows errors.

The walk through the draft already binds and checks every stored page; a complete page is shown
from the walk's form (issue 22: a second WTForms form per page cost a tenth of the page), while an
incomplete one is bound afresh, unchecked, since the walk's form for it holds errors.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from forms.cases.engine import page as engine_page
from tests.forms.conftest import INTYG_URL, OTHER_ADULT, answer, approve, login

PAGE_ONE = f"{INTYG_URL}sida/1/"


@pytest.fixture
def bound_forms(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every PageForm made from now on, in order."""
    made: list[object] = []
    original = engine_page.PageForm.__init__

    def counting(self: engine_page.PageForm, *args: object, **kwargs: object) -> None:
        made.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_page.PageForm, "__init__", counting)
    return made


def test_a_complete_page_is_shown_with_its_answers_bound_once(client: FlaskClient, bound_forms: list[object]) -> None:
    login(client, OTHER_ADULT)
    approve(client)
    answer(client, PAGE_ONE, {"intyg": "Intyg om vapeninnehav", "renewal": "Förnyelse"})
    bound_forms.clear()
    shown = client.get(PAGE_ONE)
    assert shown.status_code == 200
    assert re.search(r'value="Intyg om vapeninnehav" checked', shown.text)
    assert re.search(r'value="Förnyelse" checked', shown.text)
    assert len(bound_forms) == 1  # the walk's: the page is not bound a second time to be shown


def test_an_incomplete_page_is_shown_again_as_typed_without_its_errors(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    approve(client)
    typed = answer(client, PAGE_ONE, {"intyg": "Intyg om vapeninnehav"})  # "renewal" left unanswered
    assert typed.status_code == 200 and "Något behöver rättas" in typed.text
    again = client.get(PAGE_ONE)
    assert re.search(r'value="Intyg om vapeninnehav" checked', again.text)
    assert "Något behöver rättas" not in again.text
    assert "field-error" not in again.text and 'aria-invalid="true"' not in again.text
