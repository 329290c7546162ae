"""The Patientnämnden unit on the staff side: its name, and the mottagning each of its cases concerns.

The unit (site.yaml `patientnamnden`) has no contact page, so no clinic file names it: its name
comes from site.yaml too. Its cases are stored under its own slug (forms.cases.recipient); the
mottagning a case concerns is the one the citizen wrote from, which the case's draft keeps
(`drafts.clinic`, deleted only with the case), so nothing of it is copied into the case. Only the
unit's pages ask: for the mottagning's own cases that is the mottagning itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from forms.platform.services import services
from forms.store.db import Case, Draft


def unit_names() -> dict[str, str]:
    """The unit's slug → its name, as the staff pages name a mottagning; empty without a unit."""
    site = services().content.site
    return {site.patientnamnden: site.patientnamnden_name} if site.patientnamnden else {}


def is_unit(clinic: str) -> bool:
    return clinic == services().content.site.patientnamnden


def concerned(connection: Connection, clinic: str, references: Iterable[str]) -> dict[str, str]:
    """Reference → the name of the mottagning each of the unit's cases concerns ("Gäller: …")."""
    wanted = list(references)
    if not wanted or not is_unit(clinic):
        return {}
    rows = connection.execute(
        select(Case.reference, Draft.clinic)
        .join(Draft, Draft.id == Case.draft_id)
        .where(Case.clinic == clinic, Case.reference.in_(wanted))
    ).all()
    clinics = services().content.clinics
    return {row.reference: clinics[row.clinic].name if row.clinic in clinics else row.clinic for row in rows}
