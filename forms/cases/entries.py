"""The inbox's lines: a case with its status, a booking copy with what became of the booking.

A booking is not a case: it has no status of Ny → Avslutad and no ärendenummer to quote, so its
line says how the booking stands now (forms.booking.copies). Every line says, in words and not by
colour alone, whether it is unread (forms.store.reads).
"""

from __future__ import annotations

from dataclasses import dataclass

from forms.booking import copies
from forms.platform.rendering import local_time
from forms.platform.services import services
from forms.store import reads
from forms.store.db import Case


@dataclass(frozen=True)
class Entry:
    case: Case
    unread: bool
    state: copies.CopyState | None  # a booking copy's; None for a case
    sent: str  # "1 december 2026 kl. 08.00"


def entries(cases: list[Case]) -> list[Entry]:
    svc = services()
    unread = reads.unread(svc.store.engine, cases)
    state = copies.states(cases, svc.now())
    return [Entry(case, case.id in unread, state.get(case.id), local_time(case.sent_at)) for case in cases]
