"""The standalone tidbok: the `Tidbok` interface on the app's own database (forms.store.tidbok).

Every check that decides whether a time may be booked (its type, the schedule, closed days, the
clock, the age bounds) is made here again at confirmation, whatever the views checked before: a
posted time is only a claim. Whether the time is still free is not checked at all before the
insert; the unique index answers that, atomically, and its IntegrityError becomes the contract's
"Tiden hann bokas av någon annan" (ERROR). Writes begin with the write lock (forms.store.db).
"""

from __future__ import annotations

import datetime
import secrets

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from forms.booking import times
from forms.booking.interface import (
    AGE_BARRED,
    NO_REBOOK,
    NOT_FOUND,
    NOT_OFFERED,
    TAKEN,
    TOO_LATE,
    Booking,
    Request,
    Result,
    TimeType,
)
from forms.store.db import writing
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


def _aware(stored: datetime.datetime) -> datetime.datetime:
    return stored.replace(tzinfo=datetime.UTC).astimezone(times.STOCKHOLM)


def _time_type(row: TimeTypeRow) -> TimeType:
    return TimeType(
        id=row.type_id,
        name=row.name,
        minutes=row.minutes,
        reason=row.reason,  # type: ignore[arg-type]
        min_age=row.min_age,
        max_age=row.max_age,
        cancel_hours=row.cancel_hours,
        rebook=row.rebook,
        info=row.info,
    )


