"""The mottagning's cases in the database: the list, one case with its history, and the actions.

Every action is one write transaction that checks, changes the case, adds its history event,
queues the citizen's notice (an answer or delsvar) and appends the access-log row, so all of it
happens or none of it does. Optimistic concurrency: the form carries the case's `version`; the
change is `UPDATE … WHERE version = :seen`, so of two staff acting on one case at once exactly one
succeeds and the other gets `Conflict` (shown as "Ärendet har ändrats av någon annan", with what
they typed kept).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

import sqlalchemy
from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Select,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from forms.identity.staff import StaffPerson
from forms.notices.outbox import ANSWER_TEXT, enqueue
from forms.platform import workdays
from forms.staff import accesslog, rules
from forms.staff.reads import reading
from forms.staff.rules import CaseView
from forms.store import plain
from forms.store.db import Case, CaseEvent, StaffMember
from forms.store.engine import writing

PAGE_SIZE = 25
IN, OUT = "in", "out"  # a case's direction: sent by the citizen, or started by the mottagning
DIRECTION_NAMES = {IN: "Från invånare", OUT: "Till invånare"}
ALL = "alla"  # the status filter that includes closed cases
MAX_TEXT = 5000

EVENT_KINDS = {
    rules.DISTRIBUTE: "distributed",
    rules.PARTIAL: "delsvar",
    rules.ANSWER: "answer",
    rules.NOTE: "note",
    rules.CLOSE: "closed",
    rules.REPLY: "reply",
}


def naive(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(tzinfo=None) if moment.tzinfo else moment


class Conflict(Exception):
    """Someone else changed the case since the form was shown."""


class Refused(Exception):
    """The action does not fit the case's status or the person's roles; the message says why."""


@dataclass(frozen=True)
class Filters:
    status: str | None = None  # None: open cases; ALL; or one of rules.STATUSES
    mine: bool = False
    late: bool = False
    page: int = 1
    # A search (a POST: never in an address): the case with this reference, or this person's
    # cases, of every status.
    reference: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class Row:
    case_id: int  # not shown: the key the page's other per-case reads (its kallelser) take
    reference: str
    status: str
    eservice_name: str
    subject: str
    sent_at: datetime.datetime
    due_at: datetime.datetime | None
    handler: str | None
    handler_name: str | None
    late: bool
    direction: str = IN


def late_clause(now: ColumnElement[datetime.datetime]) -> ColumnElement[bool]:
    """Late: due time passed, neither answer nor delsvar yet, not closed (`now`: naive UTC)."""
    c = Case.__table__.c
    return and_(c.due_at <= now, c.responded_at.is_(None), c.status != rules.CLOSED)


def is_late(case: Case | sqlalchemy.Row[Any], now: datetime.datetime) -> bool:
    """The same rule as `late_clause`, for one case in hand."""
    due = case.due_at
    return due is not None and due <= naive(now) and case.responded_at is None and case.status != rules.CLOSED


_HANDLER = StaffMember.__table__.alias("handler_member")
_CASES = Case.__table__


@functools.cache
def _list_statements(only_mine: bool, status: str, late: bool, by: str = "") -> tuple[Select[Any], Select[Any]]:
    """The list's page and count statements for one shape of filter, built once.

    `status` is "one" (a chosen status), "open" (the default) or "all"; `by` is "", "reference"
    or "subject" (a search). Values come as bound parameters (clinic, me, status, now, limit,
    offset, reference, subject): building the statement anew for each request cost more CPU than
    running it.
    """
    c = _CASES.c
    where = [c.clinic == bindparam("clinic")]
    if by:
        where.append(c[by] == bindparam(by))
    if only_mine:
        where.append(c.handler == bindparam("me"))
    if status == "one":
        where.append(c.status == bindparam("status"))
    elif status == "open":
        where.append(c.status != rules.CLOSED)
    if late:
        where.append(late_clause(bindparam("now", type_=DateTime)))
    page = (
        select(
            c.id,
            c.reference,
            c.status,
            c.eservice_name,
            c.subject,
            c.sent_at,
            c.due_at,
            c.handler,
            c.responded_at,
            c.direction,
            _HANDLER.c.name.label("handler_name"),
        )
        .select_from(_CASES.outerjoin(_HANDLER, _HANDLER.c.hsa_id == c.handler))
        .where(*where)
        .order_by(c.due_at, c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    count = select(func.count()).select_from(_CASES).where(*where)
    return page, count


def list_cases(
    source: Engine | Connection,
    clinic: str,
    me: str,
    roles: frozenset[str],
    filters: Filters,
    now: datetime.datetime,
) -> tuple[list[Row], int]:
    """One page of the mottagning's cases the person may see, earliest due first, and the total.

    Given a connection, it reads in the caller's transaction (the list view's, which also writes
    the access-log row: one transaction per list instead of two).
    """
    only_mine = rules.RECEIVER not in roles or filters.mine
    status = "one" if filters.status in rules.STATUSES else "all" if filters.status == ALL else "open"
    by = "reference" if filters.reference else "subject" if filters.subject else ""
    statement, count = _list_statements(only_mine, "all" if by else status, filters.late and not by, by)
    cutoff = naive(now)
    params = {
        "clinic": clinic,
        "me": me,
        "status": filters.status,
        "now": cutoff,
        "limit": PAGE_SIZE,
        "offset": (max(filters.page, 1) - 1) * PAGE_SIZE,
        "reference": filters.reference,
        "subject": filters.subject,
    }
    total = plain.first(source, count, params)[0]
    found = plain.rows(source, statement, params)
    rows = [
        Row(
            r.id,
            r.reference,
            r.status,
            r.eservice_name,
            r.subject,
            r.sent_at,
            r.due_at,
            r.handler,
            r.handler_name,
            r.due_at is not None and r.due_at <= cutoff and r.responded_at is None and r.status != rules.CLOSED,
            r.direction,
        )
        for r in found
    ]
    return rows, int(total)


def history(source: Engine | Session, case_id: int, citizen: bool = False) -> list[CaseEvent]:
    """Everything done to the case, oldest first; for the citizen only answers, delsvar and replies."""
    statement = select(CaseEvent).where(CaseEvent.case_id == case_id)
    if citizen:
        statement = statement.where(CaseEvent.kind.in_(sorted(rules.CITIZEN_KINDS)))
    with reading(source) as db:
        return list(db.scalars(statement.order_by(CaseEvent.at, CaseEvent.id)))


@dataclass(frozen=True)
class Action:
    kind: str  # one of rules.ACTIONS
    version: int
    text: str = ""
    handler: str | None = None  # for DISTRIBUTE
    asks_reply: bool = False  # for ANSWER


def act(
    engine: Engine,
    *,
    clinic: str,
    reference: str,
    action: Action,
    me: StaffPerson,
    roles: frozenset[str],
    handlers: dict[str, StaffPerson],
    now: datetime.datetime,
) -> None:
    """Do the action; raise Conflict, Refused, or LookupError (no such case here: a 404)."""
    at = naive(now)
    role_text = ",".join(sorted(roles))
    with writing(engine).begin() as connection:
        case = connection.execute(select(Case).where(Case.reference == reference, Case.clinic == clinic)).first()
        if case is None:
            raise LookupError(reference)
        view = CaseView(case.status, case.handler)
        if case.version != action.version:
            raise Conflict  # before visibility: it may have been theirs until the change they lost to
        if not rules.can_see(roles, me.hsa_id, view):
            raise LookupError(reference)
        if not rules.role_allows(action.kind, roles, me.hsa_id, view):
            raise Refused("Du har inte behörighet att göra det med det här ärendet.")
        if not rules.status_allows(action.kind, case.status):
            raise Refused(rules.REFUSED[action.kind])
        if action.kind == rules.DISTRIBUTE and action.handler not in handlers:
            raise Refused("Välj en ärendehanterare på mottagningen.")
        new = rules.after(action.kind, view, me.hsa_id, action.handler)
        values: dict[str, object] = {"status": new.status, "handler": new.handler, "version": case.version + 1}
        if action.kind in (rules.ANSWER, rules.PARTIAL) and case.responded_at is None:
            values["responded_at"] = at
        changed = connection.execute(
            update(Case).where(Case.id == case.id, Case.version == action.version).values(**values)
        ).rowcount
        if changed != 1:
            raise Conflict
        text = action.text
        if action.kind == rules.DISTRIBUTE:
            text = handlers[action.handler or ""].name
        event_id = connection.execute(
            insert(CaseEvent).values(
                case_id=case.id,
                kind=EVENT_KINDS[action.kind],
                text=text,
                author=me.hsa_id,
                author_name=me.name,
                author_title=me.title,
                asks_reply=action.asks_reply and action.kind == rules.ANSWER,
                at=at,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        if action.kind in (rules.ANSWER, rules.PARTIAL):
            enqueue(
                connection,
                event_key=f"case:{case.id}:event:{event_id}",
                personnummer=case.subject,
                text=ANSWER_TEXT,
                not_before=now,
            )
        accesslog.record(
            connection,
            at=now,
            hsa_id=me.hsa_id,
            role=role_text,
            clinic=clinic,
            action=action.kind,
            personnummer=case.subject,
            case_reference=case.reference,
            detail=f"till {action.handler}" if action.kind == rules.DISTRIBUTE else "",
        )


class ReplyRefused(Exception):
    """No reply is asked for now (already replied, or the case is not answered)."""


def reply_open(events: list[CaseEvent], status: str) -> bool:
    """Whether the citizen may reply: the last answer (or the mottagning's first message, in a case
    it started) asked for one, and no reply came after it."""
    if status != rules.ANSWERED:
        return False
    for event in reversed(events):
        if event.kind == "reply":
            return False
        if event.kind in ("answer", "message"):
            return event.asks_reply
    return False


def citizen_reply(engine: Engine, case_id: int, text: str, now: datetime.datetime) -> None:
    """The citizen's one reply to an answer that asked for it: the case goes back to its handler."""
    with writing(engine).begin() as connection:
        case = connection.execute(select(Case).where(Case.id == case_id)).first()
        if case is None:
            raise LookupError(case_id)
        events = [
            row
            for row in connection.execute(
                select(CaseEvent.kind, CaseEvent.asks_reply)
                .where(CaseEvent.case_id == case_id, CaseEvent.kind.in_(["answer", "message", "reply"]))
                .order_by(CaseEvent.at, CaseEvent.id)
            )
        ]
        if not reply_open(events, case.status):  # type: ignore[arg-type]
            raise ReplyRefused
        new = rules.after(rules.REPLY, CaseView(case.status, case.handler), case.handler or "")
        values: dict[str, object] = {"status": new.status, "version": case.version + 1}
        if case.direction == OUT:
            # In a case the mottagning started, the reply is what arrives: it is due by the rule of
            # section 6 from now, and nothing has answered it yet.
            values |= {"due_at": naive(workdays.due_at(now)), "responded_at": None}
        changed = connection.execute(
            update(Case).where(Case.id == case_id, Case.version == case.version).values(**values)
        ).rowcount
        if changed != 1:
            raise ReplyRefused
        connection.execute(
            insert(CaseEvent).values(
                case_id=case_id,
                kind="reply",
                text=text,
                author=None,
                author_name="",
                author_title="",
                asks_reply=False,
                at=naive(now),
            )
        )
