"""The time type's say over who books it and what the citizen may do with a time staff booked.

CONTRACT section 9: `web` (false: only the mottagning books it), `staff_bookings` (cancel | see |
hidden: what the citizen may do with a time the mottagning booked for them) and `max_per_person`
(coming bookings of the type per citizen, however booked). Pure functions over the interface's
values, so each rule is a unit test and the web, the staff pages and the standalone tidbok ask
one place.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from forms.booking.interface import NO_REBOOK, PAST, STAFF_BOOKED, STAFF_ONLY, TOO_LATE, Booking, TimeType, too_many


def on_web(types: Iterable[TimeType]) -> list[TimeType]:
    """The types a citizen may choose under "Välj typ av tid": not those only the mottagning books."""
    return [time_type for time_type in types if time_type.web]


def may_book(time_type: TimeType, by_staff: bool) -> bool:
    return time_type.web or by_staff


def citizen_has_say(time_type: TimeType, booked_by: str) -> bool:
    """Whether the citizen may cancel (and, where `rebook` allows, rebook) the time at all."""
    return booked_by != STAFF_BOOKED or time_type.staff_bookings == "cancel"


def listed(time_type: TimeType, booked_by: str) -> bool:
    """Whether the citizen's lists show the time: not one the mottagning booked of a hidden type."""
    return booked_by != STAFF_BOOKED or time_type.staff_bookings != "hidden"


def over_limit(time_type: TimeType, coming: int, staff: bool = False) -> str | None:
    """The refusal of one more booking when the citizen has `coming` bookings of the type, or None."""
    limit = time_type.max_per_person
    return too_many(time_type.name, limit, staff) if limit is not None and coming >= limit else None


def staff_may_change(booking: Booking, now: datetime.datetime) -> str | None:
    """The mottagning changes any coming time (the web's limits are the citizen's); not one begun."""
    return PAST if booking.start <= now else None


def citizen_may_cancel(booking: Booking) -> str | None:
    if not citizen_has_say(booking.time_type, booking.booked_by):
        return STAFF_ONLY
    return None if booking.may_cancel else TOO_LATE


def citizen_may_rebook(booking: Booking) -> str | None:
    if not citizen_has_say(booking.time_type, booking.booked_by):
        return STAFF_ONLY
    if not booking.time_type.rebook:
        return NO_REBOOK
    return None if booking.may_rebook else TOO_LATE
