"""One page of a form, bound to what the citizen posted: validation, answers and what to render.

`PageForm` wraps the WTForms form of a page. It adds what WTForms has no notion of: repeat items
that are left completely blank are dropped (unless needed to reach `min`), a prescriptions question
counts list choices and hand-typed medicines together, and the page reports its errors in page
order with the id of the input each error summary link must reach.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Field, FieldList, Form

from forms.cases.engine import messages
from forms.cases.engine.build import MANUAL_SUFFIX, item_bounds, item_fields, options_of, page_form_class, text_limit
from forms.cases.engine.context import EngineContext
from forms.cases.engine.validators import is_blank, number_value
from sitegen.content.models import Page, Question
from sitegen.site.dates import date_words

Raw = dict[str, list[str]]  # what the browser posted for one page, JSON-friendly
ITEM_MARKER = "_item"  # a hidden input per repeat item, so an item of only radios still counts


@dataclass
class Option:
    value: str
    label: str
    id: str
    checked: bool
    hint: str | None = None


@dataclass
class Control:
    """One question as the template renders it."""

    kind: str
    id: str  # the first input: where labels point and error links go
    name: str
    label: str
    hint: str | None
    optional: bool
    error: str | None = None
    value: str = ""
    options: list[Option] = field(default_factory=list)
    max_length: int | None = None
    items: list[Item] = field(default_factory=list)
    item_prefix: str = ""  # the FieldList name of a repeat or of hand-typed medicines
    can_add: bool = False
    listing: list[Option] | None = None  # prescriptions: the list, or None when none may be shown
    no_list_reason: str | None = None

    @property
    def _describer(self) -> str:
        # Groups are described under their own name, so their ids never clash with an option's.
        if self.kind in {"repeat", "prescriptions"}:
            return self.group_id
        if self.kind in {"choice", "choices"}:
            return self.name
        return self.id

    @property
    def hint_id(self) -> str:
        return f"{self._describer}-hint"

    @property
    def error_id(self) -> str:
        return f"{self._describer}-error"

    @property
    def group_id(self) -> str:
        return f"{self.item_prefix or self.name}-group"

    @property
    def described_by(self) -> str:
        """The aria-describedby value: hint, then error, whichever are shown."""
        ids = ([self.hint_id] if self.hint else []) + ([self.error_id] if self.error else [])
        return " ".join(ids)


@dataclass
class Item:
    """One item of a repeat, numbered from 1 for the citizen."""

    number: int
    legend: str
    controls: list[Control]
    can_remove: bool
    prefix: str  # e.g. products-1: the names of its inputs start with this

    @property
    def marker_name(self) -> str:
        return f"{self.prefix}-{ITEM_MARKER}"


@dataclass(frozen=True)
class PageError:
    anchor: str
    message: str
    context: str | None = None  # e.g. "Hjälpmedel 2", for the error summary


def item_legend(question: Question, number: int) -> str:
    if question.type == "prescriptions":
        return f"Läkemedel {number}"
    label = question.label.strip()
    if label.endswith(("?", ":")):
        return f"Nummer {number}"
    return f"{label} {number}"


def field_names(page: Page) -> list[str]:
    """The form names that belong to a page: a question id, or one followed by '-'."""
    return [question.id for question in page.questions]


def _ascii_indices(key: str) -> bool:
    """No part of the name is a number in other digits ("products-²-product").

    WTForms' FieldList takes an item index with `str.isdigit()` and then `int()`, which fails on
    "²" (a 500) and reads "５" as 5; such a name is no field of ours, so it is left out.
    """
    return all(part.isascii() or not part.isdigit() for part in key.split("-"))


def raw_from(page: Page, posted: Mapping[str, Any]) -> Raw:
    """The part of a POST that belongs to this page's questions, as plain lists of strings."""
    prefixes = field_names(page)
    result: Raw = {}
    getlist = getattr(posted, "getlist", None)
    for key in posted:
        if any(key == qid or key.startswith(qid + "-") for qid in prefixes) and _ascii_indices(key):
            values = getlist(key) if getlist else posted[key]
            values = values if isinstance(values, list) else [values]
            result[key] = [str(value) for value in values][:200]
    return result


