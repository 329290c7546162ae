""""Öppet nu" at query time, from the opening hours the index stores as JSON.

The index keeps each card's `opening_hours` and `opening_exceptions` as written; whether a
mottagning is open is decided when a citizen asks, at the request's time (Europe/Stockholm), by
sitegen.content.hours, the same reading of the hours the contact pages use.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import lru_cache

from sitegen.content.hours import open_at


@dataclass(frozen=True)
class _Line:
    days: str
    hours: str


@dataclass(frozen=True)
class _Exception:
    date: datetime.date
    hours: str


@dataclass(frozen=True)
class _Card:
    opening_hours: tuple[_Line, ...]
    opening_exceptions: tuple[_Exception, ...]


@lru_cache(maxsize=4096)
def _card(hours_json: str) -> _Card:
    data = json.loads(hours_json)
    return _Card(
        opening_hours=tuple(_Line(line["days"], line["hours"]) for line in data.get("opening_hours", [])),
        opening_exceptions=tuple(
            _Exception(datetime.date.fromisoformat(entry["date"]), entry["hours"])
            for entry in data.get("opening_exceptions", [])
        ),
    )


def open_now(hours_json: str, moment: datetime.datetime) -> bool:
    """Whether the stored hours say open at `moment` (an aware time, or Stockholm's wall clock).

    Validated content always reads; an index from a build before the hours were checked may hold
    lines that do not, and a line that cannot be read never says "Öppet nu" (nor fails the search).
    """
    try:
        return open_at(_card(hours_json), moment)
    except ValueError:
        return False
