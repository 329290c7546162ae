"""The inbox, the case page and the receipt: what was sent, shown only to whom it concerns.

A case is visible to the citizen it is about and to a guardian acting for that child (under 13);
to anyone else it does not exist (404), so a guessed reference reveals nothing, not even that the
reference is in use.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from werkzeug.wrappers import Response

from forms.platform.audit import security_event
from forms.platform.citizen import Citizen, current_citizen, login_required
from forms.platform.services import services
from forms.store.db import Case

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
    cases = services().store.cases_about(citizen.subject.personnummer)
    return render_template("forms/inbox.html", cases=cases)


@bp.get("/inkorg/<reference>/")
@login_required
def case(reference: str) -> str:
    found = visible_case(reference)
    return render_template("forms/case.html", case=found, names=names())


@bp.get("/inkorg/<reference>/kvitto/")
@login_required
def receipt(reference: str) -> str:
    found = visible_case(reference)
    return render_template("forms/receipt.html", case=found, names=names())
