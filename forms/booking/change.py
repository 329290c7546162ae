"""Omboka and Avboka: villkor → (a new day and time →) comment → "Omboka tiden" / "Avboka tiden".

The same course as a case and as Boka (forms.platform.flow), on a draft per booking and journey.
What the time type and the clock allow is asked of the tidbok's flags at every step; the tidbok
checks again when it moves or cancels, so a page left open past the last hour changes nothing.

The confirming POST names the booked start its page showed (`bokad`) and, for Omboka, a digest of
the new time and comment (`visad`); the tidbok moves or cancels only a booking still active at that
start. So a rebook and a cancellation of one booking at once (two windows, two guardians) give one
change: the other gets "Bokningen har ändrats" with the booking as it is now, and its reminder and
inbox copy are left alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from forms.booking import changing as describe
from forms.booking import common, reminders, times
from forms.booking.days import CHOOSE_TIME, chosen_time, day_view
from forms.booking.interface import CHANGED, NOT_OFFERED, TAKEN, Booking
from forms.booking.manage import own_booking
from forms.platform.citizen import Citizen, login_required
from forms.platform.flow import CHECK, VILLKOR, Course, Middle, Step, villkor_hash
from forms.platform.flow import shown as digest
from forms.platform.security import keeps_typing
from forms.platform.services import services
from forms.store.cases import DraftRow

bp = Blueprint("tidbok_change", __name__)


@bp.context_processor
def _cancel_url() -> dict[str, str]:
    """"Avbryt" on every step of Omboka and Avboka: back to Mina bokade tider, where the change began
    (and where the time is seen unchanged)."""
    slug = (request.view_args or {}).get("slug")
    return {"cancel_url": url_for("tidbok.mine", slug=slug)} if slug else {}

TIME, COMMENT = Step("page", 0), Step("page", 1)
ENDPOINTS = {
    "omboka": {VILLKOR: "omboka", TIME: "omboka_time", COMMENT: "omboka_comment", CHECK: "omboka_check"},
    "avboka": {VILLKOR: "avboka", CHECK: "avboka_comment"},
}
COMMENT_TOO_LONG = f"Skriv högst {common.COMMENT_MAX} tecken i kommentaren."


@dataclass
class Changing:
    slug: str
    action: str  # omboka | avboka
    booking: Booking
    citizen: Citizen
    draft: DraftRow | None
    course: Course

    @property
    def raw(self) -> dict[str, object]:
        return dict(self.draft.raw) if self.draft is not None else {}

    def url(self, step: Step) -> str:
        return url_for(f"tidbok_change.{ENDPOINTS[self.action][step]}", slug=self.slug, key=self.booking.key)

    def back(self, step: Step) -> str:
        previous = self.course.previous(step)
        return url_for("tidbok.mine", slug=self.slug) if previous is None else self.url(previous)

    def first_missing(self) -> Response:
        return redirect(self.url(self.course.first_missing()), code=303)

    def save(self, **changes: object) -> None:
        common.save_changes(self.draft, **changes)


def _eservice(action: str, key: str) -> str:
    return f"tidbok-{action}-{key}"


def _open(slug: str, key: str, action: str, confirming: bool = False) -> Changing | Response:
    """Where the journey stands, or a redirect when the booking no longer allows it.

    A confirming POST for a booking cancelled meanwhile gets the page that says so (`_changed`)
    instead of the plain redirect, so the citizen learns that their change was not made.
    """
    booking = own_booking(slug, key)
    if confirming and request.method == "POST" and not booking.active:
        return _changed(slug, booking)
    allowed = booking.may_rebook if action == "omboka" else booking.may_cancel
    if not booking.active or not allowed:
        return redirect(url_for("tidbok.mine", slug=slug), code=303)
    who = common.citizen()
    draft = services().store.open_draft(who.owner, slug, _eservice(action, booking.key))
    raw = draft.raw if draft is not None else {}
    middle = []
    if action == "omboka":
        start = common.parse_start(raw.get("start"))
        middle = [
            Middle(0, True, start is not None and start > common.now()),
            Middle(1, True, bool(raw.get("comment_done"))),
        ]
    course = Course(villkor_approved=common.approved(draft, slug, action), middle=middle)
    return Changing(slug, action, booking, who, draft, course)


def _changed(slug: str, booking: Booking) -> Response:
    """The booking as it is now, when it changed between the page the citizen saw and their button.

    409: the rebook or cancellation was not made (nothing stored, no reminder touched, no inbox copy).
    """
    page = render_template(
        "forms/booking/changed.html", message=CHANGED, booking=booking, clinic_name=common.clinic_name(slug),
        rows=common.booking_lines(slug, booking, common.citizen().subject.name) if booking.active else None,
        when=times.in_words(booking.start), mine_url=url_for("tidbok.mine", slug=slug),
    )
    return Response(page, status=409, mimetype="text/html")


def _as_seen(changing: Changing) -> Response | None:
    """The changed page unless the POST names the booked start the citizen's page showed (`bokad`)."""
    if common.parse_start(request.form.get("bokad")) != changing.booking.start:
        return _changed(changing.slug, changing.booking)
    return None


