"""The case store's tables, engine and schema migrations (SQLAlchemy 2 and Alembic).

Tables: server-side sessions (so a cookie is only a random key and logout really ends it), drafts
(answers kept between pages, per citizen and e-service), cases (what was sent) and the rate-limit
counters that every gunicorn worker shares; for the mottagning's side (migration 0003) the case's
status, history (`case_events`), staff and their roles, standardsvar, the append-only access log,
and the notice outbox with the citizens' contact details. The UNIQUE constraint on `cases.idempotency_key` is
what makes a send happen exactly once, even for two simultaneous POSTs.

Durability on SQLite (the default store) is set on every connection as it is opened: WAL, so
readers and the one writer work side by side; `synchronous=FULL`, so a commit is on disk before
the citizen sees a receipt; and a write transaction starts with `BEGIN IMMEDIATE`, so it takes the
write lock at once and queues behind the busy timeout instead of failing half-way when a read
transaction tries to turn into a write. PostgreSQL, the production store, needs none of this.

The schema is owned by the Alembic migrations in `forms/store/migrations/`: `make_engine` brings the
database to the newest revision at start (under a lock, so several workers starting together do
it once), and operators can do it beforehand with `python -m forms.store upgrade`.
"""

from __future__ import annotations

import datetime
import functools
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool

# Named constraints and indexes: migrations can then refer to them by name on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# An execution option marking a connection whose transactions will write: on SQLite they begin
# with BEGIN IMMEDIATE. Reads begin with a plain (deferred) BEGIN and never wait for a writer.
WRITE_OPTION = "hittavard_write"

# Any 64-bit number, the same in every process: the PostgreSQL advisory lock held while migrating.
MIGRATION_LOCK_ID = 0x68_76_66_6F_72_6D_73  # "hvforms"

MIGRATIONS = Path(__file__).parent / "migrations"


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


Index("ix_cases_clinic_due", Case.clinic, Case.due_at, Case.id)
Index("ix_cases_clinic_handler_due", Case.clinic, Case.handler, Case.due_at)
Index("ix_cases_clinic_status", Case.clinic, Case.status)  # the staff list's count (migration 0005)


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


# Engine -------------------------------------------------------------------------------------------


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Durability and concurrency pragmas, on every new SQLite connection."""
    # The driver's own transaction handling would BEGIN (deferred) behind our back; take it over
    # so that _sqlite_begin decides how each transaction begins.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _wal(cursor)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _wal(cursor: Any) -> None:
    """Put the database in WAL mode (it stays so), waiting for the others on a new database.

    Workers starting at once on an empty file all ask for WAL; the switch needs the file to
    itself, and SQLite answers "database is locked" at once instead of waiting its busy timeout.
    A database already in WAL mode needs no switch, so only that first moment ever waits here.
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite_begin(connection: Connection) -> None:
    """BEGIN IMMEDIATE for a write transaction (it queues for the lock up front), else BEGIN."""
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def writing(engine: Engine) -> Engine:
    """The same engine (same pool) for transactions that write: BEGIN IMMEDIATE on SQLite."""
    return engine.execution_options(**{WRITE_OPTION: True})


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, migrate: bool = True) -> Engine:
    """An engine for `url`, with the schema brought to the newest migration unless told not to."""
    kwargs: dict[str, Any] = {}
    sqlite = url.startswith("sqlite")
    if sqlite:
        kwargs["connect_args"] = {"check_same_thread": False}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True  # a database server restarted under us: reconnect, don't fail a send
    engine = create_engine(url, **kwargs)
    if sqlite:
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    if migrate:
        upgrade(engine)
    return engine


# Migrations ---------------------------------------------------------------------------------------

BUSY_TIMEOUT_MS = 10_000  # how long a request waits for another write before it fails
MIGRATION_WAIT_MS = 300_000  # how long a starting worker waits for another worker's migration
INITIAL_REVISION = "0001"  # the schema as it was before Alembic: what an older database is stamped with


def alembic_config(connection: Connection | None = None) -> Any:
    """Alembic's configuration for forms/store/migrations, without an alembic.ini to keep in step."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@functools.lru_cache(maxsize=1)
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()  # type: ignore[no-any-return]


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """One transaction holding a lock that every other migrating process waits for."""
    with writing(engine).connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # Waiting for another worker's migration is waiting for all of it, which on a busy
            # machine takes longer than the busy timeout a request should wait for a write.
            connection.connection.driver_connection.execute(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
        try:
            with connection.begin():
                # SQLite: the write transaction began IMMEDIATE, which is the lock. PostgreSQL: an
                # advisory lock released at commit. Other databases are on their own.
                if engine.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
                yield connection
        finally:
            if sqlite:
                connection.connection.driver_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`, once, however many workers start at the same moment."""
    from alembic import command

    if revision == "head":
        with engine.connect() as connection:
            if current_revision(connection) == head_revision():
                return  # the usual start: nothing to do, no lock taken
    with _migration_lock(engine) as connection:
        tables = set(inspect(connection).get_table_names())
        if "cases" in tables and "alembic_version" not in tables:
            # Created before the migrations existed, by create_all: it has the initial schema.
            command.stamp(alembic_config(connection), INITIAL_REVISION)
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with _migration_lock(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def default_database_url() -> str:
    """FORMS_DATABASE_URL, or the SQLite file in the instance folder that the app uses by default."""
    url = os.environ.get("FORMS_DATABASE_URL")
    if url:
        return url
    from flask import Flask

    instance = Path(Flask("forms", root_path=str(Path(__file__).parent)).instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance / 'forms.sqlite3'}"
