"""A mottagning's standardsvar: texts an answer may start from, kept by the lokal administratör.

Retired ones are kept (an answer already sent may have started from one) but no longer offered.
Every change is written to the access log in the same transaction.
"""

from __future__ import annotations

import datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from forms.identity.staff import StaffPerson
from forms.staff import accesslog
from forms.staff.reads import reading
from forms.store.db import StandardAnswer
from forms.store.engine import writing

MAX_TITLE = 200
MAX_TEXT = 5000


def _naive(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def listing(source: Engine | Session, clinic: str, include_retired: bool = False) -> list[StandardAnswer]:
    statement = select(StandardAnswer).where(StandardAnswer.clinic == clinic)
    if not include_retired:
        statement = statement.where(StandardAnswer.retired.is_(False))
    with reading(source) as db:
        return list(db.scalars(statement.order_by(StandardAnswer.retired, StandardAnswer.title)))


def get(engine: Engine, clinic: str, answer_id: int) -> StandardAnswer | None:
    with reading(engine) as db:
        found = db.get(StandardAnswer, answer_id)
    return found if found is not None and found.clinic == clinic else None


def save(
    engine: Engine,
    *,
    clinic: str,
    answer_id: int | None,
    title: str,
    text: str,
    retired: bool,
    by: StaffPerson,
    by_roles: str,
    at: datetime.datetime,
) -> int:
    """Create (answer_id None) or change one; returns its id."""
    with writing(engine).begin() as connection:
        values = {"title": title, "text": text, "retired": retired, "updated_at": _naive(at)}
        if answer_id is None:
            answer_id = int(
                connection.execute(insert(StandardAnswer).values(clinic=clinic, **values)).inserted_primary_key[0]
            )  # type: ignore[index]
            what = "skapade"
        else:
            connection.execute(
                update(StandardAnswer)
                .where(StandardAnswer.id == answer_id, StandardAnswer.clinic == clinic)
                .values(**values)
            )
            what = "tog bort" if retired else "ändrade"
        accesslog.record(
            connection,
            at=at,
            hsa_id=by.hsa_id,
            role=by_roles,
            clinic=clinic,
            action="standardsvar",
            detail=f"{what} {answer_id}: {title}"[:200],
        )
    return answer_id