def _lost(changing: Changing, eservice: str, result_booking: Booking | None) -> Response:
    """The tidbok refused with CHANGED: the receipt if a twin POST of this same journey won, else the booking now."""
    done = _sent(None, changing.slug, eservice)
    if done is not None:
        return done
    return _changed(changing.slug, result_booking or own_booking(changing.slug, changing.booking.key))


def _villkor(slug: str, key: str, action: str) -> Response | str:
    changing = _open(slug, key, action)
    if isinstance(changing, Response):
        return changing
    error = None
    approved = changing.course.villkor_approved
    if common.stale("Fortsätt"):
        approved = request.form.get("approve") == "yes"
    elif request.method == "POST":
        if request.form.get("approve") == "yes":
            svc = services()
            svc.store.approve_villkor(
                changing.citizen.owner, slug, _eservice(action, changing.booking.key),
                villkor_hash(common.villkor_of(slug, action)), svc.now().replace(tzinfo=None),
            )
            again = _open(slug, key, action)
            assert not isinstance(again, Response)
            return redirect(again.url(again.course.after(VILLKOR)), code=303)
        error = "Du behöver godkänna villkoren för att fortsätta"
    return render_template(
        "forms/villkor.html", opened=common.villkor_page(slug, action), error=error,
        approved=approved, back_url=changing.back(VILLKOR), changing_what=describe.what(changing.booking),
    )


@bp.route("/<slug>/tidbok/<key>/omboka/", methods=["GET", "POST"])
@keeps_typing
@login_required
def omboka(slug: str, key: str) -> Response | str:
    return _villkor(slug, key, "omboka")


@bp.route("/<slug>/tidbok/<key>/avboka/", methods=["GET", "POST"])
@keeps_typing
@login_required
def avboka(slug: str, key: str) -> Response | str:
    return _villkor(slug, key, "avboka")


def _render_day(changing: Changing, view: object) -> str:
    return render_template(
        "forms/booking/day.html", view=view, errors=view.errors, time_type=changing.booking.time_type,  # type: ignore[attr-defined]
        back_url=changing.back(TIME), action_url=changing.url(TIME), day_url=changing.url(TIME),
        eservice_name=common.ACTION_NAMES["omboka"], clinic_name=common.clinic_name(changing.slug),
        current_time=times.in_words(changing.booking.start), changing_what=describe.what(changing.booking),
    )


@bp.route("/<slug>/tidbok/<key>/omboka/tid/", methods=["GET", "POST"])
@keeps_typing
@login_required
def omboka_time(slug: str, key: str) -> Response | str:
    changing = _open(slug, key, "omboka")
    if isinstance(changing, Response):
        return changing
    if changing.draft is None or not changing.course.may_visit(TIME):
        return changing.first_missing()
    type_id = changing.booking.time_type.id
    subject = changing.citizen.subject.personnummer
    if common.stale("Fortsätt"):
        posted = common.parse_start(request.form.get("tid"))
        return _render_day(changing, day_view(slug, type_id, subject, request.form.get("dag"), posted))
    if request.method == "POST":
        start = chosen_time(slug, type_id, subject, request.form.get("tid"))
        if start is not None:
            changing.save(start=start.isoformat())
            again = _open(slug, key, "omboka")
            assert not isinstance(again, Response)
            return redirect(again.url(again.course.after(TIME)), code=303)
        message = CHOOSE_TIME if not request.form.get("tid") else NOT_OFFERED
        return _render_day(changing, day_view(slug, type_id, subject, request.form.get("dag"), None).fail(message))
    current = common.parse_start(changing.raw.get("start"))
    return _render_day(changing, day_view(slug, type_id, subject, request.args.get("dag"), current))


