"""The case store's tables (SQLAlchemy 2 models; the engine and migrations are forms/store/engine.py).

Tables: server-side sessions (so a cookie is only a random key and logout really ends it), drafts
(answers kept between pages, per citizen and e-service), cases (what was sent) and the rate-limit
counters that every gunicorn worker shares; for the mottagning's side (migration 0003) the case's
status, history (`case_events`), staff and their roles, standardsvar, the append-only access log,
and the notice outbox with the citizens' contact details. The UNIQUE constraint on `cases.idempotency_key` is
what makes a send happen exactly once, even for two simultaneous POSTs.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints and indexes: migrations can then refer to them by name on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}





def utcnow() -> datetime.datetime:
    """Now, in UTC, naive: every time in the store is UTC, whatever the database's own zone."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012 - SQLAlchemy's API


class WebSession(Base):
    """One browser session. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    seen_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # A SAML login's name for the session (forms.identity.saml.slo.saml_key, a SHA-256): an IdP's
    # LogoutRequest finds the session by this index, not by scanning every session's JSON.
    saml_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class Draft(Base):
    """A case being written: villkor approval and the answers typed so far, page by page."""

    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_owner", "actor", "subject", "clinic", "eservice", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # also the case's idempotency key
    actor: Mapped[str] = mapped_column(String(13))  # personnummer of who is logged in
    subject: Mapped[str] = mapped_column(String(13))  # whom the case is about: actor or a child
    clinic: Mapped[str] = mapped_column(String(200))
    eservice: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | sent
    villkor_sha256: Mapped[str] = mapped_column(String(64))
    villkor_approved_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)  # page index → what was posted
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Case(Base):
    """A sent case, with a snapshot of exactly what the citizen saw and sent."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), unique=True)
    actor: Mapped[str] = mapped_column(String(13))
    subject: Mapped[str] = mapped_column(String(13), index=True)
    clinic: Mapped[str] = mapped_column(String(200))
    clinic_name: Mapped[str] = mapped_column(Text)
    eservice: Mapped[str] = mapped_column(String(200))
    eservice_name: Mapped[str] = mapped_column(Text)
    villkor_sha256: Mapped[str] = mapped_column(String(64))
    villkor_approved_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    answers: Mapped[dict[str, Any]] = mapped_column()  # question id → value, for the mottagning
    summary: Mapped[list[Any]] = mapped_column()  # the check page as sent: pages, labels, values
    sent_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # The mottagning's side (forms.staff): where the case stands. `version` grows with every staff
    # change, so two staff acting on one case at once cannot both win (optimistic concurrency).
    status: Mapped[str] = mapped_column(String(12), default="Ny", server_default="Ny")
    handler: Mapped[str | None] = mapped_column(String(40), nullable=True)  # HSA-id it is distributed to
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    due_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)  # end of the working day
    responded_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)  # answer or delsvar
    # When the citizen (or their guardian) last opened it in the inbox: unread before (forms.store.reads).
    read_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)  # migration 0008
    # "in": sent by the citizen; "out": started by the mottagning (omvänt ärendeflöde, forms.staff.outgoing).
    direction: Mapped[str] = mapped_column(String(3), default="in", server_default="in")  # migration 0012


Index("ix_cases_clinic_due", Case.clinic, Case.due_at, Case.id)
Index("ix_cases_clinic_handler_due", Case.clinic, Case.handler, Case.due_at)
Index("ix_cases_clinic_status", Case.clinic, Case.status)  # the staff list's count (migration 0005)
# The uppföljning's weeks (forms.staff.followup), covering: every column its count reads is in the
# index, so a mottagning's cases are counted without reading the table (migration 0015).
Index("ix_cases_followup", Case.clinic, Case.sent_at, Case.eservice, Case.direction, Case.due_at,
      Case.responded_at, Case.status)


class CaseEvent(Base):
    """One thing done to a case: its history, and the answers, delsvar and replies the citizen sees.

    `kind` is one of forms.staff's event kinds; only `answer`, `delsvar` and `reply` are ever shown
    to the citizen (an internal note never is). Deleted with its case (retention).
    """

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(40), nullable=True)  # HSA-id; None: the citizen
    author_name: Mapped[str] = mapped_column(Text, default="")
    author_title: Mapped[str] = mapped_column(Text, default="")
    asks_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime.datetime] = mapped_column(DateTime)


class StaffMember(Base):
    """A member of staff as the staff login knows them; the name and title sign their answers."""

    __tablename__ = "staff_members"

    hsa_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")


class StaffRole(Base):
    """One role of one person at one mottagning (seed 003); kept by the lokal administratör."""

    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("hsa_id", "clinic", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsa_id: Mapped[str] = mapped_column(ForeignKey("staff_members.hsa_id"), index=True)
    clinic: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(40))


