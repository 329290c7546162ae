"""Kallelser: a mottagning's invitation to one citizen to book one time of one time type.

The link carries a token that only this module makes: an HMAC of the kallelse's random nonce under
the app's secret key. The database holds the nonce and the token's SHA-256, never the token, so a
copy of the database opens no kallelse; the citizen's case page makes the token again to show the
link. The link opens Boka tid at the invited type for the citizen it was sent to and nobody else
(404, as a link that does not exist), even a type not offered on the web: the booking path is
given the invited type explicitly (`Invitation`). It is spent in the booking's own transaction by
`UPDATE … WHERE spent_at IS NULL` (forms.booking.standalone), so it books at most one time however
many requests race, and a spent link is refused with a message.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from forms.store import plain
from forms.store.db import Kallelse
from forms.store.tidbok import CANCELLED, BookingRow, TimeTypeRow

SPENT = "Kallelsen är redan använd: tiden är bokad. Du ser den under Bokade tider."


@dataclass(frozen=True)
class Invitation:
    """An unspent kallelse as the booking path needs it: which one, where, for whom, which type."""

    id: int
    clinic: str
    personnummer: str
    time_type: str


@dataclass(frozen=True)
class State:
    """A case's kallelse as the mottagning sees it: what a patient calling asks ("Har jag bokat?").

    Spent is the one fact the citizen's status reads too (forms.cases.status, via `booked_of`): a
    time was booked with it. The booking itself may since have been moved (its `start` is the new
    time) or cancelled (the kallelse stays spent: it books one time, once).
    """

    type_id: str
    type_name: str  # the tidbok's name for it; the id if the type has since been removed
    booked: bool
    start: datetime.datetime | None  # the booked time, UTC naive as stored, when booked
    cancelled: bool  # the time booked with it has since been cancelled


_KALLELSER = Kallelse.__table__
_BOOKINGS = BookingRow.__table__
_TYPES = TimeTypeRow.__table__
_STATE = (
    select(
        _KALLELSER.c.time_type, _KALLELSER.c.spent_at, _TYPES.c.name, _BOOKINGS.c.start, _BOOKINGS.c.status
    )
    .select_from(
        _KALLELSER.outerjoin(_BOOKINGS, _BOOKINGS.c.id == _KALLELSER.c.booking_id).outerjoin(
            _TYPES, (_TYPES.c.clinic == _KALLELSER.c.clinic) & (_TYPES.c.type_id == _KALLELSER.c.time_type)
        )
    )
    .where(_KALLELSER.c.case_id == bindparam("case_id"))
)


def state(connection: Connection, case_id: int) -> State | None:
    """The case's kallelse, with the time booked through it, in one query on the caller's connection
    (a staff case page's: its read is logged in that transaction); None when it has none."""
    row = plain.first(connection, _STATE, {"case_id": case_id})
    if row is None:
        return None
    spent = spent_state(row.spent_at, row.status)
    booked = spent != OPEN
    start = row.start if booked else None
    return State(row.time_type, row.name or row.time_type, booked, start, spent == CANCELLED_TIME)


OPEN, BOOKED, CANCELLED_TIME = "open", "booked", "cancelled"


def spent_state(spent_at: datetime.datetime | None, booking_status: str | None) -> str:
    """OPEN, BOOKED (a time booked with it stands, moved or not) or CANCELLED_TIME (that time was
    cancelled; the kallelse stays spent, since it books one time once, but "Tid bokad" would no
    longer be true): the one rule the staff case page, the case list and the citizen's status read."""
    if spent_at is None:
        return OPEN
    return CANCELLED_TIME if booking_status == CANCELLED else BOOKED
_SPENT_OF = select(_KALLELSER.c.case_id, _KALLELSER.c.spent_at, _BOOKINGS.c.status).select_from(
    _KALLELSER.outerjoin(_BOOKINGS, _BOOKINGS.c.id == _KALLELSER.c.booking_id)
)


def booked_of(connection: Connection, case_ids: list[int]) -> dict[int, str]:
    """Each of these cases' kallelse by case id (no entry: none), as `spent_state` says it."""
    found = connection.execute(_SPENT_OF.where(_KALLELSER.c.case_id.in_(case_ids)))
    return {case_id: spent_state(spent_at, status) for case_id, spent_at, status in found}


def token(secret: str | bytes, nonce: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, b"kallelse:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create(
    connection: Connection, *, secret: str | bytes, case_id: int, clinic: str, personnummer: str, time_type: str,
    at: datetime.datetime,
) -> int:
    """Store a kallelse in the caller's transaction (the message's); returns its id."""
    nonce = secrets.token_urlsafe(24)
    return int(
        connection.execute(
            insert(Kallelse).values(
                case_id=case_id, clinic=clinic, personnummer=personnummer, time_type=time_type, nonce=nonce,
                token_hash=token_hash(token(secret, nonce)), created_at=at,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def of_case(engine: Engine, case_id: int) -> Kallelse | None:
    with engine.connect() as connection:
        row = connection.execute(select(Kallelse).where(Kallelse.case_id == case_id)).first()
    return None if row is None else Kallelse(**row._mapping)


def by_token(engine: Engine, value: str) -> Kallelse | None:
    """The kallelse this link's token opens, spent or not; None for any other string."""
    if not value or len(value) > 100:
        return None
    with engine.connect() as connection:
        row = connection.execute(select(Kallelse).where(Kallelse.token_hash == token_hash(value))).first()
    return None if row is None else Kallelse(**row._mapping)


def unspent(engine: Engine, kallelse_id: int, clinic: str, personnummer: str) -> Invitation | None:
    """The kallelse as an invitation if it is still open to this citizen at this mottagning."""
    with engine.connect() as connection:
        row = connection.execute(
            select(Kallelse).where(
                Kallelse.id == kallelse_id, Kallelse.clinic == clinic, Kallelse.personnummer == personnummer,
                Kallelse.spent_at.is_(None),
            )
        ).first()
    return None if row is None else Invitation(row.id, row.clinic, row.personnummer, row.time_type)


def is_spent(engine: Engine, kallelse_id: int) -> bool:
    """Whether another booking has used it since a journey opened it: read before "Boka tiden" so
    that journey is told, instead of losing the kallelse's type (often not on the web) unexplained."""
    with engine.connect() as connection:
        spent = connection.execute(select(Kallelse.spent_at).where(Kallelse.id == kallelse_id)).first()
    return spent is not None and spent.spent_at is not None


def spend(connection: Connection, invitation: Invitation, booking_id: int, at: datetime.datetime) -> bool:
    """Mark it spent by this booking, in the booking's transaction; False when it already was
    (the caller then rolls the booking back)."""
    changed = connection.execute(
        update(Kallelse)
        .where(
            Kallelse.id == invitation.id, Kallelse.spent_at.is_(None), Kallelse.personnummer == invitation.personnummer
        )
        .values(spent_at=at, booking_id=booking_id)
    ).rowcount
    return changed == 1
