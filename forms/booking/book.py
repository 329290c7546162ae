"""Boka tid: villkor → where (when the entry lists other mottagningar) → type of time → day and
time → reason (when asked) → check → "Boka tiden".

The course is forms.platform.flow's, as for a case: each view works out where the draft stands and
sends anyone who skips ahead (by URL or by POST) to the first missing step, storing nothing.
Choosing a time stores the choice in the draft and reserves nothing; only "Boka tiden" asks the
tidbok to book, and a time taken in between shows the day's free times again with the contract's
error, having booked nothing.

With `clinics:` on the `boka` entry the journey keeps its address and its draft at this mottagning
(its villkor, approved once) and books in the chosen one's tidbok (`Booked.target`, forms.booking
.places; the step's view is forms.booking.where).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from forms.booking import common, kallelse, kallelse_views, places, times
from forms.booking.days import CHOOSE_TIME, DayView, chosen_time, day_view
from forms.booking.interface import NOT_OFFERED, TAKEN, Request, TimeType
from forms.platform.citizen import Citizen, login_required
from forms.platform.flow import CHECK, VILLKOR, Course, Middle, Step, villkor_hash
from forms.platform.flow import shown as digest
from forms.platform.security import keeps_typing
from forms.platform.services import services
from forms.store.cases import DraftRow

bp = Blueprint("booking", __name__)


@bp.context_processor
def _cancel_url() -> dict[str, str]:
    """"Avbryt" on every step of Boka tid: back to the contact page it began on, nothing booked."""
    slug = (request.view_args or {}).get("slug")
    return {"cancel_url": common.contact_page(slug)} if slug else {}

ESERVICE = "tidbok-boka"
TYPE, TIME, REASON, WHERE = Step("page", 0), Step("page", 1), Step("page", 2), Step("page", 3)
ENDPOINTS = {VILLKOR: "booking.villkor", WHERE: "booking.choose_where", TYPE: "booking.choose_type",
             TIME: "booking.choose_time", REASON: "booking.reason", CHECK: "booking.check"}
CHOOSE_TYPE = "Välj vilken typ av tid du vill boka."
REASON_REQUIRED = "Skriv varför du vill boka en tid."
REASON_TOO_LONG = f"Skriv högst {common.REASON_MAX} tecken om varför du vill boka."


@dataclass
class Booked:
    """Where one citizen's Boka draft stands."""

    slug: str
    citizen: Citizen
    draft: DraftRow | None
    types: list[TimeType]
    time_type: TimeType | None
    course: Course
    invitation: kallelse.Invitation | None = None  # booking through a kallelse: its one type only
    target: str = ""  # the mottagning whose tidbok this booking is made in: `slug` or a listed one
    offered: tuple[places.Place, ...] = ()  # "Var vill du boka tid?": more than one, or not asked

    @property
    def raw(self) -> dict[str, object]:
        return dict(self.draft.raw) if self.draft is not None else {}

    def url(self, step: Step) -> str:
        return url_for(ENDPOINTS[step], slug=self.slug)

    def back(self, step: Step) -> str:
        previous = self.course.previous(step)
        return common.contact_page(self.slug) if previous is None else self.url(previous)

    def go_first_missing(self) -> Response:
        return redirect(self.url(self.course.first_missing()), code=303)


