"""A mottagning's standardsvar: texts an answer may start from, kept by the lokal administratör.

Retired ones are kept (an answer already sent may have started from one) but no longer offered.
A standardsvar may be for some of the mottagning's e-services only: offered on every case, "Intyget
skickas med post" stood first (and so chosen) on a Förnya recept case. Every change is written to
the access log in the same transaction.
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
from sitegen.content.bundle import Content
from sitegen.content.models import LocalEntry, UseEntry
from sitegen.site.resolve import resolve_entry

MAX_TITLE = 200
MAX_TEXT = 5000


def fits(eservices: str, eservice: str) -> bool:
    """Whether a standardsvar kept for `eservices` (space-separated ids; empty: all) fits a case of
    `eservice`."""
    return not eservices.split() or eservice in eservices.split()


def eservice_choices(content: Content, clinic: str) -> list[tuple[str, str]]:
    """The mottagning's own e-services, which make its cases, as (id, name): what a standardsvar
    may be for."""
    found = content.clinics.get(clinic)
    entries = found.eservices if found is not None else []
    return [
        (resolved.id, resolved.name)
        for resolved in (resolve_entry(content, clinic, e) for e in entries if isinstance(e, (UseEntry, LocalEntry)))
        if resolved.id is not None
    ]


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
    eservices: list[str],
    by: StaffPerson,
    by_roles: str,
    at: datetime.datetime,
) -> int:
    """Create (answer_id None) or change one; returns its id."""
    with writing(engine).begin() as connection:
        values = {
            "title": title,
            "text": text,
            "retired": retired,
            "eservices": " ".join(eservices),
            "updated_at": _naive(at),
        }
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