def _comment(changing: Changing) -> tuple[str, str | None]:
    """The posted comment and its error, if any."""
    value = request.form.get("kommentar", "").strip()
    return value, COMMENT_TOO_LONG if len(value) > common.COMMENT_MAX else None


def _render_comment(changing: Changing, step: Step, value: str, error: str | None, button: str, title: str) -> str:
    return render_template(
        "forms/booking/text.html", title=title, field="kommentar", label="Kommentar",
        hint=f"Till exempel om något har ändrats. Högst {common.COMMENT_MAX} tecken.", optional=True,
        value=value, max_length=common.COMMENT_MAX, error=error,
        errors=[{"anchor": "kommentar", "message": error, "context": None}] if error else [],
        back_url=changing.back(step), button=button, eservice_name=common.ACTION_NAMES[changing.action],
        clinic_name=common.clinic_name(changing.slug),
        rows=common.booking_lines(changing.slug, changing.booking, changing.citizen.subject.name)
        if changing.action == "avboka" else None,
        draft_key=changing.draft.key if changing.draft is not None else "",
        changing_what=describe.what(changing.booking),
        booked=changing.booking.start.isoformat() if changing.action == "avboka" else None,
    )


@bp.route("/<slug>/tidbok/<key>/omboka/kommentar/", methods=["GET", "POST"])
@keeps_typing
@login_required
def omboka_comment(slug: str, key: str) -> Response | str:
    changing = _open(slug, key, "omboka")
    if isinstance(changing, Response):
        return changing
    if changing.draft is None or not changing.course.may_visit(COMMENT):
        return changing.first_missing()
    value = str(changing.raw.get("comment") or "")
    error = None
    if common.stale("Fortsätt"):
        value = request.form.get("kommentar", "")
    elif request.method == "POST":
        value, error = _comment(changing)
        if error is None:
            changing.save(comment=value or None, comment_done=True)
            return redirect(changing.url(CHECK), code=303)
    return _render_comment(changing, COMMENT, value, error, "Fortsätt", "Vill du lämna en kommentar?")


def _sent(changing: Changing | None, slug: str, eservice: str) -> Response | None:
    """A confirmation posted again after it was done: the receipt it gave."""
    if request.method != "POST":
        return None
    svc = services()
    who = common.citizen()
    key = request.form.get("draft", "")[:100]
    draft = svc.store.draft_by_key(who.owner, key) if key else None
    if draft is not None and draft.status == "sent" and (draft.clinic, draft.eservice) == (slug, eservice):
        case = svc.store.case_for_draft(draft.id)
        if case is not None:
            return redirect(common.receipt_url(slug, case), code=303)
    return None


