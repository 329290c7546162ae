"""What became of a booking, for its copies in the inbox.

A booking's inbox copy is a snapshot (forms.booking.common.send_copy): "Boka tid" keeps the time it
booked even after the time was moved or cancelled. Each copy names its booking's key, so the inbox
asks the tidbok how the booking stands now and says so ("Ombokad till …", "Avbokad") instead of
showing a time that no longer exists. The key is looked up for the copy's own subject only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from forms.booking import common, times
from forms.booking.interface import Booking

BOOKED, MOVED, CANCELLED, GONE = "booked", "moved", "cancelled", "gone"


@dataclass(frozen=True)
class CopyState:
    """How the booking a copy is about stands now, in words the citizen reads."""

    kind: str  # booked | moved | cancelled | gone
    text: str
    booking: Booking | None  # the booking as it is now, while it is active


def is_copy(case: Any) -> bool:
    return str(case.eservice).startswith("tidbok-") and "tidbok" in (case.answers or {})


def state_of(copy: dict[str, Any], found: Booking | None) -> CopyState:
    """The state for a copy's answers (`tidbok`) and its booking as the tidbok has it now."""
    when = str(copy.get("when", ""))
    if copy.get("action") == "avboka":
        return CopyState(CANCELLED, f"Avbokad: {when}", None)
    if found is None:
        return CopyState(GONE, "Bokningen finns inte längre", None)
    if not found.active:
        return CopyState(CANCELLED, f"Avbokad (tiden var {times.in_words(found.start)})", None)
    booked = common.parse_start(copy.get("start"))
    if booked is not None and booked != found.start:
        return CopyState(MOVED, f"Ombokad till {times.in_words(found.start)}", found)
    return CopyState(BOOKED, f"Bokad: {times.in_words(found.start)}", found)


def states(cases: Iterable[Any], now: datetime.datetime) -> dict[int, CopyState]:
    """Each booking copy's state by case id; one tidbok read per booking, however many copies name it."""
    found: dict[tuple[str, str], Booking | None] = {}
    result = {}
    for case in cases:
        if not is_copy(case):
            continue
        copy = case.answers["tidbok"]
        key = (str(copy.get("booking", "")), case.subject)
        if key not in found:
            found[key] = common.tidbok().booking(key[0], key[1], now) if key[0] else None
        result[case.id] = state_of(copy, found[key])
    return result
