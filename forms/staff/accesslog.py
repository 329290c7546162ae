"""The access log (CONTRACT section 6): every staff read, list and change of a case, every role
change, login and refused access, with time, HSA-id, role, mottagning, personnummer, case, action.

Append-only: this module only inserts, and the database refuses UPDATE and DELETE on the table
(triggers of migration 0003), so neither a bug nor the retention purge can rewrite it. It is kept
at least five years: nothing in the app ever deletes from it. A row is written in the same
transaction as the change it records, so a change is never made without its row.

The granskare searches it for their mottagning by citizen personnummer or staff HSA-id and dates,
and exports the result as CSV (forms.staff.accesslog_view, which also words it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from flask import g, has_app_context
from sqlalchemy import Connection, Engine, insert, or_, select
from sqlalchemy.orm import Session

from forms.store.db import AccessLogEntry, StaffRole
from forms.store.engine import writing

# Actions as they are written, and as the granskare reads them (page and CSV). Every action any
# code writes has its words here (tests/forms/test_staff_log_words.py reads the code for them).
ACTION_NAMES = {
    "login": "Inloggning",
    "login_refused": "Inloggning nekad",
    "logout": "Utloggning",
    "list": "Läste ärendelista",
    "read": "Läste ärende",
    "fordela": "Fördelade",
    "delsvar": "Skickade delsvar",
    "svara": "Svarade",
    "anteckning": "Skrev intern anteckning",
    "avsluta": "Avslutade",
    "refused": "Nekad åtkomst",
    "conflict": "Ändring stoppad (ändrat av någon annan)",
    "role_change": "Ändrade roller",
    "role_change_refused": "Rolländring nekad",
    "standardsvar": "Ändrade standardsvar",
    "mall": "Ändrade mall",
    "meddelande": "Skickade meddelande till invånare",
    "meddelande_nekat": "Meddelande ej skickat (personnumret)",
    "log_search": "Sökte i loggen",
    "log_export": "Exporterade loggen",
    "tidbok": "Ändrade tidboken",
    "tidbok_day": "Läste tidbokens dag",
    "tidbok_week": "Läste tidbokens vecka",
    "tidbok_person": "Slog upp invånare för bokning",
    "tidbok_bokning": "Läste bokning",
    "tidbok_boka": "Bokade tid åt invånare",
    "tidbok_omboka": "Ombokade tid åt invånare",
    "tidbok_avboka": "Avbokade tid åt invånare",
}
MAX_ROWS = 5000  # a search or an export shows at most this many rows, newest first


def _naive(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(tzinfo=None) if moment.tzinfo else moment


# Built once: building an insert of eight values through the ORM entity cost about a quarter of a
# millisecond of CPU, a third of a whole one-insert request, on every staff page.
_INSERT = insert(AccessLogEntry.__table__)


def record(
    connection: Connection,
    *,
    at: datetime.datetime,
    hsa_id: str,
    action: str,
    role: str = "",
    clinic: str = "",
    personnummer: str | None = None,
    case_reference: str | None = None,
    detail: str = "",
    commission_hsa_id: str | None = None,
) -> None:
    """Append one row inside the caller's transaction, with the medarbetaruppdrag of the staff
    session of this request (a SAML login's; none with the test login) unless one is given."""
    if commission_hsa_id is None and has_app_context():
        staff_session = g.get("staff_session")
        data = getattr(staff_session, "data", None) or {}
        commission = data.get("commission_hsa_id")
        commission_hsa_id = commission if isinstance(commission, str) else None
    connection.execute(
        _INSERT,
        {
            "at": _naive(at),
            "hsa_id": hsa_id[:40],
            "action": action[:40],
            "role": role[:200],
            "clinic": clinic[:200],
            "personnummer": personnummer,
            "case_reference": case_reference,
            "detail": detail[:2000],  # a list names up to 25 cases and their personnummer
            "commission_hsa_id": commission_hsa_id[:40] if commission_hsa_id else None,
        },
    )


def append(engine: Engine, **fields: object) -> None:
    """`record` in a write transaction of its own (reads and refusals, which change nothing else)."""
    with writing(engine).begin() as connection:
        record(connection, **fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Query:
    clinic: str
    personnummer: str | None = None
    hsa_id: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None  # inclusive


def search(engine: Engine, query: Query, zone: datetime.tzinfo) -> list[AccessLogEntry]:
    """Rows of the mottagning (and the logins of its staff), newest first, at most MAX_ROWS."""
    staff_here = select(StaffRole.hsa_id).where(StaffRole.clinic == query.clinic)
    statement = select(AccessLogEntry).where(
        or_(
            AccessLogEntry.clinic == query.clinic,
            (AccessLogEntry.clinic == "") & AccessLogEntry.hsa_id.in_(staff_here),
        )
    )
    if query.personnummer:
        # A list is one row naming every case and personnummer it showed (in `detail`).
        listed = AccessLogEntry.action.in_(("list", "tidbok_day", "tidbok_week"))
        shown_in_list = listed & AccessLogEntry.detail.contains(query.personnummer)
        statement = statement.where(or_(AccessLogEntry.personnummer == query.personnummer, shown_in_list))
    if query.hsa_id:
        statement = statement.where(AccessLogEntry.hsa_id == query.hsa_id)
    if query.date_from:
        start = datetime.datetime.combine(query.date_from, datetime.time(0), tzinfo=zone)
        statement = statement.where(AccessLogEntry.at >= _naive(start))
    if query.date_to:
        end = datetime.datetime.combine(query.date_to + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone)
        statement = statement.where(AccessLogEntry.at < _naive(end))
    statement = statement.order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc()).limit(MAX_ROWS)
    with Session(engine) as db:
        return list(db.scalars(statement))
