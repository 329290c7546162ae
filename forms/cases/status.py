"""What a case's status says to the citizen, the same in the inbox list and on the case page.

The case statuses (Ny → Fördelad → Besvarad → Avslutad, CONTRACT section 6) are the mottagning's
work: a message the mottagning started is "Besvarad" from the start, since it waits for the
citizen. Shown as such, a kallelse nobody had booked read "Status: Besvarad", as if something had
been done. So what waits for the citizen is said first, in their words: a kallelse not yet booked,
a reply asked for; a kallelse booked says so, and so does the time booked with it cancelled.
Otherwise the case's own status stands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, select

from forms.booking import kallelse
from forms.staff import casework, rules
from forms.staff.reads import reading
from forms.store.db import Case, CaseEvent

BOOK = "Väntar på att du bokar en tid"
REPLY = "Väntar på ditt svar"
BOOK_AND_REPLY = "Väntar på ditt svar och att du bokar en tid"
ANSWERED_REPLY = "Besvarad, väntar på ditt svar"  # the mottagning answered the citizen's case and asked
BOOKED = "Tid bokad"
CANCELLED = "Tiden är avbokad"  # booked with the kallelse, then cancelled: the kallelse books once


@dataclass(frozen=True)
class Waiting:
    """What the case waits for from the citizen."""

    reply_open: bool
    kallelse: str | None  # None: no kallelse; else forms.booking.kallelse's OPEN, BOOKED or CANCELLED_TIME


def words(case: Case, waiting: Waiting) -> str:
    """The status as the citizen reads it."""
    unbooked = waiting.kallelse == kallelse.OPEN
    if unbooked and waiting.reply_open:
        return BOOK_AND_REPLY
    if unbooked:
        return BOOK
    if waiting.reply_open:
        return ANSWERED_REPLY if case.direction != casework.OUT else REPLY
    if waiting.kallelse is not None and case.status in (rules.ANSWERED, rules.CLOSED):
        # nothing else waits: the mottagning's message led to a time, which may since have been cancelled
        return CANCELLED if waiting.kallelse == kallelse.CANCELLED_TIME else BOOKED
    return case.status


def waiting_of(engine: Engine, cases: Iterable[Case]) -> dict[int, Waiting]:
    """Each case's Waiting by id, in two queries however many cases the inbox lists."""
    cases = list(cases)
    answered = [case.id for case in cases if case.status == rules.ANSWERED]
    out = [case.id for case in cases if case.direction == casework.OUT]
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    booked: dict[int, str] = {}
    with reading(engine) as db:
        if answered:
            for event in db.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id.in_(answered), CaseEvent.kind.in_(["answer", "message", "reply"]))
                .order_by(CaseEvent.at, CaseEvent.id)
            ):
                events[event.case_id].append(event)
        if out:
            booked = kallelse.booked_of(db.connection(), out)
    return {
        case.id: Waiting(casework.reply_open(events[case.id], case.status), booked.get(case.id))
        for case in cases
    }
