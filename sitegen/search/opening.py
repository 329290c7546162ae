""""Öppet nu" at query time, from the opening hours the index stores as JSON.

The index keeps each card's `opening_hours` and `opening_exceptions` as written; whether a
mottagning is open is decided when a citizen asks, at the request's time (Europe/Stockholm), by
sitegen.content.hours, the same reading of the hours the contact pages use: `hours_on` gives the
day's time ranges (an avvikande öppettid replacing the weekday's), and the minute is in one of
them or not, as in `open_at`.

A search asks about every distinct set of hours in the index once a minute; a day's ranges per
set of hours are kept for that day, so the hours are read once a day, not once a minute.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from sitegen.content.hours import STOCKHOLM, TimeRange, hours_on


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


def _card(hours_json: str) -> _Card:
    data = json.loads(hours_json)
    return _Card(
        opening_hours=tuple(_Line(line["days"], line["hours"]) for line in data.get("opening_hours", [])),
        opening_exceptions=tuple(
            _Exception(datetime.date.fromisoformat(entry["date"]), entry["hours"])
            for entry in data.get("opening_exceptions", [])
        ),
    )


class OpeningHours:
    """Answers "open at this moment?" for stored hours, reading each set of hours once a day."""

    def __init__(self) -> None:
        self._day: datetime.date | None = None
        self._ranges: dict[str, tuple[TimeRange, ...]] = {}

    def __call__(self, hours_json: str, moment: datetime.datetime) -> bool:
        """Whether the stored hours say open at `moment` (an aware time, or Stockholm's wall clock).

        Validated content always reads; an index from a build before the hours were checked may
        hold lines that do not, and a line that cannot be read never says "Öppet nu" (nor fails
        the search).
        """
        local = moment.astimezone(STOCKHOLM) if moment.tzinfo is not None else moment
        day = local.date()
        if day != self._day:
            self._day, self._ranges = day, {}
        ranges = self._ranges.get(hours_json)
        if ranges is None:
            try:
                ranges = hours_on(_card(hours_json), day)
            except ValueError:
                ranges = ()
            self._ranges[hours_json] = ranges
        minute = local.hour * 60 + local.minute
        return any(time_range.contains(minute) for time_range in ranges)


def open_now(hours_json: str, moment: datetime.datetime) -> bool:
    """One-off form of OpeningHours (a searcher keeps its own, to read each set of hours once a day)."""
    return OpeningHours()(hours_json, moment)
