"""`when` conditions and the walk through a form's pages.

A page is asked only when its `when` holds for the answers given on earlier pages. The walk goes
through the pages in order, validating each stored page against its definition, so the answers a
later condition sees are always answers that passed validation, and a page that no longer applies
contributes nothing: its answers are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from forms.cases.engine.context import EngineContext
from forms.cases.engine.page import PageForm, Raw
from sitegen.content.models import Page


def page_applies(page: Page, answers: Mapping[str, Any]) -> bool:
    """Whether every `when` entry matches: the answer equals the value, or one of the values.

    A checkbox answer (a list) matches when any checked option is wanted. An unanswered question
    matches nothing, so a conditional page waits until its condition is answered.
    """
    for question_id, expected in (page.when or {}).items():
        wanted = set(expected) if isinstance(expected, list) else {expected}
        answer = answers.get(question_id)
        given = answer if isinstance(answer, list) else [answer]
        if not any(value is not None and str(value) in wanted for value in given):
            return False
    return True


@dataclass(frozen=True)
class PageState:
    index: int
    page: Page
    applies: bool
    complete: bool


@dataclass
class Walk:
    """Where a draft stands: each page's state, and the answers of the complete applicable pages.

    `forms` keeps each complete page's form, bound to its stored answers. Being valid it has no
    errors to show, so it is the form a GET of that page shows: a page need not be bound twice.
    """

    states: list[PageState] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)
    answers_by_page: dict[int, dict[str, Any]] = field(default_factory=dict)
    forms: dict[int, PageForm] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(state.complete for state in self.states if state.applies)

    def applicable(self) -> list[PageState]:
        return [state for state in self.states if state.applies]


def walk(pages: Sequence[Page], context: EngineContext, raw_by_page: Mapping[str, Raw]) -> Walk:
    """Validate the stored pages in order; stop trusting conditions after the first gap.

    Pages after an incomplete one are judged on the answers so far; they cannot be reached until the
    gap is filled, so a premature judgement never shows.
    """
    result = Walk()
    for index, page in enumerate(pages):
        applies = page_applies(page, result.answers)
        complete = False
        if applies:
            raw = raw_by_page.get(str(index))
            if raw is not None:
                form = PageForm(page, context, raw)
                complete = form.validate()
                if complete:
                    page_answers = form.answers()
                    result.answers.update(page_answers)
                    result.answers_by_page[index] = page_answers
                    result.forms[index] = form
        result.states.append(PageState(index=index, page=page, applies=applies, complete=complete))
    return result


def drop_inapplicable(pages: Sequence[Page], context: EngineContext, raw_by_page: Mapping[str, Raw]) -> dict[str, Raw]:
    """The stored pages without those whose condition no longer holds: their answers are dropped."""
    state = walk(pages, context, raw_by_page)
    keep = {str(s.index) for s in state.states if s.applies}
    return {key: value for key, value in raw_by_page.items() if key in keep}