class PageForm:
    """A page definition bound to posted data (or to nothing, when shown for the first time)."""

    def __init__(self, page: Page, context: EngineContext, raw: Raw | None) -> None:
        self.page = page
        self.context = context
        self.bound = raw is not None
        self.listed = context.prescriptions is not None and len(context.prescriptions) > 0
        form_class = page_form_class(page, context)
        formdata = MultiDict(
            [(key, value) for key, values in (raw or {}).items() if _ascii_indices(key) for value in values]
        )
        self.form: Form = form_class(formdata=formdata if raw is not None else None)
        self._pad_items()
        self.errors: list[PageError] = []
        self._question_errors: dict[str, str] = {}
        self._skipped: set[str] = set()  # blank repeat items that are not part of the answer
        self.validated = False

    # Binding -----------------------------------------------------------------------------------

    def _min_shown(self, question: Question) -> int:
        minimum, _ = item_bounds(question, self.listed)
        if question.type == "prescriptions" and self.listed:
            return 0
        return max(minimum, 1)

    def _pad_items(self) -> None:
        for question in self.page.questions:
            items = self._fieldlist(question)
            if items is not None:
                while len(items.entries) < self._min_shown(question):
                    items.append_entry()

    def _fieldlist(self, question: Question) -> FieldList | None:
        if question.type == "repeat":
            return self.form[question.id]  # type: ignore[return-value]
        if question.type == "prescriptions":
            return self.form[question.id + MANUAL_SUFFIX]  # type: ignore[return-value]
        return None

    # Validation --------------------------------------------------------------------------------

    def validate(self) -> bool:
        """Check every question; afterwards `errors` lists them in page order."""
        self.errors = []
        self._question_errors = {}
        self._skipped = set()
        for question in self.page.questions:
            if question.type == "repeat":
                self._validate_items(question, self._fieldlist(question), needed=item_bounds(question)[0])
            elif question.type == "prescriptions":
                self._validate_prescriptions(question)
            else:
                self._validate_field(self.form[question.id], question.id, None)
        self.validated = True
        return not self.errors

    def _validate_field(self, bound: Field, anchor: str, context: str | None) -> None:
        if not bound.validate(self.form) and bound.errors:
            self.errors.append(PageError(anchor_of(bound), str(bound.errors[0]), context))

    def _validate_items(self, question: Question, items: FieldList | None, needed: int) -> int:
        """Validate the items of a repeat; return how many count towards the answer."""
        assert items is not None
        entries = list(items.entries)
        filled = [entry for entry in entries if not _entry_blank(entry.form)]
        missing = max(0, needed - len(filled))
        counted = 0
        for number, entry in enumerate(entries, start=1):
            if _entry_blank(entry.form):
                if missing <= 0:
                    self._skipped.add(entry.name)
                    continue
                missing -= 1
            counted += 1
            for sub in entry.form:
                self._validate_field(sub, sub.id, item_legend(question, number))
        if counted < needed and question.type == "repeat":
            self._question_error(question, messages.add_at_least(needed, question.label), items)
        return counted

    def _validate_prescriptions(self, question: Question) -> None:
        chosen: Field = self.form[question.id]
        items: FieldList = self.form[question.id + MANUAL_SUFFIX]  # type: ignore[assignment]
        picked = list(dict.fromkeys(chosen.data or []))
        if any(self.context.prescription(value) is None for value in picked):
            # The first checkbox when there is a list; without one (nothing listed, a tampered post)
            # the first hand-typed field, so the error summary's link leads to a field on the page.
            self.errors.append(PageError(self._first_anchor(question), messages.NOT_AN_OPTION))
            self._question_errors[question.id] = messages.NOT_AN_OPTION
            return
        minimum, maximum = item_bounds(question)
        if self.listed:
            filled = [e for e in items.entries if not _entry_blank(e.form)]
            for entry in items.entries:
                if _entry_blank(entry.form):
                    self._skipped.add(entry.name)
            for number, entry in enumerate(items.entries, start=1):
                if entry.name not in self._skipped:
                    for sub in entry.form:
                        self._validate_field(sub, sub.id, item_legend(question, number))
            total = len(picked) + len(filled)
            if total < minimum:
                self._question_error(question, messages.PRESCRIPTION_NONE, None, anchor=f"{question.id}-0")
        else:
            total = self._validate_items(question, items, needed=minimum)
            if total < minimum:
                self._question_error(question, messages.PRESCRIPTION_NONE_BY_HAND, items)
        if total > maximum:
            too_many = messages.at_most_medicines(maximum)
            self._question_error(question, too_many, None, anchor=self._first_anchor(question))

    def _question_error(
        self, question: Question, message: str, items: FieldList | None, anchor: str | None = None
    ) -> None:
        if anchor is None:
            first = items.entries[0].form if items is not None and items.entries else None
            anchor = anchor_of(next(iter(first))) if first is not None else f"{_prefix(question)}-add"
        self._question_errors[question.id] = message
        self.errors.append(PageError(anchor, message))

    def _first_anchor(self, question: Question) -> str:
        if self.listed:
            return f"{question.id}-0"
        items = self._fieldlist(question)
        if items is not None and items.entries:
            return anchor_of(next(iter(items.entries[0].form)))
        return f"{_prefix(question)}-add"

    # Answers -----------------------------------------------------------------------------------

    def answers(self) -> dict[str, Any]:
        """The page's answers as stored in a case; call after a successful validate()."""
        result: dict[str, Any] = {}
        for question in self.page.questions:
            if question.type == "repeat":
                result[question.id] = self._item_answers(question, self._fieldlist(question))
            elif question.type == "prescriptions":
                picked = list(dict.fromkeys(self.form[question.id].data or []))
                selected = []
                for value in picked:
                    item = self.context.prescription(value)
                    if item is not None:
                        selected.append(
                            {"id": item.id, "name": item.name, "strength": item.strength, "form": item.form}
                        )
                manual = self._item_answers(question, self._fieldlist(question))
                result[question.id] = {"selected": selected, "manual": manual}
            else:
                result[question.id] = _value(question, self.form[question.id].data)
        return result

    def _item_answers(self, question: Question, items: FieldList | None) -> list[dict[str, Any]]:
        assert items is not None
        fields = item_fields(question)
        return [
            {sub.id: _value(sub, entry.form[sub.id].data) for sub in fields}
            for entry in items.entries
            if entry.name not in self._skipped
        ]

    # Rendering ---------------------------------------------------------------------------------

    def controls(self) -> list[Control]:
        """What the template renders, question by question, with errors when validated."""
        return [self._control(question) for question in self.page.questions]

    def _control(self, question: Question) -> Control:
        if question.type in {"repeat", "prescriptions"}:
            return self._group_control(question)
        return _simple_control(question, self.form[question.id], self.context)

    def _group_control(self, question: Question) -> Control:
        items = self._fieldlist(question)
        assert items is not None
        _, maximum = item_bounds(question, self.listed)
        min_shown = self._min_shown(question)
        fields = item_fields(question)
        rendered = []
        for number, entry in enumerate(items.entries, start=1):
            controls = [_simple_control(sub, entry.form[sub.id], self.context) for sub in fields]
            rendered.append(
                Item(
                    number=number,
                    legend=item_legend(question, number),
                    controls=controls,
                    can_remove=len(items.entries) > min_shown,
                    prefix=entry.name,
                )
            )
        prefix = _prefix(question)
        control = Control(
            kind=question.type,
            id=f"{prefix}-group",
            name=question.id,
            label=question.label,
            hint=question.hint,
            optional=question.optional,
            error=self._question_errors.get(question.id),
            items=rendered,
            item_prefix=prefix,
            can_add=len(items.entries) < maximum,
        )
        if question.type == "prescriptions":
            chosen = set(self.form[question.id].data or [])
            if self.context.prescriptions is None:
                control.listing = None
                control.no_list_reason = self.context.no_list_reason
            else:
                control.listing = [
                    Option(
                        value=item.id,
                        label=item.title(),
                        id=f"{question.id}-{index}",
                        checked=item.id in chosen,
                        hint=f"Förskrivet {date_words(item.prescribed)}",
                    )
                    for index, item in enumerate(self.context.prescriptions)
                ]
            if control.listing:
                control.id = f"{question.id}-0"
        return control


