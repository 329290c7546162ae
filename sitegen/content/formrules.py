"""Rules of a form definition that span more than one key.

Pydantic checks each key on its own; these rules look at a question or a whole form and name the
exact key to fix (`pages[1].when.renewal`, `questions[0].min`), so they live here rather than in
model validators, which can only point at the whole model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sitegen.content.models import Form, Question

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

_CHOICE_TYPES = {"choice", "choices"}
_COUNTED_TYPES = {"repeat", "prescriptions", "choices"}
_BOUNDED_TYPES = _COUNTED_TYPES | {"number"}
_TEXT_TYPES = {"text", "textarea"}


def question_problems(question: Question) -> Iterator[Problem]:
    """What is wrong with one question, each at the key that needs fixing."""
    kind = question.type
    if kind in _CHOICE_TYPES:
        if question.options is None and question.options_from is None:
            yield (), f"en fråga av typen {kind} behöver options eller options_from"
        elif question.options is not None and question.options_from is not None:
            yield ("options_from",), "ange antingen options eller options_from, inte båda"
        elif question.options is not None:
            if not question.options:
                yield ("options",), "listan med svarsalternativ är tom"
            elif len(set(question.options)) != len(question.options):
                yield ("options",), "samma svarsalternativ står två gånger"
    else:
        for key in ("options", "options_from"):
            if getattr(question, key) is not None:
                yield (key,), f"{key} gäller bara choice och choices, inte {kind}"
    for key in ("min", "max"):
        bound = getattr(question, key)
        if bound is None:
            continue
        if kind not in _BOUNDED_TYPES:
            yield (key,), f"{key} gäller bara number, choices, repeat och prescriptions, inte {kind}"
        elif kind in _COUNTED_TYPES and (bound < 0 or not float(bound).is_integer()):
            yield (key,), f"{key} är ett antal och ska vara ett heltal från 0 och uppåt"
    if question.min is not None and question.max is not None and question.min > question.max:
        yield ("min",), f"min ({question.min}) är större än max ({question.max})"
    if kind == "choices" and question.options and question.min is not None and question.min > len(question.options):
        yield ("min",), f"min ({question.min}) är fler än antalet svarsalternativ ({len(question.options)})"
    if question.max_length is not None and kind not in _TEXT_TYPES:
        yield ("max_length",), f"max_length gäller bara text och textarea, inte {kind}"
    if kind == "repeat" and not question.fields:
        yield (), "en fråga av typen repeat behöver fields (fälten som frågas för varje post)"
    if question.fields is not None and kind not in {"repeat", "prescriptions"}:
        yield ("fields",), f"fields gäller bara repeat och prescriptions, inte {kind}"
    seen: set[str] = set()
    for index, field in enumerate(question.fields or []):
        if field.id in seen:
            yield ("fields", index, "id"), f"två fält har id '{field.id}'"
        seen.add(field.id)
        if field.type in {"repeat", "prescriptions"}:
            yield ("fields", index, "type"), f"ett fält i fields kan inte vara av typen {field.type}"
        for loc, message in question_problems(field):
            yield ("fields", index, *loc), message


def form_problems(form: Form, asked_first: Mapping[str, Question] | None = None) -> Iterator[Problem]:
    """What is wrong with a form's pages as a whole: ids, conditions and question rules.

    `asked_first`: questions the app asks before the pages (sitegen.content.recipient); `when` may
    depend on them, and the pages must not ask them again.
    """
    asked: dict[str, Question] = dict(asked_first or {})
    for page_index, page in enumerate(form.pages):
        page_loc: Loc = ("pages", page_index)
        for qid, expected in (page.when or {}).items():
            source = asked.get(qid)
            if source is None:
                yield (
                    (*page_loc, "when", qid),
                    f"'{qid}' är inte en fråga på en tidigare sida; when kan bara bero på tidigare svar",
                )
                continue
            if source.options is not None:
                wanted = expected if isinstance(expected, list) else [expected]
                for value in wanted:
                    if value not in source.options:
                        yield (
                            (*page_loc, "when", qid),
                            f"'{value}' är inget av svarsalternativen till {qid} ({', '.join(source.options)})",
                        )
        for q_index, question in enumerate(page.questions):
            q_loc: Loc = (*page_loc, "questions", q_index)
            if asked_first and question.id in asked_first:
                first = asked_first[question.id]
                yield (*q_loc, "id"), (
                    f"'{question.id}' ställer e-tjänsterna själva före formulärets sidor "
                    f"({' eller '.join(first.options or [])}); ta bort frågan här eller byt id"
                )
            elif question.id in asked:
                yield (*q_loc, "id"), f"två frågor i formuläret har id '{question.id}'"
            asked[question.id] = question
            for loc, message in question_problems(question):
                yield (*q_loc, *loc), message
