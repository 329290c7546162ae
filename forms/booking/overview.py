"""Bokade tider: every coming time of the citizen (or the child they act for) at every mottagning.

"Mina bokade tider" lists one mottagning's times, reached from its contact page; a time booked at
another mottagning could not be found from the logged-in bar. This page lists them all, soonest
first, with each mottagning's name, and sends Omboka and Avboka into that mottagning's own
journeys (forms.booking.change), which check ownership and the time left again.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, url_for

from forms.booking import common
from forms.booking.manage import Listed, listed
from forms.platform.citizen import login_required
from forms.platform.services import services
from sitegen.site.resolve import find_booking

bp = Blueprint("booked", __name__)


@dataclass(frozen=True)
class Line:
    listed: Listed
    clinic_name: str
    clinic_url: str  # the mottagning's own "Mina bokade tider"


def booking_clinics() -> list[str]:
    """The mottagningar with web booking: the only ones a citizen can have times at through here."""
    content = services().content
    return sorted(slug for slug in content.clinics if find_booking(content, slug))


@bp.get("/bokade-tider/")
@login_required
def booked() -> str:
    who = common.citizen()
    bookings = common.tidbok().schedules(who.subject.personnummer, booking_clinics(), common.now())
    clinics = services().content.clinics
    lines = [
        Line(listed(b, clinics[b.clinic].phone, b.clinic), clinics[b.clinic].name,
             url_for("tidbok.mine", slug=b.clinic))
        for b in bookings
    ]
    return render_template("forms/booking/booked.html", lines=lines)
