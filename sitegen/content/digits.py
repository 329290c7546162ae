"""What counts as a digit in anything typed or posted: only ASCII 0–9.

Python's `str.isdigit()` says yes to "²", which `int()` then refuses (a 500 where it was trusted),
and `int()`, `float()` and the regex `\\d` silently accept other scripts' digits ("٣", "５", "１２").
A personnummer, an id or a postal code written in such digits would be a second spelling of the
same value, so the product refuses them everywhere, consistently, instead of normalising some:
a typed value gets the field's Swedish message, a posted id or index a 400 or 404.

This module sits in sitegen.content because it is the one layer every part may import: the
content loader, the question engine (which may not import forms.platform) and forms.identity
(below forms.platform) all read digits.
"""

from __future__ import annotations

import datetime
import re

DIGITS = "[0-9]"
"""The regex class for one digit; `\\d` also matches other scripts' digits."""

_INT = re.compile(r"[0-9]{1,18}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def ascii_int(text: object, max_digits: int = 9) -> int | None:
    """The whole number written in 1–`max_digits` ASCII digits, nothing else around it; else None.

    No sign, no spaces, no underscores ("1_0" is 10 to `int()`): callers strip typed text first.
    The length bound keeps a posted "99999999999999999999" from reaching a database column.
    """
    if not isinstance(text, str) or not 1 <= len(text) <= min(max_digits, 18) or not _INT.fullmatch(text):
        return None
    return int(text)


def ascii_date(text: object) -> datetime.date | None:
    """A date written exactly YYYY-MM-DD in ASCII digits, or None (also for 2026-02-30).

    `date.fromisoformat` also takes "20260101" and "2026-W01-1"; a form asks for one spelling.
    """
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None
