"""One database session for all the reads of one staff page.

A case page reads the case, its history, the mottagning's handlers and standardsvar; each read in
a session of its own cost a pool checkout, a BEGIN and a ROLLBACK (about 1 ms apiece under load),
more than the queries themselves. The functions that read take an engine (a session of their own,
as before) or the page's session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from forms.platform.services import services


@contextmanager
def reading(source: Engine | Session) -> Iterator[Session]:
    """The page's session when given one (left open for the caller), else a session of its own."""
    if isinstance(source, Session):
        yield source
        return
    with Session(source) as db:
        yield db


def request_session() -> Session:
    """The request's reading session for what every staff request reads first: its staff session,
    then the person and roles, in one pool checkout, one BEGIN and one ROLLBACK instead of two.

    Closed (`close_request_session`) at the end of the staff blueprint's `before` hook, before
    anything writes: an in-memory SQLite database has a single connection, on which a write
    transaction cannot begin while this one is open. Writes never go through it.
    """
    db = g.get("staff_reads")
    if db is None:
        db = Session(services().store.engine)
        g.staff_reads = db
    return db  # type: ignore[no-any-return]


def close_request_session(_error: BaseException | None = None) -> None:
    db = g.pop("staff_reads", None)
    if db is not None:
        db.close()
