""""Var vill du boka tid?": the step after the villkor when the `boka` entry lists other mottagningar.

The choice is stored in the Boka draft (`where`); changing it empties what was chosen at the other
mottagning (type, time, reason), since those belong to that mottagning's tidbok. The villkor stays
approved: it is this entry's, shown once (CONTRACT section 9).
"""

from __future__ import annotations

from flask import render_template, request
from werkzeug.wrappers import Response

from forms.booking import common
from forms.booking.book import WHERE, _after, _open, _save, bp, kallelse_spent
from forms.platform.citizen import login_required
from forms.platform.security import keeps_typing

CHOOSE_PLACE = "Välj var du vill boka tid."


@bp.route("/<slug>/tidbok/boka/var/", methods=["GET", "POST"])
@keeps_typing
@login_required
def choose_where(slug: str) -> Response | str | tuple[str, int]:
    booked = _open(slug)
    if (spent := kallelse_spent(booked)) is not None:
        return spent
    if booked.draft is None or not booked.course.may_visit(WHERE):
        return booked.go_first_missing()
    chosen = booked.target if booked.course.first_missing() != WHERE else None
    errors = []
    if common.stale("Fortsätt"):
        posted = request.form.get("plats", "")[:200]
        chosen = posted if any(p.slug == posted for p in booked.offered) else chosen
    elif request.method == "POST":
        posted = request.form.get("plats", "")[:200]
        if any(p.slug == posted for p in booked.offered):
            if posted != booked.raw.get("where"):
                _save(booked, where=posted, type=None, start=None, reason=None, reason_done=None)
            return _after(slug, WHERE)
        errors = [{"anchor": f"plats-{booked.offered[0].slug}", "message": CHOOSE_PLACE, "context": None}]
    return render_template(
        "forms/booking/where.html", booked=booked, chosen=chosen, errors=errors, back_url=booked.back(WHERE),
        eservice_name=common.villkor_page(slug, "boka").eservice.name, clinic_name=common.clinic_name(slug),
    )