def _rule(row: ScheduleRow) -> times.WeeklyRule:
    return times.WeeklyRule(
        time_type=row.type_id,
        weekdays=frozenset(int(day) for day in row.weekdays),
        start=datetime.time.fromisoformat(row.start_time),
        end=datetime.time.fromisoformat(row.end_time),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


def _keep_comment(db: Session, row: BookingRow, action: str, comment: str | None, now: datetime.datetime) -> None:
    """Keep the comment beside every earlier one, in the transaction that changes the booking."""
    if comment:
        db.add(BookingCommentRow(booking_id=row.id, action=action, comment=comment, created_at=_utc(now)))


class StandaloneTidbok:
    """Time types, schedules, closed days and bookings in the forms app's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(writing(engine), expire_on_commit=False)

    # Reading ----------------------------------------------------------------------------------

    def time_types(self, clinic: str) -> list[TimeType]:
        with self._read() as db:
            rows = db.scalars(select(TimeTypeRow).where(TimeTypeRow.clinic == clinic).order_by(TimeTypeRow.id))
            return [_time_type(row) for row in rows]

    def _type(self, db: Session, clinic: str, type_id: str) -> TimeType | None:
        row = db.scalars(
            select(TimeTypeRow).where(TimeTypeRow.clinic == clinic, TimeTypeRow.type_id == type_id)
        ).first()
        return _time_type(row) if row is not None else None

    def _calendar(self, db: Session, clinic: str, type_id: str) -> tuple[list[times.WeeklyRule], set[datetime.date]]:
        rules = [
            _rule(row)
            for row in db.scalars(
                select(ScheduleRow).where(ScheduleRow.clinic == clinic, ScheduleRow.type_id == type_id)
            )
        ]
        closed = set(db.scalars(select(ClosedDayRow.day).where(ClosedDayRow.clinic == clinic)))
        return rules, closed

    def _taken(
        self, db: Session, clinic: str, first: datetime.datetime, last: datetime.datetime
    ) -> set[datetime.datetime]:
        """Start times of active bookings at the mottagning in [first, last), as aware times."""
        starts = db.scalars(
            select(BookingRow.start).where(
                BookingRow.clinic == clinic,
                BookingRow.status == ACTIVE,
                BookingRow.start >= _utc(first),
                BookingRow.start < _utc(last),
            )
        )
        return {_aware(start) for start in starts}

    def _free(
        self, db: Session, clinic: str, time_type: TimeType, subject: str, days: list[datetime.date],
        now: datetime.datetime,
    ) -> dict[datetime.date, list[datetime.datetime]]:
        rules, closed = self._calendar(db, clinic, time_type.id)
        offered = {
            day: times.times_on(day, time_type, rules, closed, now)
            for day in days
            if times.age_allows(time_type, subject, day)
        }
        offered = {day: found for day, found in offered.items() if found}
        if not offered:
            return {}
        first = min(found[0] for found in offered.values())
        last = max(found[-1] for found in offered.values()) + datetime.timedelta(minutes=1)
        taken = self._taken(db, clinic, first, last)
        free = {day: [moment for moment in found if moment not in taken] for day, found in offered.items()}
        return {day: found for day, found in free.items() if found}

    def available_dates(
        self, clinic: str, time_type: str, subject: str, now: datetime.datetime, until: datetime.date
    ) -> list[datetime.date]:
        today = times.local_day(now)
        days = [today + datetime.timedelta(days=n) for n in range((until - today).days + 1)]
        with self._read() as db:
            found = self._type(db, clinic, time_type)
            if found is None:
                return []
            return sorted(self._free(db, clinic, found, subject, days, now))

    def available_times(
        self, clinic: str, time_type: str, subject: str, day: datetime.date, now: datetime.datetime
    ) -> list[datetime.datetime]:
        with self._read() as db:
            found = self._type(db, clinic, time_type)
            if found is None:
                return []
            return self._free(db, clinic, found, subject, [day], now).get(day, [])

    def _booking(self, db: Session, row: BookingRow, now: datetime.datetime) -> Booking:
        time_type = self._type(db, row.clinic, row.type_id) or TimeType(row.type_id, row.type_id, 0)
        start = _aware(row.start)
        active = row.status == ACTIVE
        return Booking(
            key=row.key,
            clinic=row.clinic,
            time_type=time_type,
            start=start,
            subject=row.subject,
            booked_by=row.booked_by,
            reason=row.reason,
            comment=row.comment,
            active=active,
            may_cancel=active and times.may_cancel(time_type, start, now),
            may_rebook=active and times.may_rebook(time_type, start, now),
        )

    def schedule(self, subject: str, clinic: str, now: datetime.datetime) -> list[Booking]:
        with self._read() as db:
            rows = db.scalars(
                select(BookingRow)
                .where(
                    BookingRow.subject == subject,
                    BookingRow.clinic == clinic,
                    BookingRow.status == ACTIVE,
                    BookingRow.start > _utc(now),
                )
                .order_by(BookingRow.start)
            )
            return [self._booking(db, row, now) for row in rows]

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

    def make_booking(self, request: Request, now: datetime.datetime) -> Result:
        with self._write() as db:
            try:
                with db.begin():
                    existing = db.scalars(
                        select(BookingRow).where(BookingRow.request_key == request.request_key)
                    ).first()
                    if existing is not None:  # the same confirmation again: the booking it made
                        return Result("OK", booking=self._booking(db, existing, now))
                    time_type = self._type(db, request.clinic, request.time_type)
                    if time_type is None:
                        return Result("ERROR", NOT_OFFERED)
                    problem = self._offered(db, request.clinic, time_type, request.subject, request.start, now)
                    if problem is not None:
                        return Result("ERROR", problem)
                    row = BookingRow(
                        key=secrets.token_urlsafe(18),
                        request_key=request.request_key,
                        clinic=request.clinic,
                        type_id=time_type.id,
                        start=_utc(request.start),
                        subject=request.subject,
                        booked_by=request.booked_by,
                        reason=request.reason,
                        status=ACTIVE,
                        created_at=_utc(now),
                        updated_at=_utc(now),
                    )
                    db.add(row)
                    db.flush()  # the unique index decides here, inside the transaction
                    booking = self._booking(db, row, now)
            except IntegrityError:
                return self._after_conflict(request, now)
        return Result("OK", booking=booking)

    def _after_conflict(self, request: Request, now: datetime.datetime) -> Result:
        """A lost race: the same request made by a twin (its booking), or the time taken (ERROR)."""
        with self._read() as db:
            twin = db.scalars(select(BookingRow).where(BookingRow.request_key == request.request_key)).first()
            if twin is not None:
                return Result("OK", booking=self._booking(db, twin, now))
        return Result("ERROR", TAKEN)

    def update_booking(
        self, key: str, subject: str, start: datetime.datetime, comment: str | None, now: datetime.datetime
    ) -> Result:
        with self._write() as db:
            try:
                with db.begin():
                    row = db.scalars(select(BookingRow).where(BookingRow.key == key)).first()
                    if row is None or row.subject != subject or row.status != ACTIVE:
                        return Result("ERROR", NOT_FOUND)
                    current = self._booking(db, row, now)
                    if not current.time_type.rebook:
                        return Result("ERROR", NO_REBOOK)
                    if not current.may_rebook:
                        return Result("ERROR", TOO_LATE)
                    problem = self._offered(db, row.clinic, current.time_type, subject, start, now)
                    if problem is not None:
                        return Result("ERROR", problem)
                    row.start = _utc(start)
                    row.comment = comment
                    row.updated_at = _utc(now)
                    _keep_comment(db, row, "omboka", comment, now)
                    db.flush()  # one UPDATE: the old time is freed as the new one is taken, or neither
                    booking = self._booking(db, row, now)
            except IntegrityError:
                return Result("ERROR", TAKEN)
        return Result("OK", booking=booking)

    def cancel_booking(self, key: str, subject: str, comment: str | None, now: datetime.datetime) -> Result:
        with self._write() as db, db.begin():
            row = db.scalars(select(BookingRow).where(BookingRow.key == key)).first()
            if row is None or row.subject != subject or row.status != ACTIVE:
                return Result("ERROR", NOT_FOUND)
            current = self._booking(db, row, now)
            if not current.may_cancel:
                return Result("ERROR", TOO_LATE)
            row.status = CANCELLED
            row.comment = comment
            row.updated_at = _utc(now)
            _keep_comment(db, row, "avboka", comment, now)
            return Result("OK", booking=self._booking(db, row, now))
