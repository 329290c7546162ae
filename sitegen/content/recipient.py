"""The question the forms app asks before the pages of Lämna synpunkter och klagomål.

CONTRACT section 9: for this e-service the app first asks "Vem vill du lämna dina synpunkter
till?" (Mottagningen or Patientnämnden) and sends a case to Patientnämnden to the unit site.yaml
names. The question is the app's, not the catalogue file's, but the file's pages may depend on
its answer (`when: {recipient: Patientnämnden}`), so its definition lives here, where both the
content checks (formrules) and the app read it.
"""

from __future__ import annotations

from sitegen.content.models import Page, Question, Site

ESERVICE_ID = "lamna-synpunkter-och-klagomal"
QUESTION_ID = "recipient"
TO_CLINIC, TO_PATIENTNAMNDEN = "Mottagningen", "Patientnämnden"

QUESTION = Question(
    id=QUESTION_ID,
    type="choice",
    label="Välj mottagare",
    hint=(
        "Patientnämnden är fristående från vården. Den kan hjälpa dig om du inte vill vända dig till "
        "mottagningen, eller om du inte är nöjd med mottagningens svar. Mottagningen ser inte det du "
        "skickar till Patientnämnden."
    ),
    options=[TO_CLINIC, TO_PATIENTNAMNDEN],
)
PAGE = Page(title="Vem vill du lämna dina synpunkter till?", questions=[QUESTION])


def asked_first(eservice_id: str) -> dict[str, Question]:
    """The questions the app asks before this catalogue e-service's own pages, by id."""
    return {QUESTION_ID: QUESTION} if eservice_id == ESERVICE_ID else {}


def unit_clinic_name(site: Site, clinic_name: str) -> str:
    """What the citizen's inbox and receipt name as a Patientnämnden case's recipient; here, not in
    the app, so that the demo's seed (forms.staff) and the send (forms.cases) name it alike."""
    return f"{site.patientnamnden_name} (gäller {clinic_name})"