def _open(slug: str) -> Booked:
    if "boka" not in common.entries(slug):
        abort(404)
    who = common.citizen()
    draft = services().store.open_draft(who.owner, slug, ESERVICE)
    raw = draft.raw if draft is not None else {}
    invitation = kallelse_views.invitation(slug, who.subject.personnummer)
    if invitation is not None:
        # The invited type, given explicitly: offered to this citizen whether or not the web offers it,
        # at this mottagning (a kallelse asks no "Var vill du boka tid?").
        offered: list[places.Place] = []
        target = slug
        types = [t for t in common.tidbok().time_types(slug) if t.id == invitation.time_type]
        time_type = types[0] if types else None
    else:
        offered = places.choices(slug, who.subject.personnummer, common.now())
        target = places.target(slug, raw, offered)
        types = common.offered_types(target, who.subject.personnummer, common.now())
        time_type = next((t for t in types if t.id == raw.get("type")), None)
    start = common.parse_start(raw.get("start"))
    reason_done = bool(raw.get("reason_done")) and (
        time_type is not None and (time_type.reason != "required" or bool(raw.get("reason")))
    )
    course = Course(
        villkor_approved=common.approved(draft, slug, "boka"),
        middle=[
            Middle(WHERE.index, len(offered) > 1, places.chosen(raw, offered)),
            Middle(0, invitation is None, time_type is not None),  # a kallelse has chosen the type
            Middle(1, True, start is not None and start > common.now()),
            Middle(2, time_type is None or time_type.reason != "none", reason_done),
        ],
    )
    return Booked(slug, who, draft, types, time_type, course, invitation, target, tuple(offered))


def _save(booked: Booked, **changes: object) -> None:
    common.save_changes(booked.draft, **changes)


def _after(slug: str, step: Step) -> Response:
    booked = _open(slug)
    return redirect(booked.url(booked.course.after(step)), code=303)


@bp.route("/<slug>/tidbok/boka/", methods=["GET", "POST"])
@keeps_typing
@login_required
def villkor(slug: str) -> Response | str | tuple[str, int]:
    booked = _open(slug)
    if (spent := kallelse_spent(booked)) is not None:
        return spent
    error = None
    approved = booked.course.villkor_approved
    if common.stale("Fortsätt"):
        approved = request.form.get("approve") == "yes"
    elif request.method == "POST":
        if request.form.get("approve") == "yes":
            svc = services()
            svc.store.approve_villkor(
                booked.citizen.owner, slug, ESERVICE, villkor_hash(common.villkor_of(slug, "boka")),
                svc.now().replace(tzinfo=None),
            )
            return _after(slug, VILLKOR)
        error = "Du behöver godkänna villkoren för att fortsätta"
    return render_template(
        "forms/villkor.html", opened=common.villkor_page(slug, "boka"), error=error,
        approved=approved, back_url=common.contact_page(slug),
    )


@bp.route("/<slug>/tidbok/boka/typ/", methods=["GET", "POST"])
@keeps_typing
@login_required
def choose_type(slug: str) -> Response | str | tuple[str, int]:
    booked = _open(slug)
    if (spent := kallelse_spent(booked)) is not None:
        return spent
    if booked.draft is None or not booked.course.may_visit(TYPE):
        return booked.go_first_missing()
    errors = []
    chosen = booked.time_type.id if booked.time_type else None
    if common.stale("Fortsätt"):
        posted = request.form.get("typ", "")[:100]
        chosen = posted if any(t.id == posted for t in booked.types) else chosen
    elif request.method == "POST":
        posted = request.form.get("typ", "")[:100]
        found = next((t for t in booked.types if t.id == posted), None)
        # max_per_person: said here, at once, rather than after a day and a time are chosen (the
        # confirmation counts again, in its write).
        limit = common.tidbok().limit_reached(slug, found.id, booked.citizen.subject.personnummer, common.now()
                                              ) if found is not None else None
        if found is not None and limit is None:
            if found.id != chosen:
                _save(booked, type=found.id, start=None, reason=None, reason_done=None)
            return _after(slug, TYPE)
        anchor = f"typ-{(found or booked.types[0]).id}" if booked.types else "typ"
        errors = [{"anchor": anchor, "message": limit or CHOOSE_TYPE, "context": None}]
        chosen = found.id if found is not None else chosen
    return render_template(
        "forms/booking/types.html", booked=booked, chosen=chosen, errors=errors, back_url=booked.back(TYPE),
        eservice_name=common.villkor_page(slug, "boka").eservice.name, clinic_name=common.clinic_name(booked.target),
    )


