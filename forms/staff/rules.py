"""Who may see and do what with a case: the roles of seed 003 and the statuses of CONTRACT section 6.

Pure functions over plain values, so every rule is a unit test and the views ask one place.

Statuses: Ny → Fördelad → Besvarad → Avslutad. A delsvar keeps the status (the case stays open);
a citizen's reply to an answer that asked for one brings a Besvarad case back to Fördelad, to its
handler. Roles per mottagning:
- arendemottagare: sees every case of the mottagning, distributes ("Fördela") and sends delsvar;
- arendehanterare: sees and works the cases distributed to them: answers, closes; one who is also
  arendemottagare may answer any open case directly, which makes it theirs;
- lokal-administrator: standardsvar and roles (no cases);
- granskare: the access log (no cases, not the tidbok's patients), and never a case role at the
  same mottagning: whoever audits what the case workers read must not be one of them;
- verksamhetschef: the uppföljning, figures only (no cases, no names, no personnummer);
- tidsbokare: books, rebooks and cancels times in the tidbok for a citizen who calls (CONTRACT
  section 9; forms.staff.tidbok_booking), and the tidbok's week view (no cases).

Nobody changes their own roles: a second lokal administratör does (forms.staff.directory).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

RECEIVER = "arendemottagare"
HANDLER = "arendehanterare"
ADMIN = "lokal-administrator"
AUDITOR = "granskare"
MANAGER = "verksamhetschef"
BOOKER = "tidsbokare"
ROLES = (RECEIVER, HANDLER, ADMIN, AUDITOR, MANAGER, BOOKER)
ROLE_NAMES = {
    RECEIVER: "Ärendemottagare",
    HANDLER: "Ärendehanterare",
    ADMIN: "Lokal administratör",
    AUDITOR: "Granskare",
    MANAGER: "Verksamhetschef",
    BOOKER: "Tidsbokare",
}

CASE_ROLES = frozenset({RECEIVER, HANDLER})
APART = (
    "En granskare kan inte också vara ärendemottagare eller ärendehanterare på samma mottagning: "
    "den som granskar åtkomstloggen ska inte själv arbeta med ärendena. Välj det ena eller det andra."
)


def auditor_apart(roles: Collection[str]) -> bool:
    """True when the roles at one mottagning keep the granskare apart from the case roles."""
    return AUDITOR not in roles or not CASE_ROLES & set(roles)


NEW, DISTRIBUTED, ANSWERED, CLOSED = "Ny", "Fördelad", "Besvarad", "Avslutad"
STATUSES = (NEW, DISTRIBUTED, ANSWERED, CLOSED)

DISTRIBUTE, PARTIAL, ANSWER, NOTE, CLOSE, REPLY = "fordela", "delsvar", "svara", "anteckning", "avsluta", "reply"
ACTIONS = (DISTRIBUTE, PARTIAL, ANSWER, NOTE, CLOSE)

# What the citizen sees of a case's history: never an internal note, never who it was given to.
# ("message": the first message of a case the mottagning started, forms.staff.outgoing.)
CITIZEN_KINDS = frozenset({"answer", "delsvar", "reply", "message"})

REFUSED = {
    DISTRIBUTE: "Ett avslutat eller besvarat ärende kan inte fördelas.",
    PARTIAL: "Delsvar kan bara skickas i ett öppet ärende som inte är besvarat.",
    ANSWER: "Ärendet kan inte besvaras nu: det är redan besvarat eller avslutat.",
    NOTE: "",
    CLOSE: "Bara ett fördelat eller besvarat ärende kan avslutas.",
}


@dataclass(frozen=True)
class CaseView:
    """What the rules need to know about a case."""

    status: str
    handler: str | None


def can_see_cases(roles: Collection[str]) -> bool:
    return RECEIVER in roles or HANDLER in roles


# Who reads the tidbok's day and week (citizens' names and personnummer): the roles that book and
# receive patients, and the one who keeps the tidbok. Not the granskare, who audits the reads and
# needs the log only, nor the verksamhetschef, who sees figures only.
TIDBOK_ROLES = frozenset({RECEIVER, HANDLER, ADMIN, BOOKER})


def can_see_tidbok(roles: Collection[str]) -> bool:
    return bool(TIDBOK_ROLES & set(roles))


def can_see(roles: Collection[str], me: str, case: CaseView) -> bool:
    if RECEIVER in roles:
        return True
    return HANDLER in roles and case.handler == me


def status_allows(action: str, status: str) -> bool:
    """Whether the action fits the case's status at all (whoever does it)."""
    if action == DISTRIBUTE:
        return status in (NEW, DISTRIBUTED)
    if action == PARTIAL:
        return status in (NEW, DISTRIBUTED)
    if action == ANSWER:
        return status in (NEW, DISTRIBUTED)
    if action == CLOSE:
        return status in (DISTRIBUTED, ANSWERED)
    if action == NOTE:
        return True
    if action == REPLY:
        return status == ANSWERED
    raise ValueError(action)


def role_allows(action: str, roles: Collection[str], me: str, case: CaseView) -> bool:
    """Whether this person's roles let them do the action on this case (its status aside)."""
    if not can_see(roles, me, case):
        return False
    mine = case.handler == me and HANDLER in roles
    if action == DISTRIBUTE:
        return RECEIVER in roles
    if action == PARTIAL:
        return RECEIVER in roles or mine
    if action == ANSWER:
        return mine or (RECEIVER in roles and HANDLER in roles)
    if action == CLOSE:
        return mine or (RECEIVER in roles and HANDLER in roles)
    if action == NOTE:
        return True
    raise ValueError(action)


def allowed_actions(roles: Collection[str], me: str, case: CaseView) -> list[str]:
    """The actions to offer on the case page: both the role and the status must allow them."""
    return [a for a in ACTIONS if role_allows(a, roles, me, case) and status_allows(a, case.status)]


def after(action: str, case: CaseView, me: str, handler: str | None = None) -> CaseView:
    """The case after the action (already allowed): its new status and handler."""
    if action == DISTRIBUTE:
        return CaseView(DISTRIBUTED, handler)
    if action == ANSWER:
        return CaseView(ANSWERED, me)  # answering a case makes it the answerer's
    if action == CLOSE:
        return CaseView(CLOSED, case.handler or me)
    if action == REPLY:
        return CaseView(DISTRIBUTED if case.handler else NEW, case.handler)
    return case  # delsvar, note: the case stays where it is
