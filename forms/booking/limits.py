"""`max_per_person` in the standalone tidbok: the count of a citizen's coming bookings of one type,
and the lock that makes the count and the booking one step.

CONTRACT section 9: at most `max_per_person` coming bookings of a type per citizen at a mottagning,
however booked (web, staff, kallelse). The pages count without a lock, to refuse early; the
confirmation counts again inside its write transaction, after the lock: on SQLite that transaction
is already the one writer (BEGIN IMMEDIATE), on PostgreSQL an advisory transaction lock on
(mottagning, type, citizen) makes a second booking at once wait until the first has committed, so
two bookings cannot both pass the count. Kept apart from forms.booking.standalone, which books.
"""

from __future__ import annotations

import datetime

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from forms.booking import rules
from forms.booking.interface import TimeType
from forms.store.tidbok import ACTIVE, BookingRow

# The subject's coming active bookings of one type at one mottagning, however booked.
COMING_OF_TYPE = select(func.count()).select_from(BookingRow).where(
    BookingRow.clinic == bindparam("clinic"),
    BookingRow.type_id == bindparam("type_id"),
    BookingRow.subject == bindparam("subject"),
    BookingRow.status == ACTIVE,
    BookingRow.start > bindparam("after"),
)
LIMIT_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:key))")


def _coming(db: Session, clinic: str, type_id: str, subject: str, after: datetime.datetime) -> int:
    params = {"clinic": clinic, "type_id": type_id, "subject": subject, "after": after}
    return int(db.execute(COMING_OF_TYPE, params).scalar_one())


def over_limit_locked(
    db: Session, clinic: str, time_type: TimeType, subject: str, after: datetime.datetime, staff: bool
) -> str | None:
    """The refusal, or None; in the booking's write transaction, the lock taken first (`after`:
    now, as the store keeps it)."""
    if time_type.max_per_person is None:
        return None
    if db.get_bind().dialect.name == "postgresql":
        db.execute(LIMIT_LOCK, {"key": f"tidbok-limit\x1f{clinic}\x1f{time_type.id}\x1f{subject}"})
    return rules.over_limit(time_type, _coming(db, clinic, time_type.id, subject, after), staff)


def over_limit(
    db: Session, clinic: str, time_type: TimeType | None, subject: str, after: datetime.datetime, staff: bool
) -> str | None:
    """For the pages before the confirmation, without the lock (the confirmation counts again)."""
    if time_type is None or time_type.max_per_person is None:
        return None
    return rules.over_limit(time_type, _coming(db, clinic, time_type.id, subject, after), staff)
