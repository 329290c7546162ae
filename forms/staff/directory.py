"""Staff and their roles per mottagning, as the app's database keeps them.

The lokal administratör changes roles on the "Roller" page, never her own (a second administrator
does), and never so that one person is granskare and ärendemottagare or ärendehanterare at one
mottagning; every change is written to the access log in the same transaction, every refusal too.
People come into `staff_members` from the demo file's `staff:` list
(forms.staff.seed) or, in production, at their first SITHS login (`remember`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from forms.identity.staff import StaffPerson
from forms.staff import accesslog
from forms.staff.reads import reading
from forms.staff.rules import APART, HANDLER, ROLES, auditor_apart
from forms.store.db import StaffMember, StaffRole
from forms.store.engine import writing


@dataclass(frozen=True)
class Member:
    person: StaffPerson
    roles: frozenset[str]


def person(source: Engine | Session, hsa_id: str) -> StaffPerson | None:
    with reading(source) as db:
        row = db.execute(
            select(StaffMember.hsa_id, StaffMember.name, StaffMember.title).where(StaffMember.hsa_id == hsa_id)
        ).first()
    return StaffPerson(row.hsa_id, row.name, row.title) if row else None


def names_of(source: Engine | Session, hsa_ids: Collection[str]) -> dict[str, str]:
    """HSA-id → name for those the directory knows: the access log shows who beside each id."""
    if not hsa_ids:
        return {}
    with reading(source) as db:
        rows = db.execute(
            select(StaffMember.hsa_id, StaffMember.name).where(StaffMember.hsa_id.in_(sorted(set(hsa_ids))))
        ).all()
    return {row.hsa_id: row.name for row in rows}


def remember(engine: Engine, who: StaffPerson) -> None:
    """Keep the name and title the identity provider gave (they sign answers)."""
    with writing(engine).begin() as connection:
        found = connection.execute(select(StaffMember.hsa_id).where(StaffMember.hsa_id == who.hsa_id)).first()
        if found is None:
            connection.execute(insert(StaffMember).values(hsa_id=who.hsa_id, name=who.name, title=who.title))
        else:
            connection.execute(
                update(StaffMember).where(StaffMember.hsa_id == who.hsa_id).values(name=who.name, title=who.title)
            )


def person_and_roles(source: Engine | Session, hsa_id: str) -> tuple[StaffPerson, dict[str, frozenset[str]]] | None:
    """The person and their roles in one query: what every staff request needs first."""
    with reading(source) as db:
        rows = db.execute(
            select(StaffMember.hsa_id, StaffMember.name, StaffMember.title, StaffRole.clinic, StaffRole.role)
            .outerjoin(StaffRole, StaffRole.hsa_id == StaffMember.hsa_id)
            .where(StaffMember.hsa_id == hsa_id)
        ).all()
    if not rows:
        return None
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.clinic is not None:
            found[row.clinic].add(row.role)
    first = rows[0]
    return StaffPerson(first.hsa_id, first.name, first.title), {c: frozenset(r) for c, r in found.items()}


def roles_of(engine: Engine, hsa_id: str) -> dict[str, frozenset[str]]:
    """Mottagning slug → this person's roles there."""
    found: dict[str, set[str]] = defaultdict(set)
    with engine.connect() as connection:
        for clinic, role in connection.execute(
            select(StaffRole.clinic, StaffRole.role).where(StaffRole.hsa_id == hsa_id)
        ):
            found[clinic].add(role)
    return {clinic: frozenset(roles) for clinic, roles in found.items()}


def members(source: Engine | Session, clinic: str) -> list[Member]:
    """Everyone with a role at the mottagning, by name."""
    with reading(source) as db:
        rows = db.execute(
            select(StaffMember.hsa_id, StaffMember.name, StaffMember.title, StaffRole.role)
            .join(StaffRole, StaffRole.hsa_id == StaffMember.hsa_id)
            .where(StaffRole.clinic == clinic)
        ).all()
    people: dict[str, StaffPerson] = {}
    roles: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        people[row.hsa_id] = StaffPerson(row.hsa_id, row.name, row.title)
        roles[row.hsa_id].add(row.role)
    ordered = sorted(people.values(), key=lambda p: (p.name, p.hsa_id))
    return [Member(p, frozenset(roles[p.hsa_id])) for p in ordered]


def handlers(source: Engine | Session, clinic: str) -> list[StaffPerson]:
    """Who a case can be distributed to: the mottagning's ärendehanterare."""
    return [m.person for m in members(source, clinic) if HANDLER in m.roles]


class RoleChangeRefused(ValueError):
    """The change would break something; the message says what, in Swedish."""


SELF = "Du kan inte ändra dina egna roller. Be en annan lokal administratör att göra det."


def set_roles(
    engine: Engine,
    *,
    clinic: str,
    hsa_id: str,
    roles: set[str],
    by: StaffPerson,
    by_roles: str,
    at: datetime.datetime,
) -> bool:
    """Give `hsa_id` exactly `roles` at the mottagning; log the change. False when nothing changed.

    A refusal is logged too (in a transaction of its own: the change's was rolled back), so the
    granskare sees an administrator who tried to give herself a role.
    """
    try:
        return _set_roles(engine, clinic=clinic, hsa_id=hsa_id, roles=roles, by=by, by_roles=by_roles, at=at)
    except RoleChangeRefused as refusal:
        accesslog.append(
            engine, at=at, hsa_id=by.hsa_id, role=by_roles, clinic=clinic, action="role_change_refused",
            detail=f"{hsa_id}: {', '.join(sorted(roles)) or '-'}: {refusal}",
        )
        raise


def _set_roles(
    engine: Engine,
    *,
    clinic: str,
    hsa_id: str,
    roles: set[str],
    by: StaffPerson,
    by_roles: str,
    at: datetime.datetime,
) -> bool:
    unknown = roles - set(ROLES)
    if unknown:
        raise RoleChangeRefused("Okänd roll.")
    if hsa_id.upper() == by.hsa_id.upper():
        raise RoleChangeRefused(SELF)
    if not auditor_apart(roles):
        raise RoleChangeRefused(APART)
    with writing(engine).begin() as connection:
        # The person's row locked (FOR UPDATE; SQLite's BEGIN IMMEDIATE locks everything): two
        # administrators saving roles for one person at once take turns, so the second reads the
        # first's roles, and the set written is exactly what one of them chose, never a mix of both
        # (granskare from one, ärendemottagare from the other).
        member = select(StaffMember.hsa_id).where(StaffMember.hsa_id == hsa_id).with_for_update()
        if connection.execute(member).first() is None:
            raise RoleChangeRefused("Det finns ingen personal med det HSA-id:t.")
        before = {
            role
            for (role,) in connection.execute(
                select(StaffRole.role).where(StaffRole.hsa_id == hsa_id, StaffRole.clinic == clinic)
            )
        }
        if before == roles:
            return False
        connection.execute(
            delete(StaffRole).where(
                StaffRole.hsa_id == hsa_id, StaffRole.clinic == clinic, StaffRole.role.in_(sorted(before - roles))
            )
        )
        for role in sorted(roles - before):
            connection.execute(insert(StaffRole).values(hsa_id=hsa_id, clinic=clinic, role=role))
        accesslog.record(
            connection,
            at=at,
            hsa_id=by.hsa_id,
            role=by_roles,
            clinic=clinic,
            action="role_change",
            detail=f"{hsa_id}: {', '.join(sorted(before)) or '-'} -> {', '.join(sorted(roles)) or '-'}",
        )
    return True
