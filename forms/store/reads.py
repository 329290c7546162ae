"""Which inbox entries the citizen has not read: the entry's `read_at` against the mottagning's messages.

An entry is unread until it is opened in the inbox, and unread again when the mottagning writes to
it afterwards (an answer or a delsvar), so a new answer is never missed among old entries. The
citizen's own reply does not make their entry unread. Whoever opens it, the person or a guardian
acting for that child, reads it for both: they share one inbox.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from sqlalchemy import Engine, func, select, update

from forms.store.db import Case, CaseEvent
from forms.store.engine import writing

FROM_THE_MOTTAGNING = ("answer", "delsvar", "message")  # event kinds (forms.staff.rules) the citizen has to read


def unread(engine: Engine, cases: Iterable[Case]) -> set[int]:
    """The ids of those of `cases` that are unread: one query for the whole inbox."""
    listed = {case.id: case.read_at for case in cases}
    if not listed:
        return set()
    never = {case_id for case_id, read_at in listed.items() if read_at is None}
    opened = sorted(set(listed) - never)
    if not opened:
        return never
    latest = (
        select(CaseEvent.case_id, func.max(CaseEvent.at))
        .where(CaseEvent.case_id.in_(opened), CaseEvent.kind.in_(FROM_THE_MOTTAGNING))
        .group_by(CaseEvent.case_id)
    )
    with engine.connect() as connection:
        rows = connection.execute(latest).all()
    newer = {case_id for case_id, at in rows if at is not None and at > listed[case_id]}
    return never | newer


def mark_read(engine: Engine, case_id: int, at: datetime.datetime) -> None:
    """Record that the entry was opened at `at` (naive UTC, from the app's clock)."""
    with writing(engine).connect() as connection, connection.begin():
        connection.execute(update(Case).where(Case.id == case_id).values(read_at=at))
