"""The case store's tables and engine (SQLAlchemy 2).

Three tables: server-side sessions (so a cookie is only a random key and logout really ends it),
drafts (answers kept between pages, per citizen and e-service) and cases (what was sent). The
UNIQUE constraint on `cases.idempotency_key` is what makes a send happen exactly once, even for
two simultaneous POSTs.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool


def utcnow() -> datetime.datetime:
    """Now, in UTC, naive: every time in the store is UTC, whatever the database's own zone."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012 - SQLAlchemy's API


class WebSession(Base):
    """One browser session. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    seen_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


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
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


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
    sent_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Durability and concurrency for the default store: WAL lets readers and the writer work side
    # by side, FULL sync makes a sent case survive a power cut, and a busy timeout lets several
    # workers queue for the write lock instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the tables created if they do not exist yet."""
    kwargs: dict[str, Any] = {}
    is_sqlite = url.startswith("sqlite")
    if is_sqlite:
        kwargs["connect_args"] = {"check_same_thread": False}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        Base.metadata.create_all(engine)
    except OperationalError:
        # Several gunicorn workers starting at once: another one created the tables first.
        Base.metadata.create_all(engine)
    return engine
