"""Fewer pool checkouts and transactions per staff request.

Each read in a session of its own cost a pool checkout, a BEGIN and a ROLLBACK (about 1 ms apiece
under load), more than the queries themselves. The functions that read take an engine (a session
of their own) or a session (`reading`); a logged read (case list, case page) does all of its work,
from the staff session to the access-log row, on the request's one connection
(`request_connection`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import g, request
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from forms.platform.services import services
from forms.store.engine import writing


@contextmanager
def reading(source: Engine | Session) -> Iterator[Session]:
    """The page's session when given one (left open for the caller), else a session of its own."""
    if isinstance(source, Session):
        yield source
        return
    with Session(source) as db:
        yield db


# One connection for a logged read ---------------------------------------------------------------

# Views that read and write their access-log row: they are given the request's connection, in the
# transaction that read the staff session (`logs_reads`).
LOGGED_READS: set[str] = set()


def logs_reads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a staff view (GET) that reads cases and writes its access-log row."""
    LOGGED_READS.add(f"staff.{view.__name__}")
    return view


def request_connection() -> Connection:
    """The connection every staff request reads its session (and person and roles) on.

    For a GET of a logged read (a case list, a case page) it is in a write transaction from the
    start (BEGIN IMMEDIATE on SQLite), which the view goes on to use (`request_transaction`): the
    session, the page's reads and the access-log row in one pool checkout and one transaction. On
    PostgreSQL that is three round trips fewer per request (a second checkout's ping, a ROLLBACK
    and a second BEGIN), each costing CPU on both the app's and the database's side; on SQLite it
    holds the write lock from the session read on, a few tenths of a millisecond more.
    Any other request reads in a read transaction, closed at the end of the staff `before` hook.
    """
    connection = g.get("staff_connection")
    if connection is None:
        engine = services().store.engine
        connection = writing(engine).connect() if keeps_connection() else engine.connect()
        connection.begin()
        g.staff_connection = connection
    return connection  # type: ignore[no-any-return]


def keeps_connection() -> bool:
    """True when the request's connection stays open for the view (a logged read; HEAD runs the
    GET view)."""
    return request.method in ("GET", "HEAD") and request.endpoint in LOGGED_READS


@contextmanager
def request_transaction() -> Iterator[Connection]:
    """The request's transaction for a logged read: committed at the end, then closed."""
    connection = request_connection()
    try:
        yield connection
        connection.commit()
    finally:
        close_request_connection()


def close_request_connection(_error: BaseException | None = None) -> None:
    """Roll back what was not committed and give the connection back to the pool.

    Before anything else writes in this request: an in-memory SQLite database has a single
    connection, on which another transaction cannot begin while this one is open.
    """
    connection = g.pop("staff_connection", None)
    if connection is not None:
        connection.close()
