"""The answers as the citizen reads them on "Kontrollera dina svar", the case page and the inbox.

The summary is plain data (pages, labels, lines of text), stored with the case when it is sent:
the case page shows exactly what the citizen checked and sent, even after the e-service's
questions are edited.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from forms.cases.engine.build import item_fields
from forms.cases.engine.conditions import Walk
from forms.cases.engine.messages import format_number
from forms.cases.engine.page import item_legend
from sitegen.content.models import Page, Question
from sitegen.site.dates import date_words

NO_ANSWER = "Inget svar"


def _lines(question: Question, value: Any) -> list[str]:
    if value is None or value == [] or value == "":
        return [NO_ANSWER]
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, bool):
        return ["Ja" if value else "Nej"]
    if isinstance(value, (int, float)):
        return [format_number(value)]
    if question.type == "date" and isinstance(value, str):
        # Typed as 2026-12-31 (the hint's form), read as "31 december 2026": ISO breaks on a phone.
        try:
            return [date_words(datetime.date.fromisoformat(value))]
        except ValueError:
            return [value]
    return str(value).splitlines() or [NO_ANSWER]


def _item_rows(question: Question, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"label": sub.label, "lines": _lines(sub, values.get(sub.id))} for sub in item_fields(question)]


def question_summary(question: Question, value: Any) -> dict[str, Any]:
    """One question: its label and either lines of text or items (repeat, prescriptions)."""
    row: dict[str, Any] = {"id": question.id, "label": question.label}
    if question.type == "repeat":
        row["items"] = [
            {"title": item_legend(question, number), "rows": _item_rows(question, values)}
            for number, values in enumerate(value or [], start=1)
        ]
        if not row["items"]:
            row["lines"] = [NO_ANSWER]
    elif question.type == "prescriptions":
        value = value or {"selected": [], "manual": []}
        items = []
        for chosen in value.get("selected", []):
            rows = [{"label": "Läkemedlets namn", "lines": [chosen["name"]]}]
            if chosen.get("strength"):
                rows.append({"label": "Styrka", "lines": [chosen["strength"]]})
            if chosen.get("form"):
                rows.append({"label": "Beredningsform", "lines": [chosen["form"]]})
            title = " ".join(part for part in (chosen["name"], chosen.get("strength")) if part)
            items.append({"title": title, "note": "Valt från listan", "rows": rows})
        for number, values in enumerate(value.get("manual", []), start=1):
            title = str(values.get("name") or item_legend(question, number))
            items.append({"title": title, "note": "Inskrivet för hand", "rows": _item_rows(question, values)})
        row["items"] = items
        if not items:
            row["lines"] = [NO_ANSWER]
    else:
        row["lines"] = _lines(question, value)
    return row


def summarize(pages: Sequence[Page], state: Walk) -> list[dict[str, Any]]:
    """Every applicable page with its questions and answers, in the order they were asked."""
    result = []
    for page_state in state.applicable():
        answers = state.answers_by_page.get(page_state.index, {})
        result.append(
            {
                "page": page_state.index,
                "title": page_state.page.title,
                "questions": [question_summary(q, answers.get(q.id)) for q in page_state.page.questions],
            }
        )
    return result
