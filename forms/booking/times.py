"""Times from weekly schedules, and the rules of ages and windows: pure functions, no database.

A schedule says "Läkarbesök, Mon–Fri, 08:00–11:00, from … until …" in Swedish local time. Each day is
built in local time and only then given its offset, so 08:00 stays 08:00 on both sides of the
March and October clock changes (the UTC instant moves instead). A time is offered only if it
starts after now, on a day that is not closed, inside a schedule, and ends by the schedule's end.

On the nights the clocks change, a local time between 02.00 and 03.00 either does not exist
(the last Sunday of March) or happens twice (the last Sunday of October). Neither is offered: a
time that does not exist would be booked as the hour after it (a second "03.00"), and "02.20"
on the October night would not say which of the two it is. Lengths and the cancel window are
counted in real elapsed time (UTC), so a time's end and "24 hours before" are right across a
change, and a time whose real interval meets the one before it (the March night shortens the
hour) is left out.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from forms.booking.interface import STOCKHOLM, TimeType
from forms.identity.personnummer import age_on
from sitegen.site.dates import MONTH_NAMES, WEEKDAY_NAMES

WEEKDAYS = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")


@dataclass(frozen=True)
class WeeklyRule:
    """Bookable times of one time type on some weekdays between two clock times."""

    time_type: str
    weekdays: frozenset[int]  # 0 = Monday
    start: datetime.time
    end: datetime.time
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None

    def covers(self, day: datetime.date) -> bool:
        return (
            day.weekday() in self.weekdays
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


def local_day(now: datetime.datetime) -> datetime.date:
    return now.astimezone(STOCKHOLM).date()


def times_on(
    day: datetime.date,
    time_type: TimeType,
    rules: Iterable[WeeklyRule],
    closed: Iterable[datetime.date],
    now: datetime.datetime,
) -> list[datetime.datetime]:
    """Every start time the schedules give `time_type` on `day`, after `now`, as aware local times."""
    if day in set(closed):
        return []
    step = datetime.timedelta(minutes=time_type.minutes)
    found: set[datetime.datetime] = set()
    for rule in rules:
        if rule.time_type != time_type.id or not rule.covers(day):
            continue
        moment = datetime.datetime.combine(day, rule.start)
        last = datetime.datetime.combine(day, rule.end)
        last_real = last.replace(tzinfo=STOCKHOLM).astimezone(datetime.UTC)
        free_from = datetime.datetime.min.replace(tzinfo=datetime.UTC)  # the real end of the time before
        while moment + step <= last:
            if unambiguous(moment):
                real = moment.replace(tzinfo=STOCKHOLM).astimezone(datetime.UTC)
                if real >= free_from and real + step <= last_real:
                    free_from = real + step
                    if real > now:
                        found.add(real.astimezone(STOCKHOLM))
            moment += step
    return sorted(found)


def unambiguous(local: datetime.datetime) -> bool:
    """Whether a naive Swedish local time happens exactly once: not in March's lost hour nor October's twice."""
    first, second = (local.replace(tzinfo=STOCKHOLM, fold=fold).utcoffset() for fold in (0, 1))
    return first == second


class Busy:
    """The intervals [start, end) of a mottagning's active bookings, to ask whether a time is clear of them all.

    Sorted by start once; a time is then checked against only the bookings that start less than
    the longest booking before it, so months of times against months of bookings stay cheap.
    Works on any one kind of datetime (the store's naive UTC, or aware).
    """

    def __init__(self, intervals: Iterable[tuple[datetime.datetime, datetime.datetime]]) -> None:
        self._intervals = sorted(intervals)
        self._starts = [start for start, _ in self._intervals]
        self._longest = max((end - start for start, end in self._intervals), default=datetime.timedelta(0))

    def clear(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        """Whether [start, end) overlaps none of the intervals (touching ends do not overlap)."""
        first = bisect.bisect_right(self._starts, start - self._longest)
        last = bisect.bisect_left(self._starts, end)
        return all(other_end <= start for _, other_end in self._intervals[first:last])


def clear_of(
    offered: dict[datetime.date, tuple[datetime.datetime, ...]],
    length: datetime.timedelta,
    taken: Iterable[tuple[datetime.datetime, datetime.datetime]],
) -> dict[datetime.date, tuple[datetime.datetime, ...]]:
    """The offered starts whose [start, start + length) overlaps no taken [start, end), days left empty dropped.

    The day page asks this of a month of times against a month of bookings on every request, so it
    is one pass over both in time order rather than a search per time (`Busy`): the bookings that
    begin before a time's end are taken in as the times advance, and the time is clear when the
    latest end among them is not after its start (touching ends do not overlap). So `offered` must
    be in time order, its days in order and each day's starts in order, as the calendar gives them.
    Works on any one kind of datetime (the store's naive UTC, or aware).
    """
    bookings = sorted(taken)
    free: dict[datetime.date, tuple[datetime.datetime, ...]] = {}
    if not offered:
        return free
    count, index = len(bookings), 0
    latest = next(iter(offered.values()))[0]  # no booking taken in yet: not after any start
    for day, starts in offered.items():
        kept = []
        for start in starts:
            end = start + length
            while index < count and bookings[index][0] < end:
                if bookings[index][1] > latest:
                    latest = bookings[index][1]
                index += 1
            if latest <= start:
                kept.append(start)
        if kept:
            free[day] = tuple(kept)
    return free


def age_allows(time_type: TimeType, personnummer: str, day: datetime.date) -> bool:
    """Whether the person is within the time type's age bounds (inclusive) on the day of the visit."""
    age = age_on(personnummer, day)
    if time_type.min_age is not None and age < time_type.min_age:
        return False
    return not (time_type.max_age is not None and age > time_type.max_age)


def age_allows_some_day(time_type: TimeType, personnummer: str, first: datetime.date, last: datetime.date) -> bool:
    """Whether any day from `first` to `last` is within the bounds: the type is offered at all.

    Age only grows, so the bounds hold on some day of the range if the upper bound holds on its
    first day and the lower bound on its last.
    """
    age_first, age_last = age_on(personnummer, first), age_on(personnummer, last)
    if time_type.max_age is not None and age_first > time_type.max_age:
        return False
    return not (time_type.min_age is not None and age_last < time_type.min_age)


def may_cancel(time_type: TimeType, start: datetime.datetime, now: datetime.datetime) -> bool:
    """Cancelling (and rebooking) is allowed until `cancel_hours` real hours before the start.

    Counted in UTC: an aware local time minus hours is wall-clock arithmetic in Python, an hour
    off when a clock change lies between.
    """
    return now <= start.astimezone(datetime.UTC) - datetime.timedelta(hours=time_type.cancel_hours)


def may_rebook(time_type: TimeType, start: datetime.datetime, now: datetime.datetime) -> bool:
    return time_type.rebook and may_cancel(time_type, start, now)


def day_in_words(day: datetime.date) -> str:
    """'torsdag 3 december 2026'."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def clock(moment: datetime.datetime) -> str:
    """'08.20', in Swedish local time."""
    return moment.astimezone(STOCKHOLM).strftime("%H.%M")


def in_words(moment: datetime.datetime) -> str:
    """'torsdag 3 december 2026 kl. 08.00'."""
    return f"{day_in_words(moment.astimezone(STOCKHOLM).date())} kl. {clock(moment)}"


def parse_weekdays(names: Sequence[str]) -> frozenset[int]:
    """['mån', 'tis'] → {0, 1}; ValueError naming an unknown day."""
    days = set()
    for name in names:
        key = name.strip().casefold()[:3]
        if key not in WEEKDAYS:
            raise ValueError(f"'{name}' är ingen veckodag; skriv mån, tis, ons, tor, fre, lör eller sön")
        days.add(WEEKDAYS.index(key))
    return frozenset(days)
