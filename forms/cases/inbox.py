"""The inbox, the case page and the receipt: what was sent, shown only to whom it concerns.

The case page shows the case's status and the mottagning's answers and delsvar with their
signatures (never an internal note), and, when the latest answer asks for it, a form for the
citizen's one reply, which sends the case back to its handler (forms.staff.casework).

A case is visible to the citizen it is about and to a guardian acting for that child (under 13);
to anyone else it does not exist (404), so a guessed reference reveals nothing, not even that the
reference is in use.
"""

from __future__ import annotations

import datetime

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from forms.booking import copies
from forms.booking.changing import REMINDER_DROPPED
from forms.booking.kallelse_views import kallelse_link
from forms.cases import status
from forms.cases.entries import entries
from forms.platform.audit import security_event
from forms.platform.citizen import Citizen, current_citizen, login_required
from forms.platform.rendering import local_time
from forms.platform.security import keeps_typing, stale_notice, token_was_stale
from forms.platform.services import services
from forms.staff import casework
from forms.store import reads
from forms.store.db import Case, CaseEvent

MAX_REPLY = 5000

bp = Blueprint("inbox", __name__)


def _citizen() -> Citizen:
    citizen = current_citizen()
    assert citizen is not None
    return citizen


def visible_case(reference: str) -> Case:
    """The case with this reference if the logged-in citizen may see it; otherwise 404."""
    case = services().store.case_by_reference(reference[:40])
    if case is None:
        abort(404)
    if not _citizen().may_see(case.subject):
        security_event("authorisation_failure", what="case", reference=case.reference)
        abort(404)  # the same answer as for no such case: a guessed reference reveals nothing
    return case


def names() -> dict[str, str]:
    """Personnummer → name for the citizen and their children, to say whom a case is about."""
    citizen = _citizen()
    people = [citizen.actor, *citizen.children]
    return {person.personnummer: person.name for person in people}


@bp.get("/")
def home() -> Response:
    return redirect(url_for("inbox.inbox"), code=303)


@bp.get("/inkorg/")
@login_required
def inbox() -> str:
    citizen = _citizen()
    lines = entries(services().store.cases_about(citizen.subject.personnummer))
    return render_template("forms/inbox.html", entries=lines, unread=sum(line.unread for line in lines))


def _opened(found: Case, events: list[CaseEvent]) -> None:
    """Opening an entry reads it: recorded only when it was unread, so a page view is no write."""
    latest = [event.at for event in events if event.kind in reads.FROM_THE_MOTTAGNING]
    if found.read_at is None or any(at > found.read_at for at in latest):
        at = services().now().astimezone(datetime.UTC).replace(tzinfo=None)
        reads.mark_read(services().store.engine, found.id, at)


def _copy_page(found: Case) -> str:
    """A booking's copy: what became of the booking, and what was confirmed then; no case wording."""
    _opened(found, [])
    state = copies.states([found], services().now())[found.id]
    return render_template(
        "forms/booking/copy.html", case=found, copy=found.answers["tidbok"], state=state, names=names(),
        sent=local_time(found.sent_at), reminder_dropped=REMINDER_DROPPED,
    )


def answerer(case: Case) -> str:
    """Who answers this case, as the citizen reads it: Patientnämnden for a complaint sent there.

    "Mottagningen svarar i inkorgen" on such a receipt told the citizen the opposite of the page
    before it ("Mottagningen ser inte det du skickar till Patientnämnden")."""
    site = services().content.site
    if site.patientnamnden is not None and case.clinic == site.patientnamnden:
        return site.patientnamnden_name or "Patientnämnden"
    return "Mottagningen"


def _case_page(found: Case, typed: str = "", errors: list[dict[str, str | None]] | None = None) -> str:
    events = casework.history(services().store.engine, found.id, citizen=True)
    _opened(found, events)
    can_reply = casework.reply_open(events, found.status)
    kallelse = kallelse_link(found)
    waiting = status.Waiting(can_reply, None if kallelse is None else kallelse.state)
    return render_template(
        "forms/case.html",
        case=found,
        status=status.words(found, waiting),
        names=names(),
        events=events,
        can_reply=can_reply,
        typed=typed,
        errors=errors or [],
        replied=request.args.get("skickat") == "1",
        kallelse=kallelse,
        answerer=answerer(found),
    )


@bp.get("/inkorg/<reference>/")
@login_required
def case(reference: str) -> str:
    found = visible_case(reference)
    return _copy_page(found) if copies.is_copy(found) else _case_page(found)


@bp.post("/inkorg/<reference>/svara/")
@keeps_typing
@login_required
def reply(reference: str) -> Response | str | tuple[str, int]:
    """The citizen's reply to an answer that asked for one; the case goes back to its handler."""
    found = visible_case(reference)
    typed = request.form.get("text", "")[: MAX_REPLY * 2]
    if token_was_stale():
        g.stale_notice = stale_notice("Skicka svar")
        return _case_page(found, typed)
    text = typed.replace("\r\n", "\n").strip()
    error = None
    if not text:
        error = "Skriv ditt svar."
    elif len(text) > MAX_REPLY:
        error = "Svaret får vara högst 5000 tecken. Korta det."
    if error:
        return _case_page(found, typed, [{"anchor": "reply-text", "message": error, "context": None}]), 422
    try:
        casework.citizen_reply(services().store.engine, found.id, text, services().now())
    except casework.ReplyRefused:
        return _case_page(found, typed, [{"anchor": "reply-text", "message": REPLY_CLOSED, "context": None}]), 409
    return redirect(url_for("inbox.case", reference=found.reference, skickat="1"), code=303)


REPLY_CLOSED = "Ärendet väntar inte på något svar från dig nu. Det du skrev finns kvar nedan om du vill spara det."


@bp.get("/inkorg/<reference>/kvitto/")
@login_required
def receipt(reference: str) -> str:
    found = visible_case(reference)
    return render_template("forms/receipt.html", case=found, names=names(), answerer=answerer(found))
