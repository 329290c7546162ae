"""What the booking views share: the tidbok, the clinic's booking entries, drafts and the receipt.

A booking journey keeps its place in a draft of the case store, exactly as a case does: the draft
records which villkor text was approved and what was chosen so far (`raw`), under an e-service
name of its own per journey ("tidbok-boka", "tidbok-omboka-<key>", "tidbok-avboka-<key>"). Sending
it stores the inbox copy as a case, once, keyed by the draft, so a confirmation pressed twice
books once and shows one receipt.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, g, request, url_for

from forms.booking import rules, times
from forms.booking.interface import Booking, Tidbok, TimeType
from forms.platform.citizen import Citizen, current_citizen
from forms.platform.flow import villkor_hash
from forms.platform.security import stale_notice, token_was_stale
from forms.platform.services import services
from forms.store.cases import CaseContent, DraftRow
from forms.store.db import Case
from sitegen.content.digits import ascii_date
from sitegen.content.models import BookingEntry
from sitegen.site.resolve import find_booking

EXTENSION = "hittavard_tidbok"
HORIZON_DAYS = 92  # how far ahead times are offered: about three months
REASON_MAX = 200
COMMENT_MAX = 500
ACTION_NAMES = {"boka": "Boka tid", "omboka": "Omboka tid", "avboka": "Avboka tid"}
HEADINGS = {"boka": "Din tid är bokad", "omboka": "Din tid är ombokad", "avboka": "Din tid är avbokad"}


def tidbok() -> Tidbok:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def citizen() -> Citizen:
    found = current_citizen()
    assert found is not None
    return found


def now() -> datetime.datetime:
    return services().now()


def stale(button: str) -> bool:
    """A POST whose token was this session's own but too old: show the page again, store nothing.

    The booking views are `keeps_typing` (forms.platform.security), like the case forms: such a
    POST reaches the view, which must then show what was posted with the notice naming `button`
    (what to press again) and must not book, move, cancel or save anything.
    """
    if request.method == "POST" and token_was_stale():
        g.stale_notice = stale_notice(button)
        return True
    return False


def horizon(at: datetime.datetime) -> datetime.date:
    return times.local_day(at) + datetime.timedelta(days=HORIZON_DAYS)


def entries(slug: str) -> dict[str, BookingEntry]:
    """The clinic's booking entries; 404 for a mottagning without web booking."""
    found = find_booking(services().content, slug)
    if not found:
        abort(404)
    return found


def clinic_name(slug: str) -> str:
    return services().content.clinics[slug].name


def clinic_phone(slug: str) -> str | None:
    return services().content.clinics[slug].phone


def villkor_of(slug: str, action: str) -> str:
    """Boka: the `boka` entry's villkor; omboka and avboka: the `avboka` entry's (else `boka`'s)."""
    found = entries(slug)
    entry = found.get("boka") if action == "boka" else found.get("avboka") or found.get("boka")
    if entry is None:
        abort(404)
    return entry.villkor


def approved(draft: DraftRow | None, slug: str, action: str) -> bool:
    return draft is not None and draft.villkor_sha256 == villkor_hash(villkor_of(slug, action))


def offered_types(slug: str, subject: str, at: datetime.datetime) -> list[TimeType]:
    """The time types the subject may book on the web at all in the coming months (`web`, age bounds)."""
    first, last = times.local_day(at), horizon(at)
    return [t for t in rules.on_web(tidbok().time_types(slug)) if times.age_allows_some_day(t, subject, first, last)]


def parse_start(value: Any) -> datetime.datetime | None:
    """A posted or stored start time (ISO with offset), or None for anything else."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def parse_day(value: str | None) -> datetime.date | None:
    return ascii_date(value)


@dataclass(frozen=True)
class Villkor:
    """What forms/villkor.html needs of an e-service, for a booking journey."""

    name: str
    villkor: str

    @property
    def form(self) -> Villkor:
        return self


@dataclass(frozen=True)
class VillkorPage:
    eservice: Villkor
    clinic_name: str


def villkor_page(slug: str, action: str) -> VillkorPage:
    boka = entries(slug).get("boka")
    name = boka.display_name if action == "boka" and boka is not None else ACTION_NAMES[action]
    return VillkorPage(Villkor(name, villkor_of(slug, action)), clinic_name(slug))


def save_changes(draft: DraftRow | None, **changes: object) -> None:
    """Store the journey's answers with `changes` applied (None removes a key), as both the booking
    and the rebooking or cancelling journeys keep them in their draft. Only the changed keys are
    written, into the draft as stored by then, so another window's step saved meanwhile is kept."""
    assert draft is not None
    services().store.merge_raw(draft.id, changes)


# The confirmation refused because the draft changed after its check page was shown.
MOVED = {
    "boka": "Du har ändrat bokningen i ett annat fönster. Kontrollera uppgifterna och boka igen.",
    "omboka": "Du har ändrat ombokningen i ett annat fönster. Kontrollera uppgifterna och omboka igen.",
}


def contact_page(slug: str) -> str:
    return f"{services().site_root}mottagningar/{slug}/"


def booking_lines(slug: str, booking: Booking, subject_name: str) -> list[dict[str, Any]]:
    """The summary rows of a booking, as forms/macros.html answer_list shows them."""
    rows = [
        {"label": "Mottagning", "lines": [clinic_name(slug)]},
        {"label": "Typ av tid", "lines": [booking.time_type.name]},
        {"label": "Tid", "lines": [times.in_words(booking.start)]},
        {"label": "Bokningen gäller", "lines": [subject_name]},
    ]
    if booking.reason:
        rows.append({"label": "Orsak", "lines": [booking.reason]})
    if booking.comment:
        rows.append({"label": "Kommentar", "lines": [booking.comment]})
    if booking.time_type.info:
        rows.append({"label": "Övrigt", "lines": [booking.time_type.info]})
    return rows


def send_copy(draft: DraftRow, slug: str, action: str, booking: Booking, reminder_dropped: bool = False) -> Case:
    """The inbox copy of a booking, rebooking or cancellation: a case, stored once per draft.

    `reminder_dropped`: a rebooking withdrew a reminder it could not queue again (the new time is
    today); the receipt and the copy say so rather than let it vanish.
    """
    svc = services()
    who = citizen()
    content = CaseContent(
        clinic_name=clinic_name(slug),
        eservice_name=ACTION_NAMES[action],
        answers={
            "tidbok": {
                "action": action,
                "booking": booking.key,
                "start": booking.start.isoformat(),
                "when": times.in_words(booking.start),
                "time_type": booking.time_type.name,
                "info": booking.time_type.info,
                **({"reminder_dropped": True} if reminder_dropped else {}),
            }
        },
        summary=[{"title": HEADINGS[action], "page": 0, "questions": booking_lines(slug, booking, who.subject.name)}],
    )
    return svc.store.send(draft, content, at=svc.now().replace(tzinfo=None))


def receipt_url(slug: str, case: Case) -> str:
    return url_for("tidbok.receipt", slug=slug, reference=case.reference)
