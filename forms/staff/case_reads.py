"""What a staff case page reads: the case, its history, the mottagning's ärendehanterare, the
handler, the standardsvar and a message's kallelse (booked or not, and when), on the store's plain
read path (forms.store.plain) in the request's one transaction, which also writes the page's
access-log row. The rows have the ORM objects' attribute names, so the templates read either.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, false, select

from forms.booking import kallelse
from forms.identity.staff import StaffPerson
from forms.staff.rules import ANSWER, DISTRIBUTE, HANDLER
from forms.staff.standard import fits
from forms.store import plain
from forms.store.db import Case, CaseEvent, StaffMember, StaffRole, StandardAnswer


class CaseRow(Protocol):
    """A row of `cases` as the plain read gives it (every column, by name, read-only): the columns
    the case page, its actions and staff/case.html read, typed as forms.store.db.Case types them.
    A Protocol, not the ORM class, since the row is forms.store.plain's tuple, which the page reads
    without the ORM's cost; tests/forms/test_staff_case_page.py keeps each name a column of `cases`."""

    @property
    def id(self) -> int: ...
    @property
    def reference(self) -> str: ...
    @property
    def actor(self) -> str: ...  # who sent it: the citizen, or a guardian for a child
    @property
    def subject(self) -> str: ...  # whom it is about
    @property
    def eservice(self) -> str: ...
    @property
    def eservice_name(self) -> str: ...
    @property
    def villkor_sha256(self) -> str: ...
    @property
    def villkor_approved_at(self) -> datetime.datetime: ...
    @property
    def summary(self) -> list[Any]: ...
    @property
    def sent_at(self) -> datetime.datetime: ...
    @property
    def status(self) -> str: ...
    @property
    def handler(self) -> str | None: ...
    @property
    def version(self) -> int: ...
    @property
    def due_at(self) -> datetime.datetime | None: ...
    @property
    def responded_at(self) -> datetime.datetime | None: ...
    @property
    def direction(self) -> str: ...


_CASES = Case.__table__
_EVENTS = CaseEvent.__table__
_MEMBERS = StaffMember.__table__
_ROLES = StaffRole.__table__
_ANSWERS = StandardAnswer.__table__

_CASE = select(_CASES).where(
    _CASES.c.reference == bindparam("reference"), _CASES.c.clinic == bindparam("clinic")
)
_HISTORY = (
    select(_EVENTS)
    .where(_EVENTS.c.case_id == bindparam("case_id"))
    .order_by(_EVENTS.c.at, _EVENTS.c.id)
)
_HANDLERS = (
    select(_MEMBERS.c.hsa_id, _MEMBERS.c.name, _MEMBERS.c.title)
    .join(_ROLES, _ROLES.c.hsa_id == _MEMBERS.c.hsa_id)
    .where(_ROLES.c.clinic == bindparam("clinic"), _ROLES.c.role == HANDLER)
)
_PERSON = select(_MEMBERS.c.hsa_id, _MEMBERS.c.name, _MEMBERS.c.title).where(_MEMBERS.c.hsa_id == bindparam("hsa_id"))
_STANDARD = (
    select(_ANSWERS.c.id, _ANSWERS.c.title, _ANSWERS.c.text, _ANSWERS.c.eservices)
    .where(_ANSWERS.c.clinic == bindparam("clinic"), _ANSWERS.c.retired == false())
    .order_by(_ANSWERS.c.title)
)


@dataclass(frozen=True)
class PageReads:
    """What a case page shows besides the case."""

    events: list[Any]
    handlers: list[StaffPerson]
    handler: StaffPerson | None
    answers: list[Any]  # the standardsvar that fit the case's e-service
    # A message's kallelse: what the ärendehanterare needs when the patient calls ("Har hon bokat?").
    kallelse: kallelse.State | None = None


def case(connection: Connection, clinic: str, reference: str) -> CaseRow | None:
    """The mottagning's case with this reference; None for another mottagning's or none."""
    found: CaseRow | None = plain.first(connection, _CASE, {"reference": reference[:40], "clinic": clinic})
    return found


def handlers(connection: Connection, clinic: str) -> list[StaffPerson]:
    """The mottagning's ärendehanterare, by name (as forms.staff.directory.handlers: sorted here,
    not by the database's collation, which differs between databases for å, ä and ö)."""
    found = [StaffPerson(r.hsa_id, r.name, r.title) for r in plain.rows(connection, _HANDLERS, {"clinic": clinic})]
    return sorted(found, key=lambda p: (p.name, p.hsa_id))


def page_reads(connection: Connection, clinic: str, found: CaseRow, allowed: list[str]) -> PageReads:
    """The history; the handlers when the page may distribute; the standardsvar that fit the case
    when it may answer; the kallelse of a message the mottagning sent (only those have one)."""
    found_answers = plain.rows(connection, _STANDARD, {"clinic": clinic}) if ANSWER in allowed else []
    answers = [a for a in found_answers if fits(a.eservices, found.eservice)]
    people = handlers(connection, clinic) if DISTRIBUTE in allowed else []
    handler = next((p for p in people if p.hsa_id == found.handler), None)
    if handler is None and found.handler:
        row = plain.first(connection, _PERSON, {"hsa_id": found.handler})
        handler = StaffPerson(row.hsa_id, row.name, row.title) if row else None
    events = plain.rows(connection, _HISTORY, {"case_id": found.id})
    invitation = kallelse.state(connection, found.id) if found.direction == "out" else None
    return PageReads(events, people, handler, answers, invitation)
