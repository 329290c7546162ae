"""One database session for all the reads of one staff page.

A case page reads the case, its history, the mottagning's handlers and standardsvar; each read in
a session of its own cost a pool checkout, a BEGIN and a ROLLBACK (about 1 ms apiece under load),
more than the queries themselves. The functions that read take an engine (a session of their own,
as before) or the page's session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session


@contextmanager
def reading(source: Engine | Session) -> Iterator[Session]:
    """The page's session when given one (left open for the caller), else a session of its own."""
    if isinstance(source, Session):
        yield source
        return
    with Session(source) as db:
        yield db
