"""Mina bokade tider, the receipts of booking journeys, and a booking as a calendar file.

Only the citizen a booking is for (or a guardian acting for that child) ever sees it: a booking
key or a receipt reference of someone else's is 404, the same as one that does not exist.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from icalendar import Calendar, Event
from werkzeug.wrappers import Response

from forms.booking import common, reminders, rules, times
from forms.booking.changing import REMINDER_DROPPED
from forms.booking.interface import Booking
from forms.notices.contacts import Contacts, InvalidContact, display_mobile, normalize_email, normalize_mobile
from forms.platform.audit import security_event
from forms.platform.citizen import login_required
from forms.platform.security import keeps_typing
from forms.platform.services import services

bp = Blueprint("tidbok", __name__)


@dataclass(frozen=True)
class Listed:
    """One line of Mina bokade tider: its texts and links."""

    booking: Booking
    when: str
    why_not: str | None
    rebook_url: str | None
    cancel_url: str | None


def listed(booking: Booking, phone: str | None, slug: str) -> Listed:
    """The booking's line at mottagning `slug`."""
    return Listed(
        booking, times.in_words(booking.start), why_not(booking, phone),
        url_for("tidbok_change.omboka", slug=slug, key=booking.key) if booking.may_rebook else None,
        url_for("tidbok_change.avboka", slug=slug, key=booking.key) if booking.may_cancel else None,
    )


def why_not(booking: Booking, phone: str | None) -> str | None:
    """The sentence shown instead of Omboka/Avboka when one of them is not allowed."""
    call = f"Ring mottagningen{f' på {phone}' if phone else ''} om du behöver ändra tiden."
    if booking.active and not rules.citizen_has_say(booking.time_type, booking.booked_by):
        return f"Tiden är bokad av mottagningen och kan bara ändras av mottagningen. {call}"
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
    entries = common.entries(slug)
    who = common.citizen()
    bookings = common.tidbok().schedule(who.subject.personnummer, slug, common.now())
    phone = common.clinic_phone(slug)
    return render_template(
        "forms/booking/mine.html",
        bookings=[listed(b, phone, slug) for b in bookings],
        clinic_name=common.clinic_name(slug), back_url=common.contact_page(slug),
        book_url=url_for("booking.villkor", slug=slug) if "boka" in entries else None,
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


def _receipt_case(slug: str, reference: str) -> tuple[Any, dict[str, Any]]:
    """The receipt's case if it is this citizen's booking copy at this mottagning, else 404."""
    case = services().store.case_by_reference(reference[:40])
    who = common.citizen()
    if case is None or case.clinic != slug or not case.eservice.startswith("tidbok-"):
        abort(404)
    if case.subject != who.subject.personnummer:
        security_event("authorisation_failure", what="booking receipt", reference=case.reference)
        abort(404)
    return case, case.answers.get("tidbok", {})


def _render_receipt(slug: str, reference: str, form: dict[str, str] | None = None,
                    errors: list[dict[str, Any]] | None = None, saved: bool = False) -> str:
    case, copy = _receipt_case(slug, reference)
    who = common.citizen()
    action = copy.get("action", "boka")
    booking = None
    if action != "avboka":
        found = common.tidbok().booking(copy.get("booking", ""), who.subject.personnummer, common.now())
        booking = found if found is not None and found.active else None
    engine = services().store.engine
    reminder = None
    if booking is not None:
        contacts = reminders.saved_contacts(engine, who.actor.personnummer) or Contacts()
        reminder = {
            "channels": reminders.pending_channels(engine, booking),
            "possible": reminders.send_at(booking.start, common.now()) is not None,
            "email": (form or {}).get("epost", contacts.email or ""),
            "mobile": (form or {}).get("mobil", display_mobile(contacts.mobile) if contacts.mobile else ""),
            "url": url_for("tidbok.reminder", slug=slug, reference=case.reference),
        }
    errors = errors or []
    return render_template(
        "forms/booking/receipt.html", case=case, heading=common.HEADINGS[action], action=action,
        when=copy.get("when", ""), time_type=copy.get("time_type", ""), info=copy.get("info"),
        booking=booking, slug=slug, clinic_name=case.clinic_name, reminder=reminder,  # booked at a listed one: its name
        contact_url=common.contact_page(slug),  # a finished journey has no "Tillbaka", a link to where it began
        errors=errors, error_for={e["anchor"]: e["message"] for e in errors}, saved=saved,
        reminder_dropped=REMINDER_DROPPED if copy.get("reminder_dropped") else None,
    )


@bp.get("/<slug>/tidbok/kvitto/<reference>/")
@login_required
def receipt(slug: str, reference: str) -> str:
    return _render_receipt(slug, reference, saved=request.args.get("paminnelse") == "sparad")


@bp.post("/<slug>/tidbok/kvitto/<reference>/paminnelse/")
@keeps_typing
@login_required
def reminder(slug: str, reference: str) -> Response | str:
    """The offer of a reminder the day before: the addresses of "Mina uppgifter", then the reminder."""
    case, copy = _receipt_case(slug, reference)
    who = common.citizen()
    booking = common.tidbok().booking(copy.get("booking", ""), who.subject.personnummer, common.now())
    if booking is None or not booking.active or copy.get("action") == "avboka":
        abort(404)
    form = {"epost": request.form.get("epost", "")[:300], "mobil": request.form.get("mobil", "")[:40]}
    if common.stale("Skicka påminnelse dagen före"):
        return _render_receipt(slug, reference, form)
    errors: list[dict[str, Any]] = []
    values: dict[str, str | None] = {}
    for field, normalize in (("epost", normalize_email), ("mobil", normalize_mobile)):
        try:
            values[field] = normalize(form[field])
        except InvalidContact as problem:
            errors.append({"anchor": field, "message": str(problem), "context": None})
    if not errors and not values["epost"] and not values["mobil"]:
        errors.append({"anchor": "epost", "message": "Skriv en e-postadress eller ett mobilnummer", "context": None})
    if errors:
        return _render_receipt(slug, reference, form, errors)
    contacts = Contacts(email=values["epost"], mobile=values["mobil"])
    engine = services().store.engine
    if reminders.offer(engine, who.actor.personnummer, contacts, booking, common.now()):
        _follow_change(engine, booking, who.subject.personnummer)
    return redirect(url_for("tidbok.receipt", slug=slug, reference=case.reference, paminnelse="sparad",
                            _anchor="paminnelse"), code=303)


def _follow_change(engine: Any, booking: Booking, subject: str) -> None:
    """After queueing a reminder for `booking` as read: make it follow a change made meanwhile.

    The tidbok and the outbox share no transaction, so a cancellation or rebook in another window
    may have come between the read and the queueing, its withdraw or move of the reminders already
    done. Read again after the reminder is committed: a cancelled booking loses it, a moved one has
    it moved. A change after this read withdraws or moves it itself (it runs after its tidbok write).
    """
    now = common.now()
    current = common.tidbok().booking(booking.key, subject, now)
    if current is None or not current.active:
        reminders.cancelled(engine, booking)
    elif current.start != booking.start:
        reminders.moved(engine, booking.start, current, now)


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
