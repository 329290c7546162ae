"""Omboka and Avboka from the tidbok's day view: the tidsbokare changes a booking for the citizen.

As on the web (forms.booking.change), the page carries the start it showed (`was`), and the
tidbok changes the booking only if it is still active at exactly that start when it writes (the
row is locked), so a booking cancelled or moved meanwhile, by the citizen or by a colleague, is
never changed: the page comes back with "Bokningen har ändrats sedan du öppnade sidan" and the
comment as typed. A new time taken meanwhile is the database's refusal, shown likewise. The web's
limits (the cancel window, `rebook`, `staff_bookings`) are the citizen's and do not bind the
mottagning. Each showing of a booking is an access-log read, each change a row in its transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from forms.platform.security import stale_notice
from forms.platform.services import services
from forms.staff import tidbok_port as port
from forms.staff.rules import BOOKER
from forms.staff.tidbok_day import day_in_words
from forms.staff.web import bp, has_any, keeps_typing, me, render, roles_at, token_was_stale
from forms.store.tidbok import BookingRow
from sitegen.content.digits import ascii_date

CHOOSE = "Välj en ny tid."
GONE = "Bokningen är avbokad och kan inte ändras här."


def _when(moment: datetime.datetime) -> str:
    return f"{day_in_words(moment.date())} kl. {moment.strftime('%H.%M')}"


def _page(clinic: str, roles: frozenset[str], row: BookingRow, action: str, errors: list[dict[str, Any]],
          comment: str, status: int = 200, day: datetime.date | None = None, chosen: str | None = None,
          notice: str | None = None) -> tuple[str, int]:
    """The Omboka or Avboka page of the booking, logged as a read of the citizen's booking."""
    kind = port.kind_of(clinic, row.type_id)
    start = port.local(row.start)
    person = services().identity.find_person(row.subject)
    port.log_read(clinic, roles, "tidbok_bokning", row.subject, f"{action} {start.isoformat()} {row.type_id}")
    context: dict[str, Any] = {}
    if action == "omboka" and port.is_active(row):
        today = services().now().astimezone(port.STOCKHOLM).date()
        day = max(day or start.date(), today)
        one = datetime.timedelta(days=1)
        context = {
            "day": day, "day_words": day_in_words(day), "chosen": chosen,
            "free": port.tidbok().available_times(clinic, row.type_id, row.subject, day, services().now()),
            "previous": (day - one).isoformat() if day > today else None, "next": (day + one).isoformat(),
        }
    return render(
        f"staff/tidbok_{action}.html", clinic=clinic, row=row, when=_when(start), was=start.isoformat(),
        type_name=kind.name if kind else row.type_id, who=f"{person.name if person else 'Okänd'}, {row.subject}",
        active=port.is_active(row), gone=GONE, errors=errors, comment=comment, notice=notice,
        back_url=url_for("staff.tidbok_day", clinic=clinic, dag=start.date().isoformat()), **context,
    ), status


def _comment(errors: list[dict[str, Any]]) -> str:
    comment = request.form.get("kommentar", "").replace("\r\n", "\n").strip()
    if len(comment) > port.COMMENT_MAX:
        errors.append({"anchor": "kommentar", "message": port.COMMENT_TOO_LONG, "context": None})
    return comment


def _done(clinic: str, start: datetime.datetime, what: str) -> Response:
    return redirect(url_for("staff.tidbok_day", clinic=clinic, dag=start.date().isoformat(), klart=what), code=303)


@bp.route("/personal/<clinic>/tidbok/bokning/<key>/avboka/", methods=["GET", "POST"])
@keeps_typing
def tidbok_cancel(clinic: str, key: str) -> Response | tuple[str, int]:
    roles = roles_at(clinic, has_any(BOOKER))
    row = port.booking_here(clinic, key)
    if request.method == "GET":
        return _page(clinic, roles, row, "avboka", [], "")
    errors: list[dict[str, Any]] = []
    comment = _comment(errors)
    if token_was_stale():
        return _page(clinic, roles, row, "avboka", [], comment, notice=stale_notice("Avboka tiden"))
    if errors:
        return _page(clinic, roles, row, "avboka", errors, comment, 422)
    was = port.parse_start(request.form.get("was"))
    result = port.tidbok().cancel_booking(
        row.key, row.subject, comment or None, services().now(), was=was, staff=me().person.hsa_id,
        audit=port.audit(clinic, roles, "tidbok_avboka", row.subject, f"{port.local(row.start).isoformat()}"),
    )
    if not result.ok:
        fresh = port.booking_here(clinic, key)
        return _page(clinic, roles, fresh, "avboka", [{"anchor": "bokning", "message": result.text, "context": None}],
                     comment, 409)
    return _done(clinic, port.local(row.start), "avbokad")


@bp.route("/personal/<clinic>/tidbok/bokning/<key>/omboka/", methods=["GET", "POST"])
@keeps_typing
def tidbok_rebook(clinic: str, key: str) -> Response | tuple[str, int]:
    roles = roles_at(clinic, has_any(BOOKER))
    row = port.booking_here(clinic, key)
    if request.method == "GET":
        return _page(clinic, roles, row, "omboka", [], "", day=ascii_date(request.args.get("dag", "")[:10]))
    errors: list[dict[str, Any]] = []
    comment = _comment(errors)
    start = port.parse_start(request.form.get("tid"))
    day = start.date() if start else ascii_date(request.form.get("dag", "")[:10])
    posted = request.form.get("tid")
    if token_was_stale():
        return _page(clinic, roles, row, "omboka", [], comment, day=day, chosen=posted,
                     notice=stale_notice("Omboka tiden"))
    if start is None:
        errors.insert(0, {"anchor": "tider", "message": CHOOSE, "context": None})
    if errors:
        return _page(clinic, roles, row, "omboka", errors, comment, 422, day=day, chosen=posted)
    assert start is not None
    was = port.parse_start(request.form.get("was"))
    result = port.tidbok().update_booking(
        row.key, row.subject, start, comment or None, services().now(), was=was, staff=me().person.hsa_id,
        audit=port.audit(clinic, roles, "tidbok_omboka", row.subject,
                         f"{port.local(row.start).isoformat()} → {start.isoformat()}"),
    )
    if not result.ok:
        fresh = port.booking_here(clinic, key)
        return _page(clinic, roles, fresh, "omboka", [{"anchor": "tider", "message": result.text, "context": None}],
                     comment, 409, day=day)
    return _done(clinic, start, "ombokad")
