"""The inbox's lines: a case with its status, a booking copy with what became of the booking.

A booking is not a case: it has no status of Ny → Avslutad and no ärendenummer to quote, so its
line says how the booking stands now (forms.booking.copies). A case's line says its status as the
case page does (forms.cases.status). Every line says, in words and not by
colour alone, whether it is unread (forms.store.reads).
"""

from __future__ import annotations

from dataclasses import dataclass

from forms.booking import copies
from forms.cases import status
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
    status: str  # the case's status as the citizen reads it (forms.cases.status); "" for a booking copy


def entries(cases: list[Case]) -> list[Entry]:
    svc = services()
    unread = reads.unread(svc.store.engine, cases)
    state = copies.states(cases, svc.now())
    waiting = status.waiting_of(svc.store.engine, [case for case in cases if case.id not in state])
    return [
        Entry(
            case, case.id in unread, state.get(case.id), local_time(case.sent_at),
            status.words(case, waiting[case.id]) if case.id in waiting else "",
        )
        for case in cases
    ]