@bp.route("/<slug>/tidbok/<key>/omboka/kontrollera/", methods=["GET", "POST"])
@keeps_typing
@login_required
def omboka_check(slug: str, key: str) -> Response | str:
    done = _sent(None, slug, _eservice("omboka", key[:40]))
    if done is not None:
        return done
    changing = _open(slug, key, "omboka", confirming=True)
    if isinstance(changing, Response):
        return changing
    if changing.draft is None or not changing.course.ready_to_send():
        return changing.first_missing()
    start = common.parse_start(changing.raw.get("start"))
    assert start is not None
    comment = str(changing.raw.get("comment") or "") or None
    shown = digest(start.isoformat(), comment)
    notice = None
    if request.method == "POST" and not common.stale("Omboka tiden"):
        refused = _as_seen(changing)
        if refused is not None:
            return refused
        if request.form.get("visad") != shown:  # another window changed the draft: show it, move nothing
            notice = common.MOVED["omboka"]
        else:
            return _rebook(changing, start, comment)
    rows = [
        {"label": "Mottagning", "lines": [common.clinic_name(slug)], "change": None},
        {"label": "Bokningen gäller", "lines": [changing.citizen.subject.name], "change": None},
        {"label": "Typ av tid", "lines": [changing.booking.time_type.name], "change": None},
        {"label": "Nuvarande tid", "lines": [times.in_words(changing.booking.start)], "change": None},
        {"label": "Ny tid", "lines": [times.in_words(start)], "change": changing.url(TIME)},
        {"label": "Kommentar", "lines": [comment or "Ingen kommentar"], "change": changing.url(COMMENT)},
    ]
    if changing.booking.time_type.info:
        rows.append({"label": "Övrigt", "lines": [changing.booking.time_type.info], "change": None})
    return render_template(
        "forms/booking/check.html", rows=rows, draft_key=changing.draft.key, button="Omboka tiden",
        back_url=changing.back(CHECK), title="Kontrollera din ombokning", shown=shown, notice=notice,
        booked=changing.booking.start.isoformat(),
        eservice_name=common.ACTION_NAMES["omboka"], clinic_name=common.clinic_name(slug),
        changing_what=describe.what(changing.booking), warning=describe.too_near(changing.booking, start, common.now()),
    )


def _rebook(changing: Changing, start: datetime.datetime, comment: str | None) -> Response | str:
    """"Omboka tiden": move the booking only if it is still where the citizen saw it, then the reminder and copy."""
    assert changing.draft is not None
    svc = services()
    slug = changing.slug
    was = changing.booking.start
    result = common.tidbok().update_booking(
        changing.booking.key, changing.citizen.subject.personnummer, start, comment, svc.now(), was=was
    )
    if result.text == CHANGED:
        return _lost(changing, _eservice("omboka", changing.booking.key), result.booking)
    if not result.ok or result.booking is None:
        changing.save(start=None)
        subject = changing.citizen.subject.personnummer
        day = start.astimezone(times.STOCKHOLM).date().isoformat()
        view = day_view(slug, changing.booking.time_type.id, subject, day, None)
        return _render_day(changing, view.fail(result.text or TAKEN))
    dropped = reminders.moved(svc.store.engine, was, result.booking, svc.now())
    case = common.send_copy(changing.draft, slug, "omboka", result.booking, reminder_dropped=dropped)
    return redirect(common.receipt_url(slug, case), code=303)


@bp.route("/<slug>/tidbok/<key>/avboka/kommentar/", methods=["GET", "POST"])
@keeps_typing
@login_required
def avboka_comment(slug: str, key: str) -> Response | str:
    """The one page of Avboka: the time, "Kommentar" (optional) and the button "Avboka tiden"."""
    done = _sent(None, slug, _eservice("avboka", key[:40]))
    if done is not None:
        return done
    changing = _open(slug, key, "avboka", confirming=True)
    if isinstance(changing, Response):
        return changing
    if changing.draft is None or not changing.course.ready_to_send():
        return changing.first_missing()
    value, error = "", None
    if common.stale("Avboka tiden"):
        value = request.form.get("kommentar", "")
    elif request.method == "POST":
        value, error = _comment(changing)
        refused = _as_seen(changing) if error is None else None
        if refused is not None:
            return refused
        if error is None:
            svc = services()
            result = common.tidbok().cancel_booking(
                changing.booking.key, changing.citizen.subject.personnummer, value or None, svc.now(),
                was=changing.booking.start,
            )
            if result.text == CHANGED:
                return _lost(changing, _eservice("avboka", changing.booking.key), result.booking)
            if result.ok and result.booking is not None:
                reminders.cancelled(svc.store.engine, result.booking)
                case = common.send_copy(changing.draft, slug, "avboka", result.booking)
                return redirect(common.receipt_url(slug, case), code=303)
            error = result.text
    return _render_comment(changing, CHECK, value, error, "Avboka tiden", "Avboka tiden")
