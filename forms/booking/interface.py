"""What the forms app asks a mottagning's tidbok, and nothing more.

Shaped after the national scheduling contracts (time types; available dates; available times;
make, update and cancel a booking; a citizen's booked times; one booking's details), so a record
system's own tidbok can stand in for the standalone one (docs/operators.md): the views speak only
to `Tidbok`. Every answer that changes something is a `Result`: OK, INFO with a text to show
beside the success, or ERROR with a text to show instead of it. Times are aware datetimes; the
caller passes its clock's `now` so that a tidbok never asks a database or the wall clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ResultCode = Literal["OK", "INFO", "ERROR"]
ReasonRule = Literal["required", "optional", "none"]
# What a citizen may do with a time the mottagning booked for them (CONTRACT section 9).
StaffBookings = Literal["cancel", "see", "hidden"]
STAFF_BOOKINGS = ("cancel", "see", "hidden")
# `booked_by` of a time the mottagning's staff booked (a citizen's booking holds the booker's
# personnummer): the citizen's lists mark it "Bokad av mottagningen" and the uppföljning counts by it.
STAFF_BOOKED = "mottagningen"

# The contract's text for a time taken by someone else between choosing and confirming.
TAKEN = "Tiden hann bokas av någon annan. Välj en annan tid."
NOT_OFFERED = "Tiden finns inte bland de lediga tiderna. Välj en annan tid."
AGE_BARRED = "Den här typen av tid kan inte bokas för den som ska besöka mottagningen."
TOO_LATE = "Det är för nära inpå tiden för att ändra den här. Ring mottagningen."
NO_REBOOK = "Den här tiden kan inte ombokas här. Ring mottagningen."
NOT_FOUND = "Bokningen finns inte."
# A rebook or cancellation of a booking that is no longer as the citizen saw it (cancelled or moved
# meanwhile, in another window or by someone else): nothing is changed.
CHANGED = "Bokningen har ändrats sedan du öppnade sidan. Din ändring är inte gjord."
# A citizen changing a time the mottagning booked, where the time type keeps that to the mottagning.
STAFF_ONLY = "Den här tiden bokades av mottagningen och kan bara ändras av mottagningen. Ring mottagningen."
PAST = "Tiden har redan varit och kan inte ändras."


def too_many(type_name: str, limit: int, staff: bool = False) -> str:
    """The refusal of one booking more than the time type's `max_per_person`: names the type, says what to do."""
    times = "en kommande tid" if limit == 1 else f"{limit} kommande tider"
    if staff:
        return (f"Invånaren har redan {times} av typen {type_name} här, och fler går inte att boka. "
                "Avboka eller omboka den bokade tiden i stället.")
    return (f"Du har redan {times} av typen {type_name} här, och fler går inte att boka. "
            "Avboka den bokade tiden under Mina bokade tider först, eller ring mottagningen.")


@dataclass(frozen=True)
class TimeType:
    id: str
    name: str
    minutes: int
    reason: ReasonRule = "none"
    min_age: int | None = None
    max_age: int | None = None
    cancel_hours: int = 24
    rebook: bool = True
    info: str | None = None
    web: bool = True  # False: only the mottagning books it (not offered under "Välj typ av tid")
    staff_bookings: StaffBookings = "cancel"
    max_per_person: int | None = None  # coming bookings of this type per citizen at the mottagning


@dataclass(frozen=True)
class Booking:
    """One booked time as the citizen sees it, with what they may still do with it."""

    key: str  # opaque and unguessable: the booking's id in URLs
    clinic: str
    time_type: TimeType
    start: datetime.datetime  # aware
    subject: str  # whose time it is (a child's, when a guardian booked it)
    booked_by: str
    reason: str | None
    comment: str | None
    active: bool
    may_cancel: bool
    may_rebook: bool
    # The booking's own end, when the tidbok keeps one: a time type made longer or shorter later
    # leaves the times already booked as they were.
    booked_end: datetime.datetime | None = None

    @property
    def by_staff(self) -> bool:
        """Booked by the mottagning (shown to the citizen as "Bokad av mottagningen")."""
        return self.booked_by == STAFF_BOOKED

    @property
    def end(self) -> datetime.datetime:
        if self.booked_end is not None:
            return self.booked_end
        return self.start + datetime.timedelta(minutes=self.time_type.minutes)


@dataclass(frozen=True)
class Result:
    code: ResultCode
    text: str | None = None
    booking: Booking | None = None

    @property
    def ok(self) -> bool:
        return self.code != "ERROR"


