"""Mina bokade tider, the receipts of booking journeys, and a booking as a calendar file.

Only the citizen a booking is for (or a guardian acting for that child) ever sees it: a booking
key or a receipt reference of someone else's is 404, the same as one that does not exist.
"""

from __future__ import annotations

import datetime

from flask import Blueprint, abort, render_template
from icalendar import Calendar, Event
from werkzeug.wrappers import Response

from forms.booking import common, times
from forms.booking.interface import Booking
from forms.platform.audit import security_event
from forms.platform.citizen import login_required
from forms.platform.services import services

bp = Blueprint("tidbok", __name__)


def why_not(booking: Booking, phone: str | None) -> str | None:
    """The sentence shown instead of Omboka/Avboka when one of them is not allowed."""
    call = f"Ring mottagningen{f' på {phone}' if phone else ''} om du behöver ändra tiden."
    if not booking.may_cancel:
        return (
            f"Tiden kan inte ombokas eller avbokas här när det är mindre än {booking.time_type.cancel_hours} "
            f"timmar kvar. {call}"
        )
    if not booking.may_rebook:
        return f"Den här typen av tid kan inte ombokas här, bara avbokas. {call}"
    return None


@bp.get("/<slug>/tidbok/")
@login_required
def mine(slug: str) -> str:
    common.entries(slug)
    who = common.citizen()
    bookings = common.tidbok().schedule(who.subject.personnummer, slug, common.now())
    phone = common.clinic_phone(slug)
    return render_template(
        "forms/booking/mine.html",
        bookings=[(b, times.in_words(b.start), why_not(b, phone)) for b in bookings],
        slug=slug, clinic_name=common.clinic_name(slug), can_book="boka" in common.entries(slug),
        back_url=common.contact_page(slug),
    )


def own_booking(slug: str, key: str) -> Booking:
    """The subject's booking `key` at this mottagning, or 404 (logged when it exists but is not theirs)."""
    common.entries(slug)
    who = common.citizen()
    found = common.tidbok().booking(key[:40], who.subject.personnummer, common.now())
    if found is None or found.clinic != slug:
        security_event("authorisation_failure", what="booking")
        abort(404)
    return found


@bp.get("/<slug>/tidbok/kvitto/<reference>/")
@login_required
def receipt(slug: str, reference: str) -> str:
    case = services().store.case_by_reference(reference[:40])
    who = common.citizen()
    if case is None or case.clinic != slug or not case.eservice.startswith("tidbok-"):
        abort(404)
    if case.subject != who.subject.personnummer:
        security_event("authorisation_failure", what="booking receipt", reference=case.reference)
        abort(404)
    copy = case.answers.get("tidbok", {})
    action = copy.get("action", "boka")
    booking = None
    if action != "avboka":
        found = common.tidbok().booking(copy.get("booking", ""), who.subject.personnummer, common.now())
        booking = found if found is not None and found.active else None
    return render_template(
        "forms/booking/receipt.html", case=case, heading=common.HEADINGS[action], action=action,
        when=copy.get("when", ""), time_type=copy.get("time_type", ""), info=copy.get("info"),
        booking=booking, slug=slug, clinic_name=common.clinic_name(slug),
        contacts_url=None,
    )


@bp.get("/<slug>/tidbok/<key>/kalender.ics")
@login_required
def calendar(slug: str, key: str) -> Response:
    """The booking as an iCalendar file (RFC 5545), made by the icalendar library."""
    booking = own_booking(slug, key)
    if not booking.active:
        abort(404)
    clinic = services().content.clinics[slug]
    event = Event()
    event.add("uid", f"{booking.key}@hittavard")
    event.add("dtstamp", common.now().astimezone(datetime.UTC))
    event.add("dtstart", booking.start.astimezone(datetime.UTC))
    event.add("dtend", booking.end.astimezone(datetime.UTC))
    event.add("summary", f"{booking.time_type.name}, {clinic.name}")
    if clinic.address is not None:
        event.add("location", f"{clinic.address.street}, {clinic.address.postal_code} {clinic.address.city}")
    if booking.time_type.info:
        event.add("description", booking.time_type.info)
    cal = Calendar()
    cal.add("prodid", "-//Hitta vård//webbtidbok//SV")
    cal.add("version", "2.0")
    cal.add_component(event)
    response = Response(cal.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="bokad-tid.ics"'
    return response
