"""The uppföljning's figures (CONTRACT section 9): a mottagning's cases and bookings per week.

Counted by the database, so the page costs the same at a thousand cases as at a million: each
query reads one mottagning's rows of the period through an index that starts with the mottagning
and the time and holds every column the query reads (`ix_cases_followup`,
`ix_tidbok_bookings_followup_created`, `…_followup_updated`, migration 0015), so the table itself
is not read: at a million cases, fetching a mottagning's thousand cases from a thousand scattered
table pages was what cost (117 ms cold, EXPLAIN ANALYZE), not the CASE or the GROUP BY. A column
added to these queries must be added to their index, or the table is read again
(tests/forms/test_staff_followup_plan.py). The queries return only GROUP BY rows. Medians cannot
be written the same way on SQLite and PostgreSQL, so the database returns how many cases took each
whole number of hours (bookings: days) and the median is read from those counts here; their
number is bounded by the hours of the period, not by the cases.

A week is a Swedish one, Monday 00.00 to Monday 00.00 in Europe/Stockholm. Times in the store are
naive UTC, and the UTC length of a week changes with summer time, so a row's week is not a
division: it is a CASE over the weeks' first moments (`week_of`), written as a binary search so a
two-year period costs seven comparisons a row.

What counts:
- Arrived: cases whose `clinic` is this mottagning, by `sent_at`. A case to Patientnämnden must be
  stored under the Patientnämnden unit's slug (CONTRACT section 9), which this filter leaves out;
  if that routing ever keeps the mottagning's slug on such a case, add its exclusion to
  `arrived_here`, the one place every case query starts from.
- In time: answered or given a delsvar (`responded_at`) at or before `due_at`. Late: responded
  after it, or not responded and due before now and not closed (the lists' "Försenad" rule).
  The share in time is of the cases that are either; cases not yet due and not answered wait.
- Time to an answer: from `sent_at` to `responded_at`, in whole hours.
- Bookings made: by `created_at`, web and staff apart by `BOOKED_BY_STAFF`: the origin the tidbok
  records today, `booked_by` = "mottagningen" (forms.staff.tidbok_day, the demo seed's staff
  bookings). Staff booking by personnummer (issue 21 item 1) must keep that mark, or this
  condition becomes its own column; every other booking counts as made on the web.
- Rebooked: by `rebooked_at` (a booking rebooked twice counts once, in the week of its last
  rebooking). Cancelled: status cancelled, by `updated_at` (the cancellation's time).
- How far ahead: from `created_at` to the booked time (`start`, as it is now), in whole days.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import DateTime, Engine, String, and_, bindparam, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Integer

from forms.platform.workdays import STOCKHOLM
from forms.staff.rules import CLOSED
from forms.staff.tidbok_day import STAFF_BOOKED
from forms.store.db import Case
from forms.store.tidbok import CANCELLED, BookingRow

BOOKING_COPY = "tidbok-"  # the e-service of a booking's copy (forms.booking.copies.is_copy)

MAX_WEEKS = 104  # two years: a longer period is refused with a message
DEFAULT_WEEKS = 12
BOOKED_BY_STAFF: ColumnElement[bool] = BookingRow.booked_by == STAFF_BOOKED
# The queries take a value or a bound parameter for each of these (`statements`).
Moment = datetime.datetime | BindParameter[datetime.datetime]
ClinicSlug = str | BindParameter[str]  # not the content model's Clinic: a slug, or its parameter


class whole_units(FunctionElement[int]):
    """floor((later - earlier) / unit seconds) for two naive timestamps, as an integer."""

    type = Integer()
    inherit_cache = True


@compiles(whole_units, "sqlite")
def _whole_units_sqlite(element: whole_units, compiler: Any, **kw: Any) -> str:
    later, earlier, unit = (compiler.process(arg, **kw) for arg in element.clauses)
    # Whole seconds of each, then integer division: exact, where julianday() differences are not.
    return f"((CAST(strftime('%s', {later}) AS INTEGER) - CAST(strftime('%s', {earlier}) AS INTEGER)) / {unit})"


@compiles(whole_units, "postgresql")
def _whole_units_postgresql(element: whole_units, compiler: Any, **kw: Any) -> str:
    later, earlier, unit = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({later} - {earlier})) / {unit}) AS INTEGER)"


def _naive_utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    """Whole weeks: from the Monday `first` to the Monday `last`, both included."""

    first: datetime.date
    last: datetime.date

    @property
    def mondays(self) -> list[datetime.date]:
        count = (self.last - self.first).days // 7 + 1
        return [self.first + datetime.timedelta(weeks=index) for index in range(count)]

    def bounds(self) -> list[datetime.datetime]:
        """Each week's first moment and the period's end, as the store keeps times (naive UTC)."""
        days = [*self.mondays, self.last + datetime.timedelta(weeks=1)]
        return [_naive_utc(datetime.datetime.combine(day, datetime.time(0), tzinfo=STOCKHOLM)) for day in days]


def default_period(today: datetime.date) -> Period:
    """The 12 weeks up to and including this one."""
    last = monday(today)
    return Period(last - datetime.timedelta(weeks=DEFAULT_WEEKS - 1), last)


def week_of(column: Any, bounds: Sequence[Moment]) -> ColumnElement[int]:
    """The index of the week `column` falls in (for a value within bounds[0] ≤ v < bounds[-1])."""

    def tree(low: int, high: int) -> ColumnElement[int]:  # weeks low..high-1
        if high - low == 1:
            return literal(low, Integer)
        middle = (low + high) // 2
        return case((column < bounds[middle], tree(low, middle)), else_=tree(middle, high))

    return tree(0, len(bounds) - 1)


def arrived_here(clinic: ClinicSlug, start: Moment, end: Moment) -> list[ColumnElement[bool]]:
    """The cases that arrived at the mottagning in [start, end): the filter every case figure uses.

    A case the mottagning started (omvänt ärendeflöde, direction "out") arrives only with the
    citizen's reply, which gives it its due time; until then it is not counted. (It is counted in
    the week its message was sent: the store keeps no separate time of the reply's arrival.)
    A booking's copy in the citizen's inbox (`tidbok-…`, forms.booking.copies) is no case to answer:
    counted, it showed as an e-service called "tidbok-boka" with every copy neither in time nor late
    (the bookings have their own figures).
    """
    return [
        Case.clinic == clinic, Case.sent_at >= start, Case.sent_at < end,
        or_(Case.direction == "in", Case.due_at.is_not(None)),
        Case.eservice.not_like(f"{BOOKING_COPY}%"),
    ]


def median(counts: dict[int, int]) -> float | None:
    """The median of values given as value → how many times it occurs (the middle two's mean)."""
    total = sum(counts.values())
    if total == 0:
        return None
    wanted = ((total - 1) // 2, total // 2)  # 0-based positions of the middle one or two
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        while len(found) < 2 and seen + counts[value] > wanted[len(found)]:
            found.append(value)
        seen += counts[value]
    return (found[0] + found[1]) / 2


@dataclass
class CaseFigures:
    arrived: int = 0
    in_time: int = 0
    late: int = 0
    hours: dict[int, int] = field(default_factory=dict)  # whole hours to an answer → cases

    @property
    def share_in_time(self) -> float | None:
        decided = self.in_time + self.late
        return self.in_time / decided if decided else None

    @property
    def median_hours(self) -> float | None:
        return median(self.hours)

    def add(self, other: CaseFigures) -> None:
        self.arrived += other.arrived
        self.in_time += other.in_time
        self.late += other.late
        for hours, count in other.hours.items():
            self.hours[hours] = self.hours.get(hours, 0) + count


@dataclass
class BookingFigures:
    web: int = 0
    staff: int = 0
    rebooked: int = 0
    cancelled: int = 0
    days_ahead: dict[int, int] = field(default_factory=dict)  # whole days between booking and time → bookings

    @property
    def median_days(self) -> float | None:
        return median(self.days_ahead)


@dataclass
class Figures:
    period: Period
    cases: dict[tuple[int, str], CaseFigures]  # (week index, e-service id) → figures
    bookings: list[BookingFigures]  # per week index

    def case_week(self, week: int) -> CaseFigures:
        total = CaseFigures()
        for (index, _eservice), figures in self.cases.items():
            if index == week:
                total.add(figures)
        return total

    def eservices(self) -> list[str]:
        return sorted({eservice for _week, eservice in self.cases})

    def case_eservice(self, eservice: str) -> CaseFigures:
        total = CaseFigures()
        for (_week, name), figures in self.cases.items():
            if name == eservice:
                total.add(figures)
        return total

    def case_total(self) -> CaseFigures:
        total = CaseFigures()
        for figures in self.cases.values():
            total.add(figures)
        return total


def case_rows(clinic: ClinicSlug, bounds: Sequence[Moment], now: Moment) -> Any:
    week = week_of(Case.sent_at, bounds).label("week")
    responded = Case.responded_at.is_not(None)
    in_time = and_(responded, Case.responded_at <= Case.due_at)
    late = or_(
        and_(responded, Case.responded_at > Case.due_at),
        and_(Case.responded_at.is_(None), Case.due_at < now, Case.status != CLOSED),
    )
    hours = case((responded, whole_units(Case.responded_at, Case.sent_at, 3600)), else_=None).label("hours")
    in_time_flag = case((in_time, 1), else_=0).label("in_time")
    late_flag = case((late, 1), else_=0).label("late")
    return (
        select(week, Case.eservice, hours, in_time_flag, late_flag, func.count().label("n"))
        .where(*arrived_here(clinic, bounds[0], bounds[-1]))
        .group_by(week, Case.eservice, hours, in_time_flag, late_flag)
    )


def booking_rows(clinic: ClinicSlug, bounds: Sequence[Moment]) -> Any:
    week = week_of(BookingRow.created_at, bounds).label("week")
    staff = case((BOOKED_BY_STAFF, 1), else_=0).label("staff")
    days = whole_units(BookingRow.start, BookingRow.created_at, 86400).label("days")
    return (
        select(week, staff, days, func.count().label("n"))
        .where(BookingRow.clinic == clinic, BookingRow.created_at >= bounds[0], BookingRow.created_at < bounds[-1])
        .group_by(week, staff, days)
    )


def rebooked_rows(clinic: ClinicSlug, bounds: Sequence[Moment]) -> Any:
    week = week_of(BookingRow.rebooked_at, bounds).label("week")
    return (
        select(week, func.count().label("n"))
        .where(
            BookingRow.clinic == clinic,
            BookingRow.updated_at >= bounds[0],  # for the index: a rebooking sets updated_at too
            BookingRow.rebooked_at >= bounds[0],
            BookingRow.rebooked_at < bounds[-1],
        )
        .group_by(week)
    )


def cancelled_rows(clinic: ClinicSlug, bounds: Sequence[Moment]) -> Any:
    week = week_of(BookingRow.updated_at, bounds).label("week")
    return (
        select(week, func.count().label("n"))
        .where(
            BookingRow.clinic == clinic,
            BookingRow.updated_at >= bounds[0],
            BookingRow.updated_at < bounds[-1],
            BookingRow.status == CANCELLED,
        )
        .group_by(week)
    )


@functools.cache
def statements(weeks: int) -> tuple[Any, Any, Any, Any]:
    """The four queries for a period of `weeks`, built once per length with bound parameters.

    Building them anew for each page (a CASE tree over the weeks' first moments, four times) cost
    the app more CPU than the database spent running them (docs/performance.md); built once, the
    page only binds the mottagning, the weeks' first moments (`w0` … `w<weeks>`) and now.
    """
    bounds = [bindparam(f"w{index}", type_=DateTime) for index in range(weeks + 1)]
    clinic = bindparam("clinic", type_=String)
    now = bindparam("now", type_=DateTime)
    return (case_rows(clinic, bounds, now), booking_rows(clinic, bounds), rebooked_rows(clinic, bounds),
            cancelled_rows(clinic, bounds))


def parameters(clinic: str, period: Period, now: datetime.datetime) -> dict[str, Any]:
    """The values of `statements`' parameters for this mottagning, period and moment."""
    bounds = period.bounds()
    return {"clinic": clinic, "now": _naive_utc(now), **{f"w{index}": moment for index, moment in enumerate(bounds)}}


def figures(engine: Engine, clinic: str, period: Period, now: datetime.datetime) -> Figures:
    """The mottagning's figures for the period, in four GROUP BY queries on one connection."""
    cases: dict[tuple[int, str], CaseFigures] = defaultdict(CaseFigures)
    bookings = [BookingFigures() for _ in period.mondays]
    case_query, booking_query, rebooked_query, cancelled_query = statements(len(period.mondays))
    values = parameters(clinic, period, now)
    with engine.connect() as connection:
        for row in connection.execute(case_query, values):
            found = cases[(row.week, row.eservice)]
            found.arrived += row.n
            found.in_time += row.n if row.in_time else 0
            found.late += row.n if row.late else 0
            if row.hours is not None:
                found.hours[row.hours] = found.hours.get(row.hours, 0) + row.n
        for row in connection.execute(booking_query, values):
            week = bookings[row.week]
            if row.staff:
                week.staff += row.n
            else:
                week.web += row.n
            week.days_ahead[row.days] = week.days_ahead.get(row.days, 0) + row.n
        for row in connection.execute(rebooked_query, values):
            bookings[row.week].rebooked += row.n
        for row in connection.execute(cancelled_query, values):
            bookings[row.week].cancelled += row.n
    return Figures(period=period, cases=dict(cases), bookings=bookings)
