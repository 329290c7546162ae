"""Reading and writing drafts and cases: every transaction of the forms app in one place.

Each method is one short transaction, so a request never holds a lock while rendering. Reads and
writes are opened differently: a write transaction takes the write lock as it begins (`BEGIN
IMMEDIATE` on SQLite, see forms.store.db), so two workers writing at once queue instead of one failing
half-way. Sending is idempotent by construction: the case carries its draft's key under a UNIQUE
constraint, and a send that loses the race (or repeats an earlier one) returns the case that is
already there.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Engine, bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from forms.store import plain
from forms.store.db import Case, Draft, WebSession, utcnow
from forms.store.engine import writing

# The reads every request makes, built once (statement building cost more than the query).
_SESSIONS = WebSession.__table__
# Single logout from the IdP: by the indexed column (ix_web_sessions_saml_key), never the JSON.
SESSIONS_NAMED = delete(_SESSIONS).where(_SESSIONS.c.saml_key == bindparam("saml_key"))
_SESSION_DATA = select(_SESSIONS.c.data).where(_SESSIONS.c.token_hash == bindparam("token_hash"))
_DRAFTS = Draft.__table__
_OWNERS_DRAFTS = select(_DRAFTS).where(
    _DRAFTS.c.actor == bindparam("actor"),
    _DRAFTS.c.subject == bindparam("subject"),
    _DRAFTS.c.clinic == bindparam("clinic"),
    _DRAFTS.c.eservice == bindparam("eservice"),
)
_OPEN_DRAFT = _OWNERS_DRAFTS.where(_DRAFTS.c.status == "open").order_by(_DRAFTS.c.id.desc()).limit(1)
_SENT_DRAFT = (
    _OWNERS_DRAFTS.where(_DRAFTS.c.status == "sent").order_by(_DRAFTS.c.updated_at.desc(), _DRAFTS.c.id.desc()).limit(1)
)
_DRAFT_BY_KEY = select(_DRAFTS).where(
    _DRAFTS.c.key == bindparam("key"), _DRAFTS.c.actor == bindparam("actor"), _DRAFTS.c.subject == bindparam("subject")
)
_CASES = Case.__table__
_CASES_ABOUT = (
    select(_CASES).where(_CASES.c.subject == bindparam("subject")).order_by(_CASES.c.sent_at.desc(), _CASES.c.id.desc())
)

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to mix up on the phone


def new_reference(year: int) -> str:
    """A case reference such as HV-2026-7KQ2MX: short enough to read out on the phone."""
    tail = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"HV-{year}-{tail}"


class DraftRow(NamedTuple):
    """A draft as the pages read it: its stored columns, read-only.

    Every page of a form reads its draft and only reads it (writes go by id or key: merge_raw, send),
    so it is the plain read's row; making an ORM Draft of it cost about 0.04 ms a page.
    """

    id: int
    key: str
    actor: str
    subject: str
    clinic: str
    eservice: str
    status: str
    villkor_sha256: str
    villkor_approved_at: datetime.datetime
    raw: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime


@dataclass(frozen=True)
class Owner:
    """Who a draft belongs to: the logged-in person, and whom the case is about."""

    actor: str
    subject: str


@dataclass(frozen=True)
class CaseContent:
    """What a send stores besides the draft: the names and answers as the citizen saw them."""

    clinic_name: str
    eservice_name: str
    answers: dict[str, Any]
    summary: list[Any]
    clinic: str | None = None  # where the case arrives, when not the draft's mottagning (Patientnämnden)


class Store:
    """Drafts, cases and server-side sessions on one SQLAlchemy engine."""

    def __init__(self, engine: Engine, reference: Callable[[int], str] = new_reference) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._write_session = sessionmaker(writing(engine), expire_on_commit=False)
        self._reference = reference

    def _begin(self) -> Session:
        """A session for reading: its transaction never waits for a writer."""
        return self._session()

    def _write(self) -> Session:
        """A session whose transaction writes: it takes the write lock as it begins."""
        return self._write_session()

    # Sessions -------------------------------------------------------------------------------

    def load_session(self, token_hash: str) -> dict[str, Any] | None:
        """The data of the session stored under `token_hash`, or None: every request of the app reads it."""
        row = plain.first(self.engine, _SESSION_DATA, {"token_hash": token_hash})
        return None if row is None else dict(row[0])

    def save_session(self, token_hash: str, data: dict[str, Any]) -> None:
        saml_key = data.get("saml_key")  # kept in its own indexed column too, for the IdP's logout
        saml_key = saml_key if isinstance(saml_key, str) else None
        with self._write() as db, db.begin():
            row = db.get(WebSession, token_hash)
            if row is None:
                db.add(WebSession(token_hash=token_hash, data=data, saml_key=saml_key))
            else:
                row.data = data
                row.saml_key = saml_key
                row.seen_at = utcnow()

    def delete_session(self, token_hash: str) -> None:
        with self._write() as db, db.begin():
            db.execute(delete(WebSession).where(WebSession.token_hash == token_hash))

    def delete_sessions_named(self, saml_key: str) -> int:
        """End every session (citizen's or staff's) a SAML LogoutRequest names, on whichever node
        made it: sessions are rows here, so this node can delete another node's. By the indexed
        `saml_key` column: one index lookup, however many sessions there are. Returns how many."""
        with writing(self.engine).begin() as connection:
            ended = connection.execute(SESSIONS_NAMED, {"saml_key": saml_key})
        return int(ended.rowcount or 0)

    # Drafts ---------------------------------------------------------------------------------

    def open_draft(self, owner: Owner, clinic: str, eservice: str) -> DraftRow | None:
        """The draft this owner is writing for this e-service, if any."""
        return self._newest_draft(owner, clinic, eservice, "open")

    def _newest_draft(self, owner: Owner, clinic: str, eservice: str, status: str) -> DraftRow | None:
        # Every page of a form reads its draft: on the plain read path, without an ORM session per
        # read (a third of a form page's time went to the ORM).
        query = _OPEN_DRAFT if status == "open" else _SENT_DRAFT
        params = {"actor": owner.actor, "subject": owner.subject, "clinic": clinic, "eservice": eservice}
        return _draft(plain.first(self.engine, query, params))

    def draft_by_key(self, owner: Owner, key: str) -> DraftRow | None:
        params = {"key": key, "actor": owner.actor, "subject": owner.subject}
        return _draft(plain.first(self.engine, _DRAFT_BY_KEY, params))

    def approve_villkor(
        self, owner: Owner, clinic: str, eservice: str, villkor_sha256: str, at: datetime.datetime
    ) -> Draft:
        """Record the approval on the open draft, starting one if there is none.

        Approving a changed villkor text keeps the answers but records the new text's hash, so the
        case always names the version that was actually approved.
        """
        with self._write() as db, db.begin():
            draft = db.scalars(
                select(Draft).where(
                    Draft.actor == owner.actor,
                    Draft.subject == owner.subject,
                    Draft.clinic == clinic,
                    Draft.eservice == eservice,
                    Draft.status == "open",
                )
            ).first()
            if draft is None:
                draft = Draft(
                    key=secrets.token_urlsafe(24),
                    actor=owner.actor,
                    subject=owner.subject,
                    clinic=clinic,
                    eservice=eservice,
                    raw={},
                )
                db.add(draft)
            draft.villkor_sha256 = villkor_sha256
            draft.villkor_approved_at = at
            draft.updated_at = utcnow()
            return draft

    def merge_raw(
        self,
        draft_id: int,
        changes: Mapping[str, Any],
        tidy: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        """Apply one page's `changes` (None removes a key) to the draft's answers as stored now.

        The draft is one per citizen and journey, so two windows may save different pages at once;
        each read the draft before the other wrote. Merging into the row read inside the write
        transaction (locked: BEGIN IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL) keeps both pages'
        answers, where writing back the whole draft as the request had read it would lose one.
        `tidy` runs on the merged answers in the same transaction (dropping pages that no longer
        apply depends on what the other pages say now, not on what this request read).
        """
        with self._write() as db, db.begin():
            draft = db.scalars(select(Draft).where(Draft.id == draft_id).with_for_update()).first()
            if draft is None or draft.status != "open":
                return
            raw = dict(draft.raw)
            for key, value in changes.items():
                if value is None:
                    raw.pop(key, None)
                else:
                    raw[key] = value
            draft.raw = tidy(raw) if tidy is not None else raw
            draft.updated_at = utcnow()

    # Cases ----------------------------------------------------------------------------------

    def send(
        self,
        draft: Draft | DraftRow,
        content: CaseContent,
        at: datetime.datetime | None = None,
        due_at: datetime.datetime | None = None,
    ) -> Case:
        """Store the case for `draft` exactly once and return it (the earlier one on a repeat).

        `due_at` (naive UTC) is when the mottagning must have answered (forms.platform.workdays).
        """
        sent_at = at or utcnow()
        for _attempt in range(10):
            existing = self.case_by_key(draft.key)
            if existing is not None:
                return existing
            try:
                with self._write() as db, db.begin():
                    case = Case(
                        reference=self._reference(sent_at.year),
                        idempotency_key=draft.key,
                        draft_id=draft.id,
                        actor=draft.actor,
                        subject=draft.subject,
                        clinic=content.clinic or draft.clinic,
                        clinic_name=content.clinic_name,
                        eservice=draft.eservice,
                        eservice_name=content.eservice_name,
                        villkor_sha256=draft.villkor_sha256,
                        villkor_approved_at=draft.villkor_approved_at,
                        answers=content.answers,
                        summary=content.summary,
                        sent_at=sent_at,
                        due_at=due_at,
                    )
                    db.add(case)
                    row = db.get(Draft, draft.id)
                    if row is not None:
                        row.status = "sent"
                        row.raw = {}  # the case holds the answers now; the draft keeps no copy
                        row.updated_at = sent_at
                return case
            except IntegrityError:
                continue  # the same draft sent by a parallel request, or a reference collision
        raise RuntimeError("could not store the case")  # pragma: no cover - ten collisions in a row

    def case_by_key(self, key: str) -> Case | None:
        with self._begin() as db:
            return db.scalars(select(Case).where(Case.idempotency_key == key)).first()

    def case_for_draft(self, draft_id: int) -> Case | None:
        with self._begin() as db:
            return db.scalars(select(Case).where(Case.draft_id == draft_id)).first()

    def case_by_reference(self, reference: str) -> Case | None:
        with self._begin() as db:
            return db.scalars(select(Case).where(Case.reference == reference)).first()

    def cases_about(self, subject: str) -> list[Case]:
        """The cases about one person, newest first: their inbox."""
        return [Case(**row._asdict()) for row in plain.rows(self.engine, _CASES_ABOUT, {"subject": subject})]

    def latest_sent_draft(self, owner: Owner, clinic: str, eservice: str) -> DraftRow | None:
        """The most recently sent draft for this e-service, to send a repeated POST to its receipt."""
        return self._newest_draft(owner, clinic, eservice, "sent")


def _draft(row: Any) -> DraftRow | None:
    return None if row is None else DraftRow(**row._asdict())
