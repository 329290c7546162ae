"""What the staff's booking pages ask of the tidbok, of the citizen's identity, and of the access log.

The staff side may not import forms.booking (the forms layers contract keeps the features apart),
so it asks the tidbok the app holds (forms.booking.interface.Tidbok, under `TIDBOK_EXTENSION`)
through `StaffTidbok`, the few methods it needs in plain values; the standalone tidbok has them.
Every change is made with `audit`, which writes the access-log row inside the change's own
transaction, so no booking is made, moved or cancelled by staff without its row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from forms.identity.personnummer import InvalidPersonnummer, age_on, normalize
from forms.platform.services import services
from forms.staff import accesslog
from forms.staff.web import me, refuse, role_text
from forms.store.tidbok import ACTIVE, BookingRow, TimeTypeRow

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TIDBOK_EXTENSION = "hittavard_tidbok"  # forms.booking.common.EXTENSION
COMMENT_MAX = 500  # as the citizen's Kommentar (forms.booking.common)
REASON_MAX = 200
NO_PERSONNUMMER = "Skriv invånarens personnummer, till exempel 19121212-1212."
UNKNOWN_PERSON = "Det finns ingen person med personnumret {pnr}. Kontrollera numret med den som ringer."
AGE = "{name} kan inte bokas för den här personen: tidstypen är för en annan ålder."
NOT_FREE = "Tiden är inte ledig för bokning längre. Välj en annan tid i tidboken."
COMMENT_TOO_LONG = f"Kommentaren får vara högst {COMMENT_MAX} tecken."
REASON_MISSING = "Skriv anledningen till besöket."
REASON_TOO_LONG = f"Anledningen får vara högst {REASON_MAX} tecken."


class StaffTidbok(Protocol):
    """The part of forms.booking.interface.Tidbok the staff's pages use (results duck-typed: ok, text, booking)."""

    def available_times(self, clinic: str, time_type: str, subject: str, day: datetime.date,
                        now: datetime.datetime) -> list[datetime.datetime]: ...

    def limit_reached(self, clinic: str, time_type: str, subject: str, now: datetime.datetime,
                      staff: bool = False) -> str | None: ...

    def book_for_caller(self, clinic: str, time_type: str, start: datetime.datetime, subject: str,
                        reason: str | None, comment: str | None, staff: str, request_key: str,
                        now: datetime.datetime, audit: Callable[[Connection], None] | None = None) -> Any: ...

    def update_booking(self, key: str, subject: str, start: datetime.datetime, comment: str | None,
                       now: datetime.datetime, was: datetime.datetime | None = None, staff: str | None = None,
                       audit: Callable[[Connection], None] | None = None) -> Any: ...

    def cancel_booking(self, key: str, subject: str, comment: str | None, now: datetime.datetime,
                       was: datetime.datetime | None = None, staff: str | None = None,
                       audit: Callable[[Connection], None] | None = None) -> Any: ...


def tidbok() -> StaffTidbok:
    return current_app.extensions[TIDBOK_EXTENSION]  # type: ignore[no-any-return]


def audit(clinic: str, roles: Collection[str], action: str, personnummer: str, detail: str
          ) -> Callable[[Connection], None]:
    """The access-log row of a change, to be written in the change's transaction."""
    at, hsa_id = services().now(), me().person.hsa_id

    def write(connection: Connection) -> None:
        accesslog.record(connection, at=at, hsa_id=hsa_id, role=role_text(roles), clinic=clinic,
                         action=action, personnummer=personnummer, detail=detail)
    return write


def log_read(clinic: str, roles: Collection[str], action: str, personnummer: str, detail: str) -> None:
    """A read of a citizen's booking or name by staff: one access-log row of its own."""
    accesslog.append(services().store.engine, at=services().now(), hsa_id=me().person.hsa_id,
                     role=role_text(roles), clinic=clinic, action=action, personnummer=personnummer, detail=detail)


@dataclass(frozen=True)
class Kind:
    """A time type as the staff's booking pages need it."""

    id: str
    name: str
    minutes: int
    reason: str
    min_age: int | None
    max_age: int | None


def kind_of(clinic: str, type_id: str) -> Kind | None:
    with Session(services().store.engine) as db:
        row = db.scalars(
            select(TimeTypeRow).where(TimeTypeRow.clinic == clinic, TimeTypeRow.type_id == type_id)).first()
        if row is None:
            return None
        return Kind(row.type_id, row.name, row.minutes, row.reason, row.min_age, row.max_age)


def person(raw: str) -> tuple[str | None, str | None, str | None]:
    """(personnummer, name, error) for what was typed: checked, then asked of the identity provider."""
    if not raw.strip():
        return None, None, NO_PERSONNUMMER
    try:
        pnr = normalize(raw[:40])
    except InvalidPersonnummer as problem:
        return None, None, problem.sentence
    found = services().identity.find_person(pnr)
    if found is None:
        return pnr, None, UNKNOWN_PERSON.format(pnr=pnr)
    return pnr, found.name, None


def age_fits(kind: Kind, pnr: str, day: datetime.date) -> bool:
    age = age_on(pnr, day)
    return not ((kind.min_age is not None and age < kind.min_age) or (kind.max_age is not None and age > kind.max_age))


def parse_start(value: str | None) -> datetime.datetime | None:
    """A posted start (ISO with offset, as the day view writes it), or None for anything else."""
    if not value or len(value) > 40:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(STOCKHOLM) if parsed.tzinfo is not None else None


def booking_here(clinic: str, key: str) -> BookingRow:
    """The booking `key` of this mottagning, or 404 (logged) for any other key."""
    with Session(services().store.engine, expire_on_commit=False) as db:
        row = db.scalars(select(BookingRow).where(BookingRow.key == key[:32])).first()
    if row is None or row.clinic != clinic:
        refuse(clinic, "tidbok-bokning")
    return row


def is_active(row: BookingRow) -> bool:
    return row.status == ACTIVE


def local(stored: datetime.datetime) -> datetime.datetime:
    return stored.replace(tzinfo=datetime.UTC).astimezone(STOCKHOLM)
