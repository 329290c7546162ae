"""Putting a tidbok on the app: the one given (a record system's), or the standalone one, seeded.

The seed comes from the same demo file as the test login's people (FORMS_DEMO_DATA), and only
when the app runs on those demo people; behind a real identity provider nothing is seeded, and with a
record system's tidbok the standalone tables stay empty.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from flask import Flask, g, has_request_context
from sqlalchemy import Engine

from forms.booking.calendar import Calendar
from forms.booking.common import EXTENSION
from forms.booking.interface import Tidbok
from forms.booking.seed import load_tidbok, seed
from forms.booking.standalone import StandaloneTidbok


def request_scope() -> dict[str, Calendar] | None:
    """The calendars the standalone tidbok has checked in this request (forms.booking.calendar)."""
    if not has_request_context():
        return None
    return g.setdefault("tidbok_calendars", {})  # type: ignore[no-any-return]


def install_tidbok(
    app: Flask, given: Tidbok | None, engine: Engine, demo_data: Path | None, now: Callable[[], datetime.datetime]
) -> Tidbok:
    """`given`, or the standalone tidbok, seeded from `demo_data` when the app runs on the demo people."""
    if given is None:
        given = StandaloneTidbok(engine, request_scope)
        if demo_data is not None:
            seed(engine, load_tidbok(Path(demo_data)), now())
    app.extensions[EXTENSION] = given
    return given
