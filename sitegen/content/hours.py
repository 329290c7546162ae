"""Opening hours as values a program can use: which weekdays a line covers, which times it names.

A contact card's `days` and `hours` are written for people ("Måndag–fredag", "08.00–17.00"), but a
line the program cannot read is a line the schema.org data silently drops and "Öppet nu" in search
cannot answer. So the written forms editors use are parsed here, once, and anything else is an
error with an example of the right form, raised as ValueError so that the pydantic models report
it at file:line: key.

Public names (other parts of the program, such as search's "Öppet nu", build on them):

- `parse_days(text) -> frozenset[int]`: the weekdays (0 = måndag … 6 = söndag) of a `days` value.
- `parse_hours(text) -> tuple[TimeRange, ...]`: the time ranges of an `hours` value, `()` for
  "Stängt".
- `hours_on(clinic, day) -> tuple[TimeRange, ...]`: what a mottagning's card says about one date,
  an `opening_exceptions` entry for that date replacing the weekly hours.
- `open_at(clinic, moment) -> bool`: whether the card says the mottagning is open at that moment,
  read in Europe/Stockholm.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from sitegen.content.digits import DIGITS

STOCKHOLM = ZoneInfo("Europe/Stockholm")

WEEKDAYS: tuple[str, ...] = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
# Words for several days at once; "helgdagar" (public holidays) is deliberately not one of them.
_GROUPS: dict[str, frozenset[int]] = {
    "vardagar": frozenset(range(5)),
    "helger": frozenset({5, 6}),
    "alla dagar": frozenset(range(7)),
}
_DAY_NUMBER: dict[str, int] = {
    **{name: number for number, name in enumerate(WEEKDAYS)},
    # "Tisdagar och torsdagar" is as natural as the singular.
    **{name + "ar": number for number, name in enumerate(WEEKDAYS)},
}
# En dash is the Swedish range sign; a hyphen or em dash is what a keyboard gives.
_DASH = r"\s*[–—-]\s*"
_LIST_SPLIT = re.compile(r"\s*,\s*|\s+och\s+")
_TIME = rf"([0-2]?{DIGITS})[.:]([0-5]{DIGITS})"  # ASCII: "٠٨.٠٠" is refused, not read as 08.00
_RANGE = re.compile(rf"^{_TIME}{_DASH}{_TIME}$")
CLOSED = "stängt"

DAYS_EXAMPLE = "Måndag–fredag, Tisdag och torsdag, Vardagar eller Lördag–söndag"
HOURS_EXAMPLE = '"08.00–17.00", "08.00–12.00, 13.00–16.30" eller Stängt'


@dataclass(frozen=True, order=True)
class TimeRange:
    """An opening from `start` to `end`, in minutes after midnight; `end` may be 1440 (24.00)."""

    start: int
    end: int

    def contains(self, minute: int) -> bool:
        """Open at this minute of the day: from the opening minute up to, not including, closing."""
        return self.start <= minute < self.end

    @property
    def opens(self) -> str:
        """The opening time as schema.org and HTML's <time> want it: 08:00."""
        return _clock(self.start)

    @property
    def closes(self) -> str:
        """The closing time as 17:00; midnight at the end of the day is 23:59, the last minute."""
        return _clock(min(self.end, 1439))

    def swedish(self) -> str:
        """The range as Swedish pages write it: 08.00–17.00."""
        return f"{_clock(self.start, '.')}–{_clock(self.end, '.')}"


def _clock(minutes: int, separator: str = ":") -> str:
    return f"{minutes // 60:02d}{separator}{minutes % 60:02d}"


def _day(word: str, text: str) -> int:
    number = _DAY_NUMBER.get(word)
    if number is None:
        which = f" ('{word}' är ingen veckodag)" if word and word != text.lower() else ""
        raise ValueError(f"'{text}' går inte att läsa som veckodagar{which}; skriv till exempel {DAYS_EXAMPLE}")
    return number


