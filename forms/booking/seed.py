"""The demo file's `tidbok:` list (CONTRACT section 5), read and loaded into an empty database once.

Seeding runs at every start of every worker, so it takes a lock (the write lock on SQLite, an
advisory lock on PostgreSQL) and records in `seed_marks` ("tidbok") that it is done: the first worker loads
the list, every later one finds the record and does nothing, and staff's later changes are never
overwritten. A booking may be given as `start:` (a local date-time) or, so that the demo never
shows only past times, as `in_days:` and `at:`: the first day from today + in_days on which the
schedule offers that time.
"""

from __future__ import annotations

import datetime
import secrets
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from forms.booking import times
from forms.booking.interface import STAFF_BOOKED, ReasonRule, StaffBookings, TimeType
from forms.identity.demo_data import DemoDataInvalid, Personnummer
from forms.store.db import SeedMark
from forms.store.engine import writing
from forms.store.tidbok import ACTIVE, BookingRow, ClosedDayRow, ScheduleRow, TimeTypeRow

SEED_NAME = "tidbok"  # its row in seed_marks
SEED_LOCK_ID = 0x68_76_74_69_64_62_6B  # "hvtidbk": the PostgreSQL advisory lock held while seeding
SEARCH_DAYS = 60  # how far a relative booking looks for a day its schedule offers
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class DemoTimeType(_Entry):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    name: Annotated[str, Field(min_length=1)]
    minutes: Annotated[int, Field(gt=0, le=480)]
    reason: ReasonRule = "none"
    min_age: Annotated[int, Field(ge=0)] | None = None
    max_age: Annotated[int, Field(ge=0)] | None = None
    cancel_hours: Annotated[int, Field(ge=0)] = 24
    rebook: bool = True
    info: str | None = None
    web: bool = True
    staff_bookings: StaffBookings = "cancel"
    max_per_person: Annotated[int, Field(ge=1, le=99)] | None = None

    def as_time_type(self) -> TimeType:
        return TimeType(**self.model_dump())


class DemoSchedule(_Entry):
    time_type: str
    days: Annotated[list[str], Field(min_length=1)]
    start: Clock
    end: Clock
    from_: datetime.date | None = Field(default=None, alias="from")
    until: datetime.date | None = None

    def rule(self) -> times.WeeklyRule:
        return times.WeeklyRule(
            time_type=self.time_type,
            weekdays=times.parse_weekdays(self.days),
            start=datetime.time.fromisoformat(self.start),
            end=datetime.time.fromisoformat(self.end),
            valid_from=self.from_,
            valid_until=self.until,
        )


class DemoBooking(_Entry):
    personnummer: Personnummer
    time_type: str
    start: datetime.datetime | None = None  # local time when naive
    in_days: Annotated[int, Field(ge=0)] | None = None
    at: Clock | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _when(self) -> DemoBooking:
        if (self.start is None) == (self.in_days is None or self.at is None):
            raise ValueError("en bokning ska ha antingen start eller in_days och at")
        return self


class DemoTidbok(_Entry):
    clinic: str
    time_types: list[DemoTimeType] = []
    schedule: list[DemoSchedule] = []
    closed: list[datetime.date] = []
    bookings: list[DemoBooking] = []

    @model_validator(mode="after")
    def _known_types(self) -> DemoTidbok:
        known = {time_type.id for time_type in self.time_types}
        for item in [*self.schedule, *self.bookings]:
            if item.time_type not in known:
                raise ValueError(f"{self.clinic}: tidstypen '{item.time_type}' finns inte i time_types")
        for item in self.schedule:
            item.rule()  # weekday names
        return self


class _File(_Entry):
    tidbok: list[DemoTidbok] = []


def load_tidbok(path: Path) -> list[DemoTidbok]:
    """The `tidbok:` list of the demo file at `path` (empty when it has none)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return _File.model_validate(raw).tidbok
    except (OSError, yaml.YAMLError) as err:
        raise DemoDataInvalid(f"{path}: kan inte läsas: {err}") from None
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in err.errors())
        raise DemoDataInvalid(f"{path}: tidbok: {problems}") from None


def _start(entry: DemoTidbok, booking: DemoBooking, now: datetime.datetime) -> datetime.datetime | None:
    if booking.start is not None:
        start = booking.start
        return start.replace(tzinfo=times.STOCKHOLM) if start.tzinfo is None else start
    assert booking.in_days is not None and booking.at is not None
    time_type = next(t for t in entry.time_types if t.id == booking.time_type).as_time_type()
    rules = [item.rule() for item in entry.schedule]
    wanted = datetime.time.fromisoformat(booking.at)
    first = times.local_day(now) + datetime.timedelta(days=booking.in_days)
    for offset in range(SEARCH_DAYS):
        day = first + datetime.timedelta(days=offset)
        for moment in times.times_on(day, time_type, rules, entry.closed, now):
            if moment.time() == wanted:
                return moment
    return None  # the schedule never offers it: left out rather than booked outside the schedule


def _insert(db: Session, entries: list[DemoTidbok], now: datetime.datetime) -> None:
    stamp = now.astimezone(datetime.UTC).replace(tzinfo=None)
    for entry in entries:
        for time_type in entry.time_types:
            db.add(TimeTypeRow(clinic=entry.clinic, type_id=time_type.id, **time_type.model_dump(exclude={"id"})))
        for item in entry.schedule:
            rule = item.rule()
            db.add(
                ScheduleRow(
                    clinic=entry.clinic, type_id=item.time_type,
                    weekdays="".join(str(day) for day in sorted(rule.weekdays)),
                    start_time=item.start, end_time=item.end, valid_from=item.from_, valid_until=item.until,
                )
            )
        for day in sorted(set(entry.closed)):
            db.add(ClosedDayRow(clinic=entry.clinic, day=day))
        minutes = {time_type.id: time_type.minutes for time_type in entry.time_types}
        taken: list[tuple[datetime.datetime, datetime.datetime]] = []
        for booking in entry.bookings:
            start = _start(entry, booking, now)
            if start is None:
                continue
            utc = start.astimezone(datetime.UTC).replace(tzinfo=None)
            end = utc + datetime.timedelta(minutes=minutes[booking.time_type])
            if not times.Busy(taken).clear(utc, end):
                continue  # overlaps a booking listed before it: left out, as the database would refuse it
            taken.append((utc, end))
            db.add(
                BookingRow(
                    key=secrets.token_urlsafe(18), clinic=entry.clinic, type_id=booking.time_type,
                    start=utc, end=end, subject=booking.personnummer,
                    booked_by=STAFF_BOOKED, reason=booking.reason, status=ACTIVE, created_at=stamp, updated_at=stamp,
                )
            )
    db.add(SeedMark(name=SEED_NAME, at=stamp))


def seed(engine: Engine, entries: list[DemoTidbok], now: datetime.datetime) -> bool:
    """Load `entries` unless this database has been seeded before; True if this call loaded them."""
    with writing(engine).connect() as connection, connection.begin():
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": SEED_LOCK_ID})
        db = Session(bind=connection)
        if db.get(SeedMark, SEED_NAME) is not None:
            return False
        _insert(db, entries, now)
        db.flush()
        return True
