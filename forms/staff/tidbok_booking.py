"""Boka tid åt invånare: the tidsbokare books a free time of the tidbok for a citizen who calls.

From a free time of the day or week view: one page (personnummer, the reason when the time type
asks, a comment for the mottagning) → "Kontrollera bokningen" → "Boka tiden". Everything posted is
checked again at the confirmation, and whether the time is still free is the database's answer
(forms.booking.standalone): a time taken meanwhile, or one that now overlaps another booking,
shows the page again with what was typed and the contract's "Tiden hann bokas av någon annan".
The personnummer travels only in POST bodies, never in a URL. Looking a citizen up (their name on
the check page) and the booking are each written to the access log with the personnummer.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from forms.platform.security import stale_notice
from forms.platform.services import services
from forms.staff import tidbok_port as port
from forms.staff.rules import BOOKER
from forms.staff.tidbok_day import day_in_words
from forms.staff.web import bp, has_any, keeps_typing, me, refuse, render, roles_at, token_was_stale


@dataclass
class Typed:
    """The booking form as posted (or as the day view's control opened it), and what is wrong with it."""

    start: datetime.datetime
    kind: port.Kind
    personnummer: str = ""
    reason: str = ""
    comment: str = ""
    key: str = ""  # one per check page: "Boka tiden" pressed twice books once
    errors: list[dict[str, Any]] = field(default_factory=list)
    found: str | None = None  # the normalized personnummer, once valid
    name: str | None = None

    def fault(self, anchor: str, message: str) -> None:
        self.errors.append({"anchor": anchor, "message": message, "context": None})

    @property
    def when(self) -> str:
        return f"{day_in_words(self.start.date())} kl. {self.start.strftime('%H.%M')}"


def _opened(clinic: str, source: Any) -> Typed:
    """The time and type from the control's GET or the form's POST; 404 for any other."""
    start = port.parse_start(source.get("tid"))
    kind = port.kind_of(clinic, source.get("typ", "")[:100])
    if start is None or kind is None:
        refuse(clinic, "tidbok-boka")
    comment = source.get("kommentar", "").replace("\r\n", "\n").strip()
    return Typed(start=start, kind=kind, personnummer=source.get("personnummer", "")[:40],
                 reason=source.get("orsak", "").strip(), comment=comment, key=source.get("nyckel", "")[:64])


def _check(clinic: str, typed: Typed, time_too: bool = True) -> None:
    """Each field, then (`time_too`) the time for this citizen: the first fault of each, in the page's order.

    The confirmation leaves the time to the tidbok, which checks the schedule, the age and the
    limit again in its write and first finds a booking this same check page already made.
    """
    pnr, name, problem = port.person(typed.personnummer)
    if problem:
        typed.fault("personnummer", problem)
    if typed.kind.reason == "required" and not typed.reason:
        typed.fault("orsak", port.REASON_MISSING)
    elif len(typed.reason) > port.REASON_MAX:
        typed.fault("orsak", port.REASON_TOO_LONG)
    if len(typed.comment) > port.COMMENT_MAX:
        typed.fault("kommentar", port.COMMENT_TOO_LONG)
    if typed.errors or pnr is None or name is None:
        return
    typed.found, typed.name = pnr, name
    if not time_too:
        return
    now = services().now()
    if not port.age_fits(typed.kind, pnr, typed.start.date()):
        typed.fault("personnummer", port.AGE.format(name=typed.kind.name))
        return
    limit = port.tidbok().limit_reached(clinic, typed.kind.id, pnr, now, staff=True)
    if limit:
        typed.fault("personnummer", limit)
        return
    if typed.start not in port.tidbok().available_times(clinic, typed.kind.id, pnr, typed.start.date(), now):
        typed.fault("tid", port.NOT_FREE)


def _form(clinic: str, typed: Typed, status: int = 200, notice: str | None = None) -> tuple[str, int]:
    return render("staff/tidbok_book.html", clinic=clinic, typed=typed, errors=typed.errors, notice=notice,
                  back_url=url_for("staff.tidbok_day", clinic=clinic, dag=typed.start.date().isoformat())), status


@bp.route("/personal/<clinic>/tidbok/boka/", methods=["GET", "POST"])
@keeps_typing
def tidbok_book(clinic: str) -> tuple[str, int]:
    roles = roles_at(clinic, has_any(BOOKER))
    typed = _opened(clinic, request.form if request.method == "POST" else request.args)
    if request.method == "GET" or request.form.get("andra"):
        return _form(clinic, typed)
    if token_was_stale():
        return _form(clinic, typed, notice=stale_notice("Fortsätt"))
    _check(clinic, typed)
    if typed.errors:
        return _form(clinic, typed, 422)
    assert typed.found is not None
    port.log_read(clinic, roles, "tidbok_person", typed.found, f"bokning {typed.start.isoformat()} {typed.kind.id}")
    typed.key = secrets.token_urlsafe(24)
    return render("staff/tidbok_book_check.html", clinic=clinic, typed=typed, notice=None), 200


@bp.post("/personal/<clinic>/tidbok/boka/bekrafta/")
@keeps_typing
def tidbok_book_confirm(clinic: str) -> Response | tuple[str, int]:
    """"Boka tiden": everything checked again; the database decides whether the time is still free."""
    roles = roles_at(clinic, has_any(BOOKER))
    typed = _opened(clinic, request.form)
    if token_was_stale():
        return _form(clinic, typed, notice=stale_notice("Fortsätt"))
    _check(clinic, typed, time_too=False)
    if typed.errors or typed.found is None or not 20 <= len(typed.key) <= 64:
        return _form(clinic, typed, 422)
    result = port.tidbok().book_for_caller(
        clinic, typed.kind.id, typed.start, typed.found, typed.reason or None, typed.comment or None,
        me().person.hsa_id, f"staff:{typed.key}", services().now(),
        audit=port.audit(clinic, roles, "tidbok_boka", typed.found, f"{typed.start.isoformat()} {typed.kind.id}"),
    )
    if not result.ok:
        typed.fault("tid", result.text or port.NOT_FREE)
        return _form(clinic, typed, 409)
    return redirect(url_for("staff.tidbok_day", clinic=clinic, dag=typed.start.date().isoformat(), klart="bokad"),
                    code=303)
