"""The standalone tidbok's tables (forms.booking.standalone), in the forms app's database (migration 0004).

Kept here, with the other tables, so migrations and the schema comparison see them. The one rule
that must never break, one active booking per time at a mottagning, is the database's:
a unique index on (clinic, start) over active bookings only (a partial index, which SQLite and
PostgreSQL both have), so two confirmations racing for one time give one row and one integrity
error, whatever the app checked before. A cancelled booking leaves the index, so its time is free
again at once; a rebook moves the row's `start`, so the old time is freed and the new one taken in
the same statement. `request_key` is unique too: a confirmation sent twice books once.

Every comment a booking is given (at a rebooking, at the cancellation) is kept as a row of
`tidbok_booking_comments` (migration 0006), written in the transaction that moves or cancels the
booking, so the staff's day view shows them all; the booking's own `comment` is only the latest.

No two active bookings of a mottagning may overlap in time, whatever their types (migration 0007):
each booking keeps its own `end` (so a time type made longer later does not stretch the times
already booked), and the database refuses an active row whose [start, end) meets another's. On
PostgreSQL that is an exclusion constraint over `tsrange(start, "end")` (btree_gist) and a CHECK
that `end` is after `start`; on SQLite, triggers that make the same check inside the INSERT or
UPDATE, which the store's write transactions (BEGIN IMMEDIATE) make atomic. Either way the loser
gets an IntegrityError, which the tidbok turns into "Tiden hann bokas av någon annan".

`tidbok_versions` holds one number per mottagning that the database itself raises (triggers of
migration 0006) whenever a row of its time types, schedules or closed days is inserted, changed or
deleted, by whatever code or person: the key of each process's cache of those small tables
(forms.booking.calendar), read with the bookings, so no node offers times from an old schedule.
"""

from __future__ import annotations

import datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from forms.store.db import Base, utcnow

ACTIVE = "active"
CANCELLED = "cancelled"
ACTIVE_ONLY = text("status = 'active'")


class TimeTypeRow(Base):
    __tablename__ = "tidbok_time_types"
    __table_args__ = (UniqueConstraint("clinic", "type_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic: Mapped[str] = mapped_column(String(200))
    type_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(10), default="none")  # required | optional | none
    min_age: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_age: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cancel_hours: Mapped[int] = mapped_column(Integer, default=24)
    rebook: Mapped[bool] = mapped_column(Boolean, default=True)
    info: Mapped[str | None] = mapped_column(Text, nullable=True)
    # CONTRACT section 9 (migration 0013): for the web at all; what the
    # citizen may do with a time staff booked (cancel | see | hidden); coming bookings per citizen.
    web: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    staff_bookings: Mapped[str] = mapped_column(String(10), default="cancel", server_default="cancel")
    max_per_person: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ScheduleRow(Base):
    """A weekly pattern: `weekdays` as digits, 0 = Monday ("01234": Monday to Friday)."""

    __tablename__ = "tidbok_schedules"
    __table_args__ = (Index("ix_tidbok_schedules_clinic", "clinic", "type_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic: Mapped[str] = mapped_column(String(200))
    type_id: Mapped[str] = mapped_column(String(100))
    weekdays: Mapped[str] = mapped_column(String(7))
    start_time: Mapped[str] = mapped_column(String(5))  # "08:00", local time
    end_time: Mapped[str] = mapped_column(String(5))
    valid_from: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)
    valid_until: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)


class ClosedDayRow(Base):
    __tablename__ = "tidbok_closed_days"

    clinic: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[datetime.date] = mapped_column(Date, primary_key=True)


class BookingRow(Base):
    __tablename__ = "tidbok_bookings"
    __table_args__ = (
        Index("uq_tidbok_bookings_active_time", "clinic", "start", unique=True,
              sqlite_where=ACTIVE_ONLY, postgresql_where=ACTIVE_ONLY),
        Index("ix_tidbok_bookings_subject", "subject", "clinic", "status", "start"),
        # What the overlap guard (SQLite's triggers) and the free times read: active bookings ending
        # after a moment, which are only the coming ones.
        Index("ix_tidbok_bookings_active_end", "clinic", "end", sqlite_where=ACTIVE_ONLY, postgresql_where=ACTIVE_ONLY),
        # The uppföljning's weeks (forms.staff.followup): bookings made, and cancelled or rebooked, in a
        # period, covering: every column those counts read is in the index (migration 0015).
        Index("ix_tidbok_bookings_followup_created", "clinic", "created_at", "booked_by", "start"),
        Index("ix_tidbok_bookings_followup_updated", "clinic", "updated_at", "status", "rebooked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    clinic: Mapped[str] = mapped_column(String(200))
    type_id: Mapped[str] = mapped_column(String(100))
    start: Mapped[datetime.datetime] = mapped_column(DateTime)  # UTC, naive, like every time in the store
    end: Mapped[datetime.datetime] = mapped_column(DateTime)  # UTC, naive: start + the type's minutes when booked
    subject: Mapped[str] = mapped_column(String(13))
    booked_by: Mapped[str] = mapped_column(String(13))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    # When it was last rebooked (migration 0009): the uppföljning counts rebookings by it.
    rebooked_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)

class BookingCommentRow(Base):
    """One comment given when booking (`boka`, staff only), rebooking (`omboka`) or cancelling (`avboka`).

    `hsa_id` names the staff member who made the change for the citizen (migration 0013); for a
    staff change the row is written even without a comment, so the history says who did it.
    """

    __tablename__ = "tidbok_booking_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("tidbok_bookings.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # boka | omboka | avboka
    comment: Mapped[str] = mapped_column(Text)
    hsa_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)  # UTC, naive, from the app's clock


class TidbokVersionRow(Base):
    """A mottagning's calendar version: raised by triggers on every write of its types, schedules, closed days."""

    __tablename__ = "tidbok_versions"

    clinic: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