def parse_days(text: str) -> frozenset[int]:
    """The weekdays a `days` value names, 0 = måndag … 6 = söndag.

    Reads single days ("Lördag"), ranges with en dash or hyphen ("Måndag–fredag"; "Söndag–torsdag"
    runs over the weekend), lists joined by commas and "och" ("Måndag, onsdag och fredag") and the
    words "Vardagar", "Helger" and "Alla dagar", in any letter case. Raises ValueError with an
    example of the right form otherwise.
    """
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        raise ValueError(f"dagarna saknas; skriv till exempel {DAYS_EXAMPLE}")
    if cleaned in _GROUPS:
        return _GROUPS[cleaned]
    days: set[int] = set()
    for item in _LIST_SPLIT.split(cleaned):
        if item in _GROUPS:
            days |= _GROUPS[item]
            continue
        ends = re.split(_DASH, item)
        if len(ends) == 1:
            days.add(_day(item, text.strip()))
        elif len(ends) == 2:
            first, last = _day(ends[0], text.strip()), _day(ends[1], text.strip())
            days.update((first + step) % 7 for step in range((last - first) % 7 + 1))
        else:
            raise ValueError(f"'{text.strip()}' går inte att läsa som veckodagar; skriv till exempel {DAYS_EXAMPLE}")
    return frozenset(days)


def parse_hours(text: str) -> tuple[TimeRange, ...]:
    """The time ranges an `hours` value names, in order; `()` for "Stängt".

    Reads "08.00–17.00" (en dash or hyphen, "." or ":" between hours and minutes), several ranges
    joined by commas or "och" ("08.00–12.00, 13.00–16.30"), and "Stängt" in any letter case. Each
    range must end after it starts and ranges must not overlap. Raises ValueError with an example of
    the right form otherwise.
    """
    cleaned = " ".join(text.strip().split())
    if cleaned.lower() == CLOSED:
        return ()
    wrong = f"'{cleaned}' går inte att läsa som öppettider; skriv till exempel {HOURS_EXAMPLE}"
    if not cleaned:
        raise ValueError(f"tiderna saknas; skriv till exempel {HOURS_EXAMPLE}")
    ranges: list[TimeRange] = []
    for item in _LIST_SPLIT.split(cleaned):
        match = _RANGE.match(item)
        if match is None:
            raise ValueError(wrong)
        hour_a, minute_a, hour_b, minute_b = (int(part) for part in match.groups())
        start, end = hour_a * 60 + minute_a, hour_b * 60 + minute_b
        if hour_a > 23 or hour_b > 24 or end > 1440:
            raise ValueError(f"'{item}' är ingen tid på dygnet; skriv till exempel {HOURS_EXAMPLE}")
        if end <= start:
            raise ValueError(f"'{item}' slutar inte efter att den börjar; skriv till exempel {HOURS_EXAMPLE}")
        ranges.append(TimeRange(start, end))
    ordered = sorted(ranges)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise ValueError(f"'{cleaned}' har tider som överlappar; skriv till exempel {HOURS_EXAMPLE}")
    return tuple(ranges)


def format_hours(ranges: Sequence[TimeRange]) -> str:
    """An `hours` value written the one way the pages show it: "08.00–12.00, 13.00–16.30" or "Stängt"."""
    return ", ".join(time_range.swedish() for time_range in ranges) if ranges else "Stängt"


class _Line(Protocol):
    days: str
    hours: str


class _Exception(Protocol):
    date: datetime.date
    hours: str


class _Card(Protocol):
    @property
    def opening_hours(self) -> Sequence[_Line]: ...

    @property
    def opening_exceptions(self) -> Sequence[_Exception]: ...


def weekly_hours(lines: Iterable[_Line], weekday: int) -> tuple[TimeRange, ...]:
    """The ranges every `opening_hours` line covering this weekday gives, merged in time order."""
    found: set[TimeRange] = set()
    for line in lines:
        if weekday in parse_days(line.days):
            found.update(parse_hours(line.hours))
    return tuple(sorted(found))


def hours_on(clinic: _Card, day: datetime.date) -> tuple[TimeRange, ...]:
    """What the card says about one date: an exception for the date replaces that weekday's hours."""
    for exception in clinic.opening_exceptions:
        if exception.date == day:
            return parse_hours(exception.hours)
    return weekly_hours(clinic.opening_hours, day.weekday())


def open_at(clinic: _Card, moment: datetime.datetime) -> bool:
    """Whether the card says the mottagning is open at `moment`, read in Europe/Stockholm.

    A moment without a time zone is taken as Stockholm's wall clock; one with a zone is converted
    first, so the answer is right at either side of a daylight-saving change.
    """
    local = moment.astimezone(STOCKHOLM) if moment.tzinfo is not None else moment
    minute = local.hour * 60 + local.minute
    return any(time_range.contains(minute) for time_range in hours_on(clinic, local.date()))
