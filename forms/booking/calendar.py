"""Each process's cache of the standalone tidbok's small tables, keyed by the database's version.

The day page needs a mottagning's time types, weekly schedule and closed days, and every time of
three months built from them, on every request; they change only when the staff edit them. So a
process keeps them, with each (time type, day)'s start times once built, under the mottagning's
number in `tidbok_versions`, which the database raises in the same transaction as any write of
those tables (triggers of migration 0006, whoever writes). A request reads that number once (one
row by primary key; the request's scope, forms.booking.setup, so a page shows one moment's
calendar) and rebuilds the entry when it differs: so no process or node offers a time from a
schedule or closed day that has changed, from the first request after the change is committed.
Booking itself does not use the cache at all: the confirmation reads the schedule afresh and the
unique index decides (forms.booking.standalone).

The number is read before the rows it keys, so a write landing between the two can only store
newer rows under the older number, which the next request then replaces; never older rows under
a newer number. At most `MAX_CLINICS` mottagningar are kept per process, least recently used out;
a mottagning read again after that costs its three small reads once more.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select

from forms.booking import times
from forms.booking.interface import TimeType
from forms.store import plain
from forms.store.tidbok import ClosedDayRow, ScheduleRow, TidbokVersionRow, TimeTypeRow

MAX_CLINICS = 128  # at worst (3 types × 92 days × 10 times each) about 20 MB per process
# (time type, day) entries kept per mottagning and version: three months of a few types with room
# to spare; days past it are built per request and not kept, so no sequence of days asked for can
# grow a process without bound.
MAX_DAYS_KEPT = 1_000
_BEGINNING = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)  # "after now" is applied by the caller


@dataclass
class Calendar:
    """One mottagning's time types, schedule and closed days at one version, and the times they give."""

    version: int | None
    types: dict[str, TimeType]  # in the order the mottagning lists them
    rules: dict[str, list[times.WeeklyRule]]
    closed: frozenset[datetime.date]
    _starts: dict[tuple[str, datetime.date], tuple[datetime.datetime, ...]] = field(default_factory=dict)

    def starts(self, time_type: TimeType, day: datetime.date) -> tuple[datetime.datetime, ...]:
        """Every start time the schedule gives the type on the day, in order, as naive UTC like the store."""
        key = (time_type.id, day)
        found = self._starts.get(key)
        if found is None:
            local = times.times_on(day, time_type, self.rules.get(time_type.id, ()), self.closed, _BEGINNING)
            found = tuple(moment.astimezone(datetime.UTC).replace(tzinfo=None) for moment in local)
            if len(self._starts) < MAX_DAYS_KEPT:
                self._starts[key] = found  # a race of two threads builds the same tuple twice: harmless
        return found


def time_type_of(row: Any) -> TimeType:
    """A time type from its row (an ORM object or a Core row alike)."""
    return TimeType(
        id=row.type_id, name=row.name, minutes=row.minutes, reason=row.reason,  # type: ignore[arg-type]
        min_age=row.min_age, max_age=row.max_age, cancel_hours=row.cancel_hours, rebook=row.rebook,
        info=row.info, web=row.web, staff_bookings=row.staff_bookings,  # type: ignore[arg-type]
        max_per_person=row.max_per_person,
    )


def rule_of(row: Any) -> times.WeeklyRule:
    return times.WeeklyRule(
        time_type=row.type_id,
        weekdays=frozenset(int(day) for day in row.weekdays),
        start=datetime.time.fromisoformat(row.start_time),
        end=datetime.time.fromisoformat(row.end_time),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


VERSION = select(TidbokVersionRow.version).where(TidbokVersionRow.clinic == bindparam("clinic"))


def load(connection: Connection, clinic: str, version: int | None) -> Calendar:
    """The mottagning's calendar as stored now (read after `version`, see the module's note)."""
    types = {
        row.type_id: time_type_of(row)
        for row in connection.execute(select(TimeTypeRow).where(TimeTypeRow.clinic == clinic).order_by(TimeTypeRow.id))
    }
    rules: dict[str, list[times.WeeklyRule]] = {}
    for row in connection.execute(select(ScheduleRow).where(ScheduleRow.clinic == clinic).order_by(ScheduleRow.id)):
        rules.setdefault(row.type_id, []).append(rule_of(row))
    closed = frozenset(connection.execute(select(ClosedDayRow.day).where(ClosedDayRow.clinic == clinic)).scalars())
    return Calendar(version, types, rules, closed)


class CalendarCache:
    """Calendars by mottagning, each valid while the database's version of it is unchanged."""

    def __init__(self, engine: Engine, size: int = MAX_CLINICS) -> None:
        self._engine = engine
        self._size = size
        self._entries: OrderedDict[str, Calendar] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, clinic: str, scope: dict[str, Calendar] | None = None) -> Calendar:
        """The mottagning's calendar as stored now: one primary-key read when nothing changed.

        `scope` is one request's: a calendar checked once in the request serves the rest of it (the
        page shows one moment's calendar), and the next request checks again.
        """
        if scope is not None and clinic in scope:
            return scope[clinic]
        found = self._checked(clinic)
        if scope is not None:
            scope[clinic] = found
        return found

    def _checked(self, clinic: str) -> Calendar:
        row = plain.first(self._engine, VERSION, {"clinic": clinic})  # every page's one read
        version = None if row is None else row[0]
        with self._lock:
            found = self._entries.get(clinic)
            if found is not None and found.version == version:
                self._entries.move_to_end(clinic)
                return found
        with self._engine.connect() as connection:  # the three tables in one snapshot
            fresh = load(connection, clinic, version)
        with self._lock:
            self._entries[clinic] = fresh
            self._entries.move_to_end(clinic)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return fresh
