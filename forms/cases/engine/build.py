"""WTForms form classes made at run time from a page definition.

One field per question, named by the question id; a repeat is a FieldList of small item forms
(`products-0-product`), a prescriptions question is a set of checkboxes for the list plus a
FieldList for medicines typed by hand (`medicines-manual-0-name`). CSRF is not part of these
forms: the app protects every POST in one place (forms.platform.security).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from wtforms import FieldList, Form, FormField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.core import UnboundField

from forms.cases.engine import messages
from forms.cases.engine.context import EngineContext
from forms.cases.engine.validators import (
    AllOf,
    CountBetween,
    IsoDate,
    MaxLength,
    NumberBetween,
    OneOf,
    Optional,
    Required,
)
from sitegen.content.models import Page, Question

MAX_ITEMS = 50  # a repeat without max: enough for any real list, bounded against abuse
MANUAL_SUFFIX = "-manual"

# The hand-typed fields of a prescriptions question that gives none (seed 001: name, strength and
# form, as the list fills them in; dosage is the citizen's own note).
DEFAULT_MEDICINE_FIELDS: tuple[Question, ...] = (
    Question(id="name", type="text", label="Läkemedlets namn", max_length=100),
    Question(id="strength", type="text", label="Styrka", hint="Till exempel 50 mg.", max_length=40),
    Question(
        id="form", type="text", label="Beredningsform", hint="Till exempel tablett, kräm eller spray.", max_length=40
    ),
    Question(
        id="dosage",
        type="text",
        label="Hur tar du läkemedlet?",
        hint="Till exempel 1 tablett morgon och kväll.",
        optional=True,
        max_length=100,
    ),
)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def options_of(question: Question, context: EngineContext) -> list[str]:
    """The options of a choice question: its own, or the mottagning's list it names."""
    if question.options is not None:
        return list(question.options)
    if question.options_from is not None:
        return list(context.options.get(question.options_from, []))
    return []


def text_limit(question: Question) -> int:
    default = messages.TEXTAREA_MAX_LENGTH if question.type == "textarea" else messages.TEXT_MAX_LENGTH
    return question.max_length or default


def item_bounds(question: Question, listed: bool = False) -> tuple[int, int]:
    """How many items a repeat (or the hand-typed part of prescriptions) needs at least and may have.

    A required repeat needs one item unless `min` says otherwise; for prescriptions with a list the
    minimum counts list choices too, so the hand-typed part alone needs none.
    """
    minimum = int(question.min) if question.min is not None else (0 if question.optional else 1)
    maximum = int(question.max) if question.max is not None else MAX_ITEMS
    if question.type == "prescriptions" and listed:
        minimum = 0
    return minimum, min(maximum, MAX_ITEMS)


def item_fields(question: Question) -> list[Question]:
    if question.fields:
        return list(question.fields)
    return list(DEFAULT_MEDICINE_FIELDS) if question.type == "prescriptions" else []


def _field(question: Question, context: EngineContext) -> UnboundField:
    """The unbound WTForms field for one non-repeating question."""
    first = Optional() if question.optional else None
    label = question.label
    hint = question.hint or ""
    kind = question.type
    if kind in {"text", "textarea"}:
        checks = [first or Required(messages.write_message(label)), MaxLength(text_limit(question))]
        cls = TextAreaField if kind == "textarea" else StringField
        return cls(label, description=hint, validators=checks, filters=[_strip])
    if kind == "date":
        checks = [first or Required(messages.DATE), IsoDate()]
        return StringField(label, description=hint, validators=checks, filters=[_strip])
    if kind == "number":
        bounds = NumberBetween(question.min, question.max)
        empty = messages.write_message(label)
        return StringField(label, description=hint, validators=[first or Required(empty), bounds], filters=[_strip])
    options = options_of(question, context)
    choices = list(options)  # plain values: the templates render the labels themselves
    if kind == "choice":
        checks = [first or Required(messages.CHOOSE_ONE), OneOf(options)]
        return RadioField(label, description=hint, choices=choices, validators=checks, validate_choice=False)
    if kind == "choices":
        minimum = int(question.min) if question.min is not None else 1
        checks = [
            first or Required(messages.choose_at_least(minimum)),
            AllOf(options),
            CountBetween(minimum, int(question.max) if question.max is not None else None),
        ]
        return SelectMultipleField(label, description=hint, choices=choices, validators=checks, validate_choice=False)
    raise ValueError(f"no plain field for question type {kind}")


def item_form_class(question: Question, context: EngineContext) -> type[Form]:
    """The form of one item of a repeat: one field per entry of `fields`."""
    attrs: dict[str, Any] = {field.id: _field(field, context) for field in item_fields(question)}
    return type(f"Item_{question.id}", (Form,), attrs)


# Form classes made before, by page and what of the context shapes them. Making a class per request
# cost a tenth of a form page's time; a class is as reusable as one written by hand (its instances,
# made per request, hold the data). The entry keeps its page alive, so its id cannot be reused
# for another page while the entry exists.
_CLASSES: OrderedDict[tuple[Any, ...], tuple[Page, type[Form]]] = OrderedDict()
_CLASSES_LOCK = threading.Lock()
CACHED_CLASSES = 1024


def _shape(context: EngineContext) -> tuple[Any, ...]:
    """What of the context a page's class depends on: the option lists and the listed prescriptions."""
    options = tuple(sorted((name, tuple(values)) for name, values in context.options.items()))
    listed = None if context.prescriptions is None else tuple(p.id for p in context.prescriptions)
    return options, listed


def page_form_class(page: Page, context: EngineContext) -> type[Form]:
    """The WTForms form class for a page in the context it is shown in (made once, then reused)."""
    key = (id(page), *_shape(context))
    with _CLASSES_LOCK:
        hit = _CLASSES.get(key)
        if hit is not None and hit[0] is page:
            _CLASSES.move_to_end(key)
            return hit[1]
    made = _page_form_class(page, context)
    with _CLASSES_LOCK:
        _CLASSES[key] = (page, made)
        if len(_CLASSES) > CACHED_CLASSES:
            _CLASSES.popitem(last=False)
    return made


def _page_form_class(page: Page, context: EngineContext) -> type[Form]:
    attrs: dict[str, Any] = {}
    for question in page.questions:
        if question.type == "repeat":
            _, maximum = item_bounds(question)
            attrs[question.id] = FieldList(
                FormField(item_form_class(question, context)), label=question.label, max_entries=maximum
            )
        elif question.type == "prescriptions":
            listed = context.prescriptions is not None and len(context.prescriptions) > 0
            _, maximum = item_bounds(question, listed)
            choices = [p.id for p in context.prescriptions or ()]
            attrs[question.id] = SelectMultipleField(question.label, choices=choices, validate_choice=False)
            attrs[question.id + MANUAL_SUFFIX] = FieldList(
                FormField(item_form_class(question, context)), label=question.label, max_entries=maximum
            )
        else:
            attrs[question.id] = _field(question, context)
    return type("PageForm", (Form,), attrs)
