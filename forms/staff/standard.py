"""A mottagning's standardsvar and mallar: texts an answer (standardsvar) or a message to a citizen
(mall, omvänt ärendeflöde) may start from, kept by the lokal administratör.

Both are the same kind of thing in tables of the same shape, so one set of functions keeps both:
`model` names the table (StandardAnswer by default), `action` the access-log action.
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
from forms.store.db import MessageTemplate, StandardAnswer
from forms.store.engine import writing
from sitegen.content.bundle import Content
from sitegen.content.models import LocalEntry, UseEntry
from sitegen.site.resolve import resolve_entry

MAX_TITLE = 200
MAX_TEXT = 5000
Kept = type[StandardAnswer] | type[MessageTemplate]


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
    eservices: list[str] | None,
    by: StaffPerson,
    by_roles: str,
    at: datetime.datetime,
    model: Kept = StandardAnswer,
    action: str = "standardsvar",
    preset: dict[str, str | bool] | None = None,
) -> int:
    """Create (answer_id None) or change one; returns its id. `preset` is a mall's kallelse and
    asks_reply (preselected when staff use it); a standardsvar has none."""
    with writing(engine).begin() as connection:
        values: dict[str, object] = {
            "title": title,
            "text": text,
            "retired": retired,
            "updated_at": _naive(at),
        }
        if eservices is not None:  # a standardsvar names the e-services it is for; a mall does not
            values["eservices"] = " ".join(eservices)
        values |= preset or {}
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