def _prefix(question: Question) -> str:
    return question.id + (MANUAL_SUFFIX if question.type == "prescriptions" else "")


def _entry_blank(form: Form) -> bool:
    return all(is_blank(sub.data) for sub in form)


def anchor_of(bound: Field) -> str:
    """The id an error link goes to: the input itself, or the first option of a group."""
    if bound.type in {"RadioField", "SelectMultipleField"}:
        return f"{bound.id}-0"
    return str(bound.id)


def _value(question: Question, data: Any) -> Any:
    """A posted value converted to what a case stores; None for an unanswered optional question."""
    if is_blank(data):
        return [] if question.type == "choices" else None
    if question.type == "number":
        return number_value(data)
    if question.type == "choices":
        return list(dict.fromkeys(data))
    return data


def _simple_control(question: Question, bound: Field, context: EngineContext) -> Control:
    kind = question.type
    control = Control(
        kind=kind,
        id=anchor_of(bound),
        name=bound.name,
        label=question.label,
        hint=question.hint,
        optional=question.optional,
        error=str(bound.errors[0]) if bound.errors else None,
    )
    if kind in {"choice", "choices"}:
        chosen = bound.data if isinstance(bound.data, list) else [bound.data]
        control.options = [
            Option(value=option, label=option, id=f"{bound.id}-{index}", checked=option in chosen)
            for index, option in enumerate(options_of(question, context))
        ]
    else:
        control.value = bound.data if isinstance(bound.data, str) else ""
        if kind == "date":
            control.hint = " ".join(part for part in (question.hint, messages.DATE_HINT) if part)
        if kind in {"text", "textarea"}:
            control.max_length = text_limit(question)
    return control

