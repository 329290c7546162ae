"""WTForms validators that speak plain Swedish and keep what the citizen typed.

WTForms' own validators have English messages and some (DateField, IntegerField) throw away text
they cannot parse; these work on the text as typed, so an error page shows the citizen's own input
next to the message, and the conversion to a date or number happens only after validation.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from forms.cases.engine import messages
from sitegen.content.digits import ascii_date

_NUMBER = re.compile(r"^[+-]?[0-9]+(?:[.,][0-9]+)?$")  # ASCII digits only: see sitegen.content.digits


def is_blank(value: Any) -> bool:
    """No answer: nothing, an empty string, only spaces, or no option chosen."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return all(is_blank(item) for item in value)
    return False


def parse_number(text: str) -> float | None:
    """'1,5' or '1.5' or ' 3 ' → a float; None for anything that is not a plain number."""
    cleaned = re.sub(r"\s+", "", text or "")
    if not _NUMBER.match(cleaned) or len(cleaned) > 30:
        return None
    return float(cleaned.replace(",", "."))


def number_value(text: str) -> int | float | None:
    """The number as stored in a case: an int when it is whole, so 2 is not shown as 2.0."""
    number = parse_number(text)
    if number is None:
        return None
    return int(number) if number.is_integer() else number


def parse_date(text: str) -> datetime.date | None:
    return ascii_date((text or "").strip())


class Required:
    """The question must be answered; the message says what to answer."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Form, field: Field) -> None:
        if is_blank(field.data):
            field.errors[:] = []
            raise StopValidation(self.message)


class Optional:
    """An optional question left blank needs no further checks."""

    field_flags = {"optional": True}  # noqa: RUF012 - WTForms reads this class attribute

    def __call__(self, form: Form, field: Field) -> None:
        if is_blank(field.data):
            field.errors[:] = []
            raise StopValidation()


class MaxLength:
    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, form: Form, field: Field) -> None:
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(messages.too_long(self.limit, length))


class OneOf:
    """A radio answer must be one of the options shown (guards against edited requests)."""

    def __init__(self, options: Sequence[str]) -> None:
        self.options = list(options)

    def __call__(self, form: Form, field: Field) -> None:
        if field.data not in self.options:
            raise ValidationError(messages.NOT_AN_OPTION)


class AllOf:
    """Every checked box must be one of the options shown."""

    def __init__(self, options: Sequence[str]) -> None:
        self.options = list(options)

    def __call__(self, form: Form, field: Field) -> None:
        if any(value not in self.options for value in field.data or []):
            raise ValidationError(messages.NOT_AN_OPTION)


class CountBetween:
    """How many boxes may be checked."""

    def __init__(self, minimum: int | None, maximum: int | None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def __call__(self, form: Form, field: Field) -> None:
        count = len(set(field.data or []))
        if self.minimum is not None and count < self.minimum:
            raise ValidationError(messages.choose_at_least(self.minimum))
        if self.maximum is not None and count > self.maximum:
            raise ValidationError(messages.choose_at_most(self.maximum))


class IsoDate:
    def __call__(self, form: Form, field: Field) -> None:
        if parse_date(field.data) is None:
            raise ValidationError(messages.DATE)


class NumberBetween:
    def __init__(self, minimum: float | None, maximum: float | None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def __call__(self, form: Form, field: Field) -> None:
        number = parse_number(field.data)
        out_of_range = number is None or (
            (self.minimum is not None and number < self.minimum)
            or (self.maximum is not None and number > self.maximum)
        )
        if out_of_range:
            raise ValidationError(messages.number_range(self.minimum, self.maximum))