@dataclass(frozen=True)
class FreeTimes:
    """The days from today to a last day that have free times, and each day's free times.

    One answer serves the day page twice over: its list of days and the chosen day's times. The
    times are kept as the store keeps them, UTC without an offset, and only the day asked for is
    turned into local times, so three months of times cost no more than the list of days.
    """

    by_day: dict[datetime.date, tuple[datetime.datetime, ...]]  # naive UTC, in order; only days with some

    @property
    def days(self) -> list[datetime.date]:
        return sorted(self.by_day)

    def on(self, day: datetime.date) -> list[datetime.datetime]:
        """The day's free times as aware Swedish local times; empty for a day without any."""
        return [moment.replace(tzinfo=datetime.UTC).astimezone(STOCKHOLM) for moment in self.by_day.get(day, ())]


@dataclass(frozen=True)
class Request:
    """A new booking: for whom, by whom, and a key that makes a repeated request book once."""

    clinic: str
    time_type: str
    start: datetime.datetime
    subject: str
    booked_by: str
    reason: str | None
    request_key: str
    # The kallelse (forms.booking.kallelse) this booking is made through, if any: the tidbok spends
    # it in the booking's own transaction, and books nothing if it is already spent.
    kallelse: int | None = None
    comment: str | None = None  # the staff member's comment, kept in the booking's history
    staff: str | None = None  # the HSA-id of the staff member booking for the citizen (booked_by: STAFF_BOOKED)


# Called inside the transaction that makes a change, so a staff change is never stored without
# its access-log row (forms.staff.accesslog); a tidbok that cannot share a transaction calls it
# after its change is made.
Audit = Callable[[Connection], None]


class Tidbok(Protocol):
    def time_types(self, clinic: str) -> list[TimeType]: ...

    def available_dates(
        self, clinic: str, time_type: str, subject: str, now: datetime.datetime, until: datetime.date
    ) -> list[datetime.date]:
        """Days from today to `until` with at least one free time the subject may book."""
        ...

    def available_times(
        self, clinic: str, time_type: str, subject: str, day: datetime.date, now: datetime.datetime
    ) -> list[datetime.datetime]:
        """The free start times of one day, in order; empty for a closed or past day."""
        ...

    def free_times(
        self, clinic: str, time_type: str, subject: str, now: datetime.datetime, until: datetime.date
    ) -> FreeTimes:
        """`available_dates` and every such day's `available_times` in one answer (the day page's)."""
        ...

    def make_booking(self, request: Request, now: datetime.datetime, audit: Audit | None = None) -> Result:
        """Book; a staff request (`request.staff`) may book a `web: false` type. `max_per_person` holds for both."""
        ...

    def book_for_caller(
        self, clinic: str, time_type: str, start: datetime.datetime, subject: str, reason: str | None,
        comment: str | None, staff: str, request_key: str, now: datetime.datetime, audit: Audit | None = None,
    ) -> Result:
        """`make_booking` by the mottagning's staff member `staff` (an HSA-id) for the citizen `subject`.

        In plain values: the staff side may not import this package (the forms layers contract), so
        it asks the tidbok it is given for what it needs by these methods alone.
        """
        ...

    def limit_reached(self, clinic: str, time_type: str, subject: str, now: datetime.datetime,
                      staff: bool = False) -> str | None:
        """The refusal text when the subject already has the type's `max_per_person` coming bookings, else None."""
        ...

    def update_booking(
        self, key: str, subject: str, start: datetime.datetime, comment: str | None, now: datetime.datetime,
        was: datetime.datetime | None = None, staff: str | None = None, audit: Audit | None = None,
    ) -> Result:
        """Move a booking to `start` at once: the old time is free and the new one taken, or neither.

        `was` is the start the citizen saw: unless the booking is still active at exactly that time
        when the tidbok writes, nothing changes and the answer is ERROR `CHANGED` with the booking as
        it is now, so a rebook never lands on a booking cancelled or moved meanwhile.

        `staff`: the HSA-id of the staff member moving it for the citizen: the web's limits (the
        cancel window, `rebook`, `staff_bookings`) are the citizen's and do not bind the mottagning.
        """
        ...

    def cancel_booking(
        self, key: str, subject: str, comment: str | None, now: datetime.datetime,
        was: datetime.datetime | None = None, staff: str | None = None, audit: Audit | None = None,
    ) -> Result:
        """Cancel a booking; with `was`, only if it is still active at that start (else ERROR `CHANGED`)."""
        ...

    def schedule(self, subject: str, clinic: str, now: datetime.datetime) -> list[Booking]:
        """The subject's coming active times at the mottagning, booked by anyone, soonest first;
        not those the mottagning booked of a type whose `staff_bookings` is hidden."""
        ...

    def schedules(self, subject: str, clinics: list[str], now: datetime.datetime) -> list[Booking]:
        """`schedule` at each of `clinics` together, soonest first ("Bokade tider" over every mottagning)."""
        ...

    def booking(self, key: str, subject: str, now: datetime.datetime) -> Booking | None:
        """One booking of the subject's; None for a key that is not theirs (or not there)."""
        ...
