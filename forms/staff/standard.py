"""A mottagning's standardsvar and mallar: texts an answer (standardsvar) or a message to a citizen
(mall, omvänt ärendeflöde) may start from, kept by the lokal administratör.

Both are the same kind of thing in tables of the same shape, so one set of functions keeps both:
`model` names the table (StandardAnswer by default), `action` the access-log action.
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
from forms.store.db import MessageTemplate, StandardAnswer
from forms.store.engine import writing

MAX_TITLE = 200
MAX_TEXT = 5000
Kept = type[StandardAnswer] | type[MessageTemplate]


def _naive(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def listing(
    source: Engine | Session, clinic: str, include_retired: bool = False, model: Kept = StandardAnswer
) -> list[StandardAnswer] | list[MessageTemplate]:
    statement = select(model).where(model.clinic == clinic)
    if not include_retired:
        statement = statement.where(model.retired.is_(False))
    with reading(source) as db:
        return list(db.scalars(statement.order_by(model.retired, model.title)))


def get(
    engine: Engine, clinic: str, answer_id: int, model: Kept = StandardAnswer
) -> StandardAnswer | MessageTemplate | None:
    """The mottagning's own one; None for another mottagning's (shown as 404) or none."""
    with reading(engine) as db:
        found = db.get(model, answer_id)
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
    model: Kept = StandardAnswer,
    action: str = "standardsvar",
) -> int:
    """Create (answer_id None) or change one; returns its id."""
    with writing(engine).begin() as connection:
        values = {"title": title, "text": text, "retired": retired, "updated_at": _naive(at)}
        if answer_id is None:
            answer_id = int(
                connection.execute(insert(model).values(clinic=clinic, **values)).inserted_primary_key[0]
            )  # type: ignore[index]
            what = "skapade"
        else:
            connection.execute(
                update(model)
                .where(model.id == answer_id, model.clinic == clinic)
                .values(**values)
            )
            what = "tog bort" if retired else "ändrade"
        accesslog.record(
            connection,
            at=at,
            hsa_id=by.hsa_id,
            role=by_roles,
            clinic=clinic,
            action=action,
            detail=f"{what} {answer_id}: {title}"[:200],
        )
    return answer_id
