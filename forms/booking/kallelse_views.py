"""The kallelse's link: it opens Boka tid at the invited time type, for the invited citizen only.

`/<slug>/tidbok/kallelse/<token>/`, after login (an anonymous visitor logs in first and comes
back): a token that opens no kallelse, a kallelse of another mottagning, or one sent to someone
other than the citizen now logged in (or the child they act for) is 404, exactly as a link that
does not exist. A spent one says so. An open one is remembered in the citizen's server-side
session for this mottagning, and Boka tid (forms.booking.book) then offers that one type, even one
the web does not offer, and books through it (the kallelse is spent with the booking).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from forms.booking import common, kallelse
from forms.platform.audit import security_event
from forms.platform.citizen import current_citizen, login_required
from forms.platform.services import services
from forms.store.db import Case

bp = Blueprint("kallelse", __name__)
SESSION_KEY = "kallelse"


@bp.get("/<slug>/tidbok/kallelse/<token>/")
@login_required
def open_link(slug: str, token: str) -> Response | str | tuple[str, int]:
    found = kallelse.by_token(services().store.engine, token)
    who = current_citizen()
    assert who is not None
    if found is None or found.clinic != slug or found.personnummer != who.subject.personnummer:
        if found is not None:
            security_event("authorisation_failure", what="kallelse")
        abort(404)
    if found.spent_at is not None:
        return spent_page()
    session[SESSION_KEY] = {"slug": slug, "id": found.id}
    draft = services().store.open_draft(who.owner, slug, "tidbok-boka")
    if draft is not None:  # a Boka journey under way: it goes on at the invited type, choosing its time anew
        common.save_changes(draft, type=found.time_type, start=None, reason=None, reason_done=None)
    return redirect(url_for("booking.villkor", slug=slug), code=303)


def invitation(slug: str, personnummer: str) -> kallelse.Invitation | None:
    """The open kallelse this session's Boka journey at `slug` goes through, if any."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict) or held.get("slug") != slug or not isinstance(held.get("id"), int):
        return None
    return kallelse.unspent(services().store.engine, held["id"], slug, personnummer)


def spent_page() -> tuple[str, int]:
    """A kallelse already used: said plainly, as 410 (the link is gone for good)."""
    page = render_template("forms/error.html", title="Kallelsen är redan använd", text=kallelse.SPENT, error_id=None)
    return page, 410


def spent_meanwhile(slug: str) -> bool:
    """Whether this session's Boka journey at `slug` went through a kallelse that has been spent
    since it was opened (by another guardian's booking, or in another window). Every step of the
    journey then says so (forms.booking.book.kallelse_spent): without it the journey would quietly
    lose its type (a kallelse's type is often not on the web) and send the citizen back to a choice
    of types with no word why."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict) or held.get("slug") != slug or not isinstance(held.get("id"), int):
        return False
    return kallelse.is_spent(services().store.engine, held["id"])


def forget(slug: str) -> None:
    held = session.get(SESSION_KEY)
    if isinstance(held, dict) and held.get("slug") == slug:
        session.pop(SESSION_KEY, None)


@dataclass(frozen=True)
class Link:
    """The kallelse as the citizen's case page shows it."""

    url: str
    type_name: str
    state: str  # kallelse.OPEN, BOOKED or CANCELLED_TIME

    @property
    def spent(self) -> bool:
        return self.state != kallelse.OPEN


def kallelse_link(case: Case) -> Link | None:
    """The case's kallelse with its link (made again from its nonce), or None."""
    if case.direction != "out":
        return None
    found = kallelse.of_case(services().store.engine, case.id)
    if found is None:
        return None
    names = {t.id: t.name for t in common.tidbok().time_types(found.clinic)}
    value = kallelse.token(current_app.secret_key or "", found.nonce)
    url = url_for("kallelse.open_link", slug=found.clinic, token=value)
    state = kallelse.OPEN
    if found.spent_at is not None:
        with services().store.engine.connect() as connection:
            state = kallelse.booked_of(connection, [case.id])[case.id]
    return Link(url, names.get(found.time_type, found.time_type), state)