class StandardAnswer(Base):
    """A mottagning's standardsvar: the start of an answer. Retired ones stay for the history."""

    __tablename__ = "standard_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    # The ids of the e-services it fits, space-separated; empty: every e-service (migration 0011).
    eservices: Mapped[str] = mapped_column(Text, default="", server_default="")


class MessageTemplate(Base):
    """A mottagning's mall: the start of a message to a citizen (omvänt ärendeflöde), kept by the
    lokal administratör beside the standardsvar and in the same way (forms.staff.standard)."""

    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    # Preselected when staff use the mall: a mall whose text promises a booking link names the
    # time type of its kallelse (empty: none), and one that asks a question asks for the reply.
    kallelse: Mapped[str] = mapped_column(String(100), default="", server_default="")
    asks_reply: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Kallelse(Base):
    """An invitation to book one time of one time type, sent with a message to a citizen.

    Only the SHA-256 of its link's token is stored (the token is an HMAC of `nonce` under the
    app's secret key, made again when the citizen's case page shows the link). `spent_at` and
    `booking_id` are set in the booking's own transaction, by an UPDATE … WHERE spent_at IS NULL:
    one kallelse books at most one time, however many requests race (forms.booking.kallelse).
    """

    __tablename__ = "kallelser"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    clinic: Mapped[str] = mapped_column(String(200))
    personnummer: Mapped[str] = mapped_column(String(13))
    time_type: Mapped[str] = mapped_column(String(100))
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    spent_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    booking_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AccessLogEntry(Base):
    """One staff read, list, change, login or refusal. Append-only: database triggers refuse
    UPDATE and DELETE (migration 0003), and retention never touches it."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_personnummer_at", "personnummer", "at"),
        Index("ix_access_log_hsa_id_at", "hsa_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime.datetime] = mapped_column(DateTime)
    hsa_id: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(200), default="")
    clinic: Mapped[str] = mapped_column(String(200), default="")
    personnummer: Mapped[str | None] = mapped_column(String(13), nullable=True)
    case_reference: Mapped[str | None] = mapped_column(String(20), nullable=True)  # not a key: outlives the case
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    # The medarbetaruppdrag (commission HSA-id) the staff IdP sent with the login (migration 0010).
    commission_hsa_id: Mapped[str | None] = mapped_column(String(40), nullable=True)


class ContactDetails(Base):
    """A citizen's "Mina uppgifter": where notices go. Both optional; only validated values."""

    __tablename__ = "contact_details"

    personnummer: Mapped[str] = mapped_column(String(13), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    mobile: Mapped[str | None] = mapped_column(String(20), nullable=True)  # E.164, +46…
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime)


class Notice(Base):
    """One message to send on one channel for one event: the outbox (forms.notices).

    UNIQUE (event_key, channel): one event never makes two notices on a channel. The address is
    looked up when sending, so a number removed under "Mina uppgifter" is not written to.
    """

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("event_key", "channel"),
        Index("ix_notices_due", "sent_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))  # email | sms
    personnummer: Mapped[str] = mapped_column(String(13), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime.datetime] = mapped_column(DateTime)  # not_before, then the back-off
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class SeedMark(Base):
    """A demo seed that has been done: its primary key makes it happen once across workers."""

    __tablename__ = "seed_marks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    at: Mapped[datetime.datetime] = mapped_column(DateTime)


class RateLimitCounter(Base):
    """One fixed-window counter of the rate limiter (forms.platform.ratelimit), shared by all workers.

    The key is the limiter's own (limit, scope and a keyed hash of who), never a personnummer.
    """

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # Unix time, as the limits library counts


class SamlRequest(Base):
    """An AuthnRequest sent and not yet answered (migration 0010).

    The IdP answers by a cross-site POST that carries no SameSite=Lax cookie, so the request is
    bound to the browser here instead: the SHA-256 of a random value in a cookie of its own
    (SameSite=None). Any node can take the answer; `used` makes each request answerable once.
    """

    __tablename__ = "saml_requests"

    request_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    side: Mapped[str] = mapped_column(String(10))  # citizen | staff
    binding_hash: Mapped[str] = mapped_column(String(64))
    idp: Mapped[str] = mapped_column(String(500))  # the entity ID the request was sent to
    target: Mapped[str] = mapped_column(String(500), default="")  # where to go after login (a checked path)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)


class SamlAssertion(Base):
    """The ID of every assertion accepted, until it has expired: a replay is refused on every node
    by the primary key (migration 0010)."""

    __tablename__ = "saml_assertions"

    assertion_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)