def render_day(booked: Booked, view: DayView, status: int = 200) -> tuple[str, int]:
    assert booked.time_type is not None
    page = render_template(
        "forms/booking/day.html", view=view, errors=view.errors, time_type=booked.time_type,
        back_url=booked.back(TIME), action_url=booked.url(TIME), day_url=booked.url(TIME),
        eservice_name=common.villkor_page(booked.slug, "boka").eservice.name,
        clinic_name=common.clinic_name(booked.target),
    )
    return page, status


@bp.route("/<slug>/tidbok/boka/tid/", methods=["GET", "POST"])
@keeps_typing
@login_required
def choose_time(slug: str) -> Response | str | tuple[str, int]:
    booked = _open(slug)
    if (spent := kallelse_spent(booked)) is not None:
        return spent
    if booked.draft is None or not booked.course.may_visit(TIME) or booked.time_type is None:
        return booked.go_first_missing()
    subject = booked.citizen.subject.personnummer
    current = common.parse_start(booked.raw.get("start"))
    at = booked.target
    if common.stale("Fortsätt"):
        posted = common.parse_start(request.form.get("tid"))
        return render_day(booked, day_view(at, booked.time_type.id, subject, request.form.get("dag"), posted))
    if request.method == "POST":
        start = chosen_time(at, booked.time_type.id, subject, request.form.get("tid"))
        if start is not None:
            _save(booked, start=start.isoformat())
            return _after(slug, TIME)
        message = CHOOSE_TIME if not request.form.get("tid") else NOT_OFFERED
        view = day_view(at, booked.time_type.id, subject, request.form.get("dag"), None)
        return render_day(booked, view.fail(message))
    return render_day(booked, day_view(at, booked.time_type.id, subject, request.args.get("dag"), current))


@bp.route("/<slug>/tidbok/boka/orsak/", methods=["GET", "POST"])
@keeps_typing
@login_required
def reason(slug: str) -> Response | str | tuple[str, int]:
    booked = _open(slug)
    if (spent := kallelse_spent(booked)) is not None:
        return spent
    if booked.draft is None or not booked.course.may_visit(REASON) or booked.time_type is None:
        return booked.go_first_missing()
    value = str(booked.raw.get("reason") or "")
    error = None
    if common.stale("Fortsätt"):
        value = request.form.get("orsak", "")
    elif request.method == "POST":
        value = request.form.get("orsak", "").strip()
        if booked.time_type.reason == "required" and not value:
            error = REASON_REQUIRED
        elif len(value) > common.REASON_MAX:
            error = REASON_TOO_LONG
        else:
            _save(booked, reason=value or None, reason_done=True)
            return _after(slug, REASON)
    return render_template(
        "forms/booking/text.html", title="Varför vill du boka tiden?", field="orsak", label="Orsak till besöket",
        hint=f"Skriv kort, högst {common.REASON_MAX} tecken. Skriv inte känsliga uppgifter som inte behövs.",
        optional=booked.time_type.reason == "optional", value=value, max_length=common.REASON_MAX,
        errors=[{"anchor": "orsak", "message": error, "context": None}] if error else [], error=error,
        back_url=booked.back(REASON), button="Fortsätt", rows=None,
        eservice_name=common.villkor_page(slug, "boka").eservice.name, clinic_name=common.clinic_name(booked.target),
    )


