"""The citizen's coming bookings in the standalone tidbok, and a booking row as the `Booking` the
pages show: with the citizen's say over it (cancel, rebook) worked out from its type.

"Bokade tider" and Mina bokade tider read each citizen's coming bookings with their time types
joined, in one statement (SCHEDULE for one mottagning, SCHEDULES for several); a time the
mottagning booked of a type whose `staff_bookings` is "hidden" is left out there, in the query.
Kept apart from forms.booking.standalone, which books, rebooks and cancels.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select

from forms.booking import rules, times
from forms.booking.interface import STAFF_BOOKED, Booking, TimeType
from forms.store.tidbok import ACTIVE, BookingRow, TimeTypeRow


def aware(stored: datetime.datetime) -> datetime.datetime:
    """A stored time (naive UTC, as both databases keep it) as the citizen reads it: Stockholm time."""
    return stored.replace(tzinfo=datetime.UTC).astimezone(times.STOCKHOLM)


def booking_of(row: Any, time_type: TimeType | None, now: datetime.datetime) -> Booking:
    """A booking from its row (ORM object or Core row) and its time type (a stand-in if it is gone)."""
    kind = time_type or TimeType(row.type_id, row.type_id, 0)
    start = aware(row.start)
    active = row.status == ACTIVE
    # The citizen's own say over a time the mottagning booked is the type's `staff_bookings`.
    active_for_citizen = active and rules.citizen_has_say(kind, row.booked_by)
    return Booking(
        key=row.key,
        clinic=row.clinic,
        time_type=kind,
        start=start,
        subject=row.subject,
        booked_by=row.booked_by,
        reason=row.reason,
        comment=row.comment,
        active=active,
        may_cancel=active_for_citizen and times.may_cancel(kind, start, now),
        may_rebook=active_for_citizen and times.may_rebook(kind, start, now),
        booked_end=aware(row.end) if row.end is not None else None,
    )


def joined_type(row: Any) -> TimeType | None:
    """The time type of a SCHEDULE row (its columns joined beside the booking's), if it still exists."""
    if row.name is None:
        return None
    return TimeType(
        id=row.type_id, name=row.name, minutes=row.minutes, reason=row.reason_rule, min_age=row.min_age,
        max_age=row.max_age, cancel_hours=row.cancel_hours, rebook=row.rebook, info=row.info,
        web=row.web, staff_bookings=row.staff_bookings, max_per_person=row.max_per_person,
    )


COMING = (
    select(
        BookingRow.key, BookingRow.clinic, BookingRow.type_id, BookingRow.start, BookingRow.end, BookingRow.subject,
        BookingRow.booked_by, BookingRow.reason, BookingRow.comment, BookingRow.status,
        TimeTypeRow.name, TimeTypeRow.minutes, TimeTypeRow.min_age, TimeTypeRow.max_age, TimeTypeRow.cancel_hours,
        TimeTypeRow.rebook, TimeTypeRow.info, TimeTypeRow.reason.label("reason_rule"), TimeTypeRow.web,
        TimeTypeRow.staff_bookings, TimeTypeRow.max_per_person,
    )
    .outerjoin(TimeTypeRow, and_(TimeTypeRow.clinic == BookingRow.clinic, TimeTypeRow.type_id == BookingRow.type_id))
    .where(
        BookingRow.subject == bindparam("subject"),
        BookingRow.status == ACTIVE,
        BookingRow.start > bindparam("after"),
        # A time the mottagning booked of a type whose staff_bookings is "hidden" is not listed.
        or_(BookingRow.booked_by != STAFF_BOOKED, func.coalesce(TimeTypeRow.staff_bookings, "cancel") != "hidden"),
    )
    .order_by(BookingRow.start)
)
SCHEDULE = COMING.where(BookingRow.clinic == bindparam("clinic"))
# "Bokade tider" over every mottagning: the same rows at any of the clinics, in one statement.
SCHEDULES = COMING.where(BookingRow.clinic.in_(bindparam("clinics", expanding=True)))
