"""The standalone tidbok: the `Tidbok` interface on the app's own database (forms.store.tidbok).

Every check that decides whether a time may be booked (its type, the schedule, closed days, the
clock, the age bounds) is made here again at confirmation, whatever the views checked before: a
posted time is only a claim. Whether the time is still free is not checked at all before the
insert; the database answers that, atomically (the unique index on the start, and the refusal of
any active booking that overlaps another, of whatever type: forms.store.tidbok), and its
IntegrityError becomes the contract's "Tiden hann bokas av någon annan" (ERROR). Writes begin with
the write lock (forms.store.engine).

A booking stores its own end, the start plus its type's minutes when it was booked, counted in
real (UTC) minutes; a time type made longer later leaves booked times as they were, and the free
times are the calendar's times whose whole length is clear of every active booking's interval.
A rebook or cancellation locks the booking's row and changes it only if it is still active at the
start the citizen saw (`was`), so of two changes to one booking at once exactly one is made.

The mottagning's staff book through the same methods (CONTRACT section 9): a request with
`staff` may book a `web: false` type and is kept as booked by "mottagningen"; a staff rebook or
cancellation is not held to the citizen's limits (cancel window, `rebook`, `staff_bookings`), only
to the schedule and the clock. `max_per_person` holds for everyone, counted under its lock in
the booking's write transaction (forms.booking.limits).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from forms.booking import coming, kallelse, limits, rules, times
from forms.booking.calendar import Calendar, CalendarCache, rule_of, time_type_of
from forms.booking.interface import (
    AGE_BARRED,
    CHANGED,
    NOT_FOUND,
    NOT_OFFERED,
    STAFF_BOOKED,
    TAKEN,
    Audit,
    Booking,
    FreeTimes,
    Request,
    Result,
    TimeType,
)
from forms.store import plain
from forms.store.engine import writing
from forms.store.tidbok import (
    ACTIVE,
    CANCELLED,
    BookingCommentRow,
    BookingRow,
    ClosedDayRow,
    ScheduleRow,
    TimeTypeRow,
)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    """An aware time as the store keeps it: UTC, naive."""
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def _keep_comment(db: Session, row: BookingRow, action: str, comment: str | None, now: datetime.datetime,
                  staff: str | None = None) -> None:
    """Keep the comment beside every earlier one, in the transaction that changes the booking; a
    staff member's change is kept even without a comment, so the history names who made it."""
    if comment or staff:
        db.add(BookingCommentRow(booking_id=row.id, action=action, comment=comment or "", created_at=_utc(now),
                                 hsa_id=staff))


TAKEN_TIMES = select(BookingRow.start, BookingRow.end).where(  # on the partial index (clinic, end)
    BookingRow.clinic == bindparam("clinic"),
    BookingRow.status == ACTIVE,
    BookingRow.end > bindparam("first"),
    BookingRow.start < bindparam("last"),
)
class _KallelseSpent(Exception):
    """The booking's kallelse was spent by another booking first."""