@bp.route("/<slug>/tidbok/boka/kontrollera/", methods=["GET", "POST"])
@keeps_typing
@login_required
def check(slug: str) -> Response | str | tuple[str, int]:
    """"Kontrollera din bokning", and "Boka tiden" posted to it: the only step that books."""
    svc = services()
    booked = _open(slug)
    if request.method == "POST":
        key = request.form.get("draft", "")[:100]
        draft = svc.store.draft_by_key(booked.citizen.owner, key) if key else None
        if draft is not None and draft.status == "sent" and (draft.clinic, draft.eservice) == (slug, ESERVICE):
            case = svc.store.case_for_draft(draft.id)
            if case is not None:
                return redirect(common.receipt_url(slug, case), code=303)
    if (spent := kallelse_spent(booked)) is not None:
        return spent
    if booked.draft is None:
        return booked.go_first_missing()
    if not booked.course.ready_to_send():
        return booked.go_first_missing()
    assert booked.time_type is not None
    start = common.parse_start(booked.raw.get("start"))
    assert start is not None
    who = booked.citizen
    reason = str(booked.raw.get("reason") or "") or None
    shown = digest(booked.target, booked.time_type.id, start.isoformat(), reason)
    notice = None
    if request.method == "POST" and not common.stale("Boka tiden"):
        if request.form.get("visad") != shown:  # another window changed the draft: show it, book nothing
            notice = common.MOVED["boka"]
        else:
            return _book(booked, start, reason)
    rows = [
        {"label": "Mottagning", "lines": [common.clinic_name(booked.target)],
         "change": booked.url(WHERE) if len(booked.offered) > 1 else None},
        {"label": "Bokningen gäller", "lines": [who.subject.name], "change": None},
        {"label": "Typ av tid", "lines": [booked.time_type.name], "change": booked.url(TYPE)},
        {"label": "Tid", "lines": [times.in_words(start)], "change": booked.url(TIME)},
    ]
    if booked.time_type.reason != "none":
        rows.append({"label": "Orsak", "lines": [reason or "Ingen orsak angiven"], "change": booked.url(REASON)})
    if booked.time_type.info:
        rows.append({"label": "Övrigt", "lines": [booked.time_type.info], "change": None})
    return render_template(
        "forms/booking/check.html", rows=rows, draft_key=booked.draft.key, button="Boka tiden",
        back_url=booked.back(CHECK), title="Kontrollera din bokning", shown=shown, notice=notice,
        eservice_name=common.villkor_page(slug, "boka").eservice.name, clinic_name=common.clinic_name(booked.target),
    )


def _book(booked: Booked, start: datetime.datetime, reason: str | None) -> Response | tuple[str, int]:
    """"Boka tiden" for what the check page showed: the receipt, or the day again if the time was taken."""
    assert booked.draft is not None and booked.time_type is not None
    svc = services()
    who = booked.citizen
    slug = booked.slug
    result = common.tidbok().make_booking(
        Request(
            clinic=booked.target, time_type=booked.time_type.id, start=start, subject=who.subject.personnummer,
            booked_by=who.actor.personnummer, reason=reason, request_key=booked.draft.key,
            kallelse=booked.invitation.id if booked.invitation is not None else None,
        ),
        svc.now(),
    )
    if result.text == kallelse.SPENT:  # another booking through it won the race
        return _kallelse_spent(booked)
    if not result.ok or result.booking is None:
        _save(booked, start=None)
        view = day_view(booked.target, booked.time_type.id, who.subject.personnummer,
                        start.astimezone(times.STOCKHOLM).date().isoformat(), None)
        return render_day(_open(slug), view.fail(result.text or TAKEN))
    case = common.send_copy(booked.draft, booked.target, "boka", result.booking)
    kallelse_views.forget(slug)
    return redirect(common.receipt_url(slug, case), code=303)


def kallelse_spent(booked: Booked) -> tuple[str, int] | None:
    """The "Kallelsen är redan använd" page if this journey went through a kallelse that has been
    spent since (by another guardian, or in another window); None otherwise.

    Every step asks, not only "Boka tiden": without it the journey quietly lost the kallelse's type
    (often not on the web) and sent the citizen to a choice of types, or the villkor, with no word why."""
    if booked.invitation is None and kallelse_views.spent_meanwhile(booked.slug):
        return _kallelse_spent(booked)
    return None


def _kallelse_spent(booked: Booked) -> tuple[str, int]:
    """The journey's kallelse was spent by another booking: nothing booked, the draft's time let go.

    Before this, a racer that lost inside the transaction was shown the day of the kallelse's type
    again, which (the kallelse gone) its journey no longer had: an AssertionError, a 500."""
    if booked.draft is not None:
        _save(booked, start=None)
    kallelse_views.forget(booked.slug)
    return kallelse_views.spent_page()
