"""Lämna synpunkter och klagomål: "Vem vill du lämna dina synpunkter till?" and the routing.

CONTRACT section 9. When site.yaml names a Patientnämnden unit, the e-service's form starts with
sitegen.content.recipient's question, as a page of the form (so it has the error summary, the
"Ändra" link and the back links of every page). A case answered "Patientnämnden" is stored at the
unit (`cases.clinic` is the unit's slug), so no query of the mottagning's side ever finds it; the
mottagning it concerns is the one the citizen started from, which its draft keeps (`drafts.clinic`,
see forms.staff.concerns). Without a unit in site.yaml the question is not asked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sitegen.content.models import Site
from sitegen.content.recipient import ESERVICE_ID, PAGE, QUESTION_ID, TO_PATIENTNAMNDEN, unit_clinic_name
from sitegen.site.resolve import ResolvedEService

__all__ = ["unit_clinic_name", "unit_for", "with_recipient"]


def with_recipient(eservice: ResolvedEService, site: Site) -> ResolvedEService:
    """The e-service with the recipient question first, where it applies; else unchanged."""
    if site.patientnamnden is None or eservice.kind != "central" or eservice.id != ESERVICE_ID:
        return eservice
    assert eservice.form is not None
    form = eservice.form.model_copy(update={"pages": [PAGE, *eservice.form.pages]})
    return dataclasses.replace(eservice, form=form)


def unit_for(site: Site, eservice: ResolvedEService, answers: Mapping[str, Any]) -> str | None:
    """The unit's slug when this case goes to Patientnämnden; None when it goes to the mottagning."""
    if site.patientnamnden is None or eservice.kind != "central" or eservice.id != ESERVICE_ID:
        return None
    return site.patientnamnden if answers.get(QUESTION_ID) == TO_PATIENTNAMNDEN else None