class StandaloneTidbok:
    """Time types, schedules, closed days and bookings in the forms app's database."""

    def __init__(self, engine: Engine, scope: Callable[[], dict[str, Calendar] | None] = lambda: None) -> None:
        """`scope` gives the current request's dict for calendars checked in it (None outside requests)."""
        self.engine = engine
        self._scope = scope
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(writing(engine), expire_on_commit=False)
        self._calendars = CalendarCache(engine)
        # The pages' reads are single statements that need no common snapshot (the confirmation
        # checks again): the day page's on the store's plain read path (forms.store.plain), the
        # schedules' (an IN list) on a connection that on PostgreSQL skips BEGIN and ROLLBACK.
        sqlite = engine.dialect.name == "sqlite"
        self._pages = engine if sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")

    # Reading ----------------------------------------------------------------------------------
    # The pages read through the per-process calendar cache (forms.booking.calendar) and the
    # store's plain read path; the writes below read the schedule afresh inside their own transaction.

    def time_types(self, clinic: str) -> list[TimeType]:
        return list(self._calendars.get(clinic, self._scope()).types.values())

    def _type(self, db: Session, clinic: str, type_id: str) -> TimeType | None:
        row = db.scalars(
            select(TimeTypeRow).where(TimeTypeRow.clinic == clinic, TimeTypeRow.type_id == type_id)
        ).first()
        return time_type_of(row) if row is not None else None

    def _calendar(self, db: Session, clinic: str, type_id: str) -> tuple[list[times.WeeklyRule], set[datetime.date]]:
        rules = [
            rule_of(row)
            for row in db.scalars(
                select(ScheduleRow).where(ScheduleRow.clinic == clinic, ScheduleRow.type_id == type_id)
            )
        ]
        closed = set(db.scalars(select(ClosedDayRow.day).where(ClosedDayRow.clinic == clinic)))
        return rules, closed

    def _free(
        self, clinic: str, time_type: str, subject: str, first: datetime.date,
        last: datetime.date, now: datetime.datetime,
    ) -> FreeTimes:
        """The free times from `first` to `last`: the calendar's times after now that overlap no active booking.

        One read of the bookings for the whole range, of every type (a Provtagning booked at 08.30
        takes Läkarbesök's 08.20 too); the times are compared as the store keeps them (naive UTC),
        so no booking row is converted.
        """
        calendar = self._calendars.get(clinic, self._scope())
        found = calendar.types.get(time_type)
        if found is None:
            return FreeTimes({})
        after = _utc(now)
        bounded = found.min_age is not None or found.max_age is not None
        offered: dict[datetime.date, tuple[datetime.datetime, ...]] = {}
        for offset in range((last - first).days + 1):  # counted, so the last day never steps past date.max
            day = first + datetime.timedelta(days=offset)
            if not bounded or times.age_allows(found, subject, day):
                starts = calendar.starts(found, day)
                if starts and starts[0] <= after:  # today: only what is still to come
                    starts = tuple(moment for moment in starts if moment > after)
                if starts:
                    offered[day] = starts
        if not offered:
            return FreeTimes({})
        length = datetime.timedelta(minutes=found.minutes)
        # All at once: far cheaper than row by row for months of bookings.
        taken = plain.rows(self.engine, TAKEN_TIMES, {
            "clinic": clinic,
            "first": min(starts[0] for starts in offered.values()),
            "last": max(starts[-1] for starts in offered.values()) + length,
        })
        if not taken:
            return FreeTimes(offered)
        return FreeTimes(times.clear_of(offered, length, taken))

    def free_times(
        self, clinic: str, time_type: str, subject: str, now: datetime.datetime, until: datetime.date
    ) -> FreeTimes:
        return self._free(clinic, time_type, subject, times.local_day(now), until, now)

    def available_dates(
        self, clinic: str, time_type: str, subject: str, now: datetime.datetime, until: datetime.date
    ) -> list[datetime.date]:
        return self.free_times(clinic, time_type, subject, now, until).days

    def available_times(
        self, clinic: str, time_type: str, subject: str, day: datetime.date, now: datetime.datetime
    ) -> list[datetime.datetime]:
        return self._free(clinic, time_type, subject, day, day, now).on(day)

    def _booking(self, db: Session, row: BookingRow, now: datetime.datetime) -> Booking:
        time_type = self._type(db, row.clinic, row.type_id)
        return coming.booking_of(row, time_type, now)

    def schedule(self, subject: str, clinic: str, now: datetime.datetime) -> list[Booking]:
        """One statement: the subject's coming bookings with their time types joined."""
        with self._pages.connect() as connection:
            rows = connection.execute(coming.SCHEDULE, {"subject": subject, "clinic": clinic, "after": _utc(now)})
            return [coming.booking_of(row, coming.joined_type(row), now) for row in rows]

    def schedules(self, subject: str, clinics: list[str], now: datetime.datetime) -> list[Booking]:
        """`schedule` at every one of `clinics` in one statement, soonest first."""
        if not clinics:
            return []
        with self._pages.connect() as connection:
            rows = connection.execute(coming.SCHEDULES, {"subject": subject, "clinics": clinics, "after": _utc(now)})
            return [coming.booking_of(row, coming.joined_type(row), now) for row in rows]

    def booking(self, key: str, subject: str, now: datetime.datetime) -> Booking | None:
        with self._read() as db:
            row = db.scalars(select(BookingRow).where(BookingRow.key == key[:32])).first()
            if row is None or row.subject != subject:
                return None
            return self._booking(db, row, now)

    # Writing ----------------------------------------------------------------------------------

    def _offered(
        self, db: Session, clinic: str, time_type: TimeType, subject: str, start: datetime.datetime,
        now: datetime.datetime,
    ) -> str | None:
        """Why `start` cannot be booked for the subject (schedule, closed day, clock, age), or None."""
        day = start.astimezone(times.STOCKHOLM).date()
        rules, closed = self._calendar(db, clinic, time_type.id)
        if start not in times.times_on(day, time_type, rules, closed, now):
            return NOT_OFFERED
        if not times.age_allows(time_type, subject, day):
            return AGE_BARRED
        return None

    def limit_reached(self, clinic: str, time_type: str, subject: str, now: datetime.datetime,
                      staff: bool = False) -> str | None:
        """For the pages before the confirmation; the confirmation counts again under the lock."""
        with self._read() as db:
            return limits.over_limit(db, clinic, self._type(db, clinic, time_type), subject, _utc(now), staff)

    def book_for_caller(
        self, clinic: str, time_type: str, start: datetime.datetime, subject: str, reason: str | None,
        comment: str | None, staff: str, request_key: str, now: datetime.datetime, audit: Audit | None = None,
    ) -> Result:
        request = Request(clinic=clinic, time_type=time_type, start=start, subject=subject, booked_by=STAFF_BOOKED,
                          reason=reason, request_key=request_key, comment=comment, staff=staff)
        return self.make_booking(request, now, audit)

    def make_booking(self, request: Request, now: datetime.datetime, audit: Audit | None = None) -> Result:
        with self._write() as db:
            try:
                with db.begin():
                    existing = db.scalars(
                        select(BookingRow).where(BookingRow.request_key == request.request_key)
                    ).first()
                    if existing is not None:  # the same confirmation again: the booking it made
                        return Result("OK", booking=self._booking(db, existing, now))
                    time_type = self._type(db, request.clinic, request.time_type)
                    invited = request.kallelse is not None  # a kallelse opens its one type, web or not
                    if time_type is None or not rules.may_book(time_type, request.staff is not None or invited):
                        return Result("ERROR", NOT_OFFERED)
                    problem = self._offered(db, request.clinic, time_type, request.subject, request.start, now)
                    problem = problem or limits.over_limit_locked(
                        db, request.clinic, time_type, request.subject, _utc(now), request.staff is not None)
                    if problem is not None:
                        return Result("ERROR", problem)
                    row = BookingRow(
                        key=secrets.token_urlsafe(18),
                        request_key=request.request_key,
                        clinic=request.clinic,
                        type_id=time_type.id,
                        start=_utc(request.start),
                        end=_utc(request.start) + datetime.timedelta(minutes=time_type.minutes),
                        subject=request.subject,
                        booked_by=STAFF_BOOKED if request.staff else request.booked_by,
                        reason=request.reason,
                        comment=request.comment,
                        status=ACTIVE,
                        created_at=_utc(now),
                        updated_at=_utc(now),
                    )
                    db.add(row)
                    db.flush()  # the database decides here (same start, or an overlap), inside the transaction
                    _keep_comment(db, row, "boka", request.comment, now, request.staff)
                    if request.kallelse is not None:
                        invitation = kallelse.Invitation(
                            request.kallelse, request.clinic, request.subject, request.time_type
                        )
                        if not kallelse.spend(db.connection(), invitation, row.id, _utc(now)):
                            raise _KallelseSpent  # rolls the booking back: one kallelse, one time
                    booking = self._booking(db, row, now)
                    if audit is not None:
                        audit(db.connection())
            except IntegrityError:
                return self._after_conflict(request, now)
            except _KallelseSpent:
                return Result("ERROR", kallelse.SPENT)
        return Result("OK", booking=booking)

    def _after_conflict(self, request: Request, now: datetime.datetime) -> Result:
        """A lost race: the same request made by a twin (its booking), or the time taken (ERROR)."""
        with self._read() as db:
            twin = db.scalars(select(BookingRow).where(BookingRow.request_key == request.request_key)).first()
            if twin is not None:
                return Result("OK", booking=self._booking(db, twin, now))
        return Result("ERROR", TAKEN)

    def _locked(
        self, db: Session, key: str, subject: str, was: datetime.datetime | None, now: datetime.datetime
    ) -> tuple[BookingRow | None, Result | None]:
        """The booking's row, locked until the transaction ends, or why it may not be changed.

        The lock (SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already lets one
        writer in at a time) makes a second rebook or a cancellation of the same booking wait and
        then read the row as the first left it, so the check of its status and start below and the
        write after it are one step: without it, a rebook could move a booking cancelled meanwhile.
        """
        row = db.scalars(select(BookingRow).where(BookingRow.key == key).with_for_update()).first()
        if row is None or row.subject != subject:
            return None, Result("ERROR", NOT_FOUND)
        if was is not None and (row.status != ACTIVE or row.start != _utc(was)):
            return None, Result("ERROR", CHANGED, booking=self._booking(db, row, now))
        if row.status != ACTIVE:
            return None, Result("ERROR", NOT_FOUND)
        return row, None

    def update_booking(
        self, key: str, subject: str, start: datetime.datetime, comment: str | None, now: datetime.datetime,
        was: datetime.datetime | None = None, staff: str | None = None, audit: Audit | None = None,
    ) -> Result:
        with self._write() as db:
            try:
                with db.begin():
                    row, refused = self._locked(db, key, subject, was, now)
                    if row is None:
                        return refused or Result("ERROR", NOT_FOUND)
                    current = self._booking(db, row, now)
                    problem = rules.staff_may_change(current, now) if staff else rules.citizen_may_rebook(current)
                    if problem is not None:
                        return Result("ERROR", problem)
                    problem = self._offered(db, row.clinic, current.time_type, subject, start, now)
                    if problem is not None:
                        return Result("ERROR", problem)
                    row.start = _utc(start)
                    row.end = row.start + datetime.timedelta(minutes=current.time_type.minutes)  # the type's length now
                    row.comment = comment
                    row.updated_at = _utc(now)
                    row.rebooked_at = _utc(now)  # the uppföljning counts rebookings by it
                    _keep_comment(db, row, "omboka", comment, now, staff)
                    db.flush()  # one UPDATE: the old time is freed as the new one is taken, or neither
                    booking = self._booking(db, row, now)
                    if audit is not None:
                        audit(db.connection())
            except IntegrityError:
                return Result("ERROR", TAKEN)
        return Result("OK", booking=booking)

    def cancel_booking(
        self, key: str, subject: str, comment: str | None, now: datetime.datetime,
        was: datetime.datetime | None = None, staff: str | None = None, audit: Audit | None = None,
    ) -> Result:
        with self._write() as db, db.begin():
            row, refused = self._locked(db, key, subject, was, now)
            if row is None:
                return refused or Result("ERROR", NOT_FOUND)
            current = self._booking(db, row, now)
            problem = rules.staff_may_change(current, now) if staff else rules.citizen_may_cancel(current)
            if problem is not None:
                return Result("ERROR", problem)
            row.status = CANCELLED
            row.comment = comment
            row.updated_at = _utc(now)
            _keep_comment(db, row, "avboka", comment, now, staff)
            db.flush()
            if audit is not None:
                audit(db.connection())
            return Result("OK", booking=self._booking(db, row, now))
