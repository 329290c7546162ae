"""What a form page GET costs, kept from growing back, and what it shows, kept the same.

The walk through the draft already binds and checks every stored page; a complete page is shown
from the walk's form (issue 22: a second WTForms form per page cost a tenth of the page), while an
incomplete one is bound afresh, unchecked, since the walk's form for it holds errors. The draft is
read as a plain row: no ORM object is made to show a page.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from forms.cases.engine import page as engine_page
from forms.store.cases import DraftRow
from forms.store.db import Draft
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


def test_showing_a_page_reads_the_draft_without_making_an_orm_draft(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    approve(client)
    answer(client, PAGE_ONE, {"intyg": "Intyg om vapeninnehav", "renewal": "Förnyelse"})
    made: list[object] = []

    def constructed(target: object, args: object, kwargs: object) -> None:
        made.append(target)

    event.listen(Draft, "init", constructed)
    try:
        for path in (INTYG_URL, PAGE_ONE, f"{INTYG_URL}sida/2/"):
            assert client.get(path).status_code == 200
    finally:
        event.remove(Draft, "init", constructed)
    assert made == []


def test_the_draft_row_has_every_column_of_the_drafts_table() -> None:
    assert set(DraftRow._fields) == {column.key for column in Draft.__table__.columns}
