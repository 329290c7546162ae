"""The course of one e-service: villkor, the form's pages, check, send.

Every view first works out where the draft stands (forms.platform.flow) and sends anyone who tries to skip
ahead, by typing a URL or by posting, to the first step that is missing, storing nothing. GET never
changes anything; the draft is created by approving the villkor, and a case by pressing "Skicka".
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from forms.cases import recipient
from forms.cases.engine import (
    EngineContext,
    PageForm,
    Walk,
    apply_action,
    drop_inapplicable,
    parse_action,
    raw_from,
    walk,
)
from forms.cases.engine import summarize as summarize_answers
from forms.cases.engine.messages import APPROVE_VILLKOR
from forms.identity.records import prescriptions_to_list
from forms.platform.citizen import Citizen, current_citizen, login_required
from forms.platform.flow import CHECK, VILLKOR, Course, Middle, Step, villkor_hash
from forms.platform.flow import shown as digest
from forms.platform.security import keeps_typing, stale_notice, token_was_stale
from forms.platform.services import services
from forms.platform.workdays import due_at
from forms.store.cases import CaseContent, DraftRow
from sitegen.content.models import Page
from sitegen.site.resolve import ResolvedEService, find_form

bp = Blueprint("eservice", __name__)


@bp.before_request
def _only_real_eservices() -> None:
    """An address that serves no e-service is 404 for everyone, before any login.

    Sending a visitor through the login first would promise a form that is not there.
    """
    args = request.view_args or {}
    if "slug" in args and "eservice_id" in args:
        eservice = find_form(services().content, args["slug"], args["eservice_id"])
        if eservice is None or eservice.form is None:
            abort(404)

RETURN_PARAM = "fran"
RETURN_TO_CHECK = "kontrollera"
NO_LIST_CHILD = (
    "När du använder e-tjänsten för ett barn visas inga tidigare recept. "
    "Skriv in de läkemedel du vill förnya."
)
NO_LIST_YOUNG = (
    "Listan med tidigare recept visas för dig som är 16 år eller äldre. "
    "Skriv in de läkemedel du vill förnya."
)


@dataclass
class Opened:
    """An e-service opened by a logged-in citizen, with their draft and where it stands."""

    slug: str
    eservice_id: str
    eservice: ResolvedEService
    citizen: Citizen
    draft: DraftRow | None
    context: EngineContext
    walk: Walk
    course: Course

    @property
    def pages(self) -> list[Page]:
        assert self.eservice.form is not None
        return list(self.eservice.form.pages)

    @property
    def clinic_name(self) -> str:
        return services().content.clinics[self.slug].name

    def url(self, step: Step, returning: bool = False) -> str:
        if step.kind == "villkor":
            return url_for("eservice.villkor", slug=self.slug, eservice_id=self.eservice_id)
        if step.kind == "check":
            return url_for("eservice.check", slug=self.slug, eservice_id=self.eservice_id)
        args = {RETURN_PARAM: RETURN_TO_CHECK} if returning else {}
        return url_for("eservice.page", slug=self.slug, eservice_id=self.eservice_id, number=step.index + 1, **args)

    def back_url(self, step: Step, returning: bool = False) -> str:
        """Where "Tillbaka" leads: the check page when changing an answer, else the step before."""
        if returning:
            return self.url(CHECK)
        previous = self.course.previous(step)
        if previous is None:
            return _contact_page(self.slug)
        return self.url(previous)


def _contact_page(slug: str) -> str:
    return f"{services().site_root}mottagningar/{slug}/"


@bp.context_processor
def _cancel_url() -> dict[str, str]:
    """"Avbryt" on every step leads back to the contact page the e-service was started from.

    A link, so leaving sends nothing; the draft stays, as after closing the tab.
    """
    slug = (request.view_args or {}).get("slug")
    return {"cancel_url": _contact_page(slug)} if slug else {}


def _context(eservice: ResolvedEService, citizen: Citizen) -> EngineContext:
    assert eservice.form is not None
    asks_prescriptions = any(q.type == "prescriptions" for page in eservice.form.pages for q in page.questions)
    if not asks_prescriptions:
        return EngineContext(options=eservice.options)
    svc = services()
    listed = prescriptions_to_list(
        svc.records,
        citizen.subject.personnummer,
        eservice.form_clinic or "",
        acting_for_child=citizen.acting_for_child,
        today=svc.today(),
    )
    reason = None if listed is not None else (NO_LIST_CHILD if citizen.acting_for_child else NO_LIST_YOUNG)
    return EngineContext(options=eservice.options, prescriptions=listed, no_list_reason=reason)


def _open(slug: str, eservice_id: str, draft: DraftRow | None = None) -> Opened:
    """The e-service at `{slug}/{eservice_id}/` for the logged-in citizen; 404 if there is none."""
    svc = services()
    eservice = find_form(svc.content, slug, eservice_id)
    if eservice is None or eservice.form is None:
        abort(404)
    eservice = recipient.with_recipient(eservice, svc.content.site)
    citizen = current_citizen()
    assert citizen is not None
    if draft is None:
        draft = svc.store.open_draft(citizen.owner, slug, eservice_id)
    context = _context(eservice, citizen)
    state = walk(eservice.form.pages, context, draft.raw if draft is not None else {})
    approved = draft is not None and draft.villkor_sha256 == villkor_hash(eservice.form.villkor)
    course = Course(
        villkor_approved=approved,
        middle=[Middle(s.index, s.applies, s.complete) for s in state.states],
    )
    return Opened(slug, eservice_id, eservice, citizen, draft, context, state, course)


@bp.route("/<slug>/<eservice_id>/", methods=["GET", "POST"])
@keeps_typing
@login_required
def villkor(slug: str, eservice_id: str) -> Response | str:
    """The villkor, which must be approved before anything of the form is shown."""
    opened = _open(slug, eservice_id)
    assert opened.eservice.form is not None
    error = None
    approved = opened.course.villkor_approved
    if request.method == "POST" and token_was_stale():
        g.stale_notice = stale_notice("Fortsätt")
        approved = request.form.get("approve") == "yes"
    elif request.method == "POST":
        if request.form.get("approve") == "yes":
            svc = services()
            svc.store.approve_villkor(
                opened.citizen.owner,
                slug,
                eservice_id,
                villkor_hash(opened.eservice.form.villkor),
                svc.now().replace(tzinfo=None),
            )
            opened = _open(slug, eservice_id)
            return redirect(opened.url(opened.course.after(VILLKOR)), code=303)
        error = APPROVE_VILLKOR
    return render_template(
        "forms/villkor.html",
        opened=opened,
        error=error,
        approved=approved,
        back_url=opened.back_url(VILLKOR),
    )


@bp.route("/<slug>/<eservice_id>/sida/<int:number>/", methods=["GET", "POST"])
@keeps_typing
@login_required
def page(slug: str, eservice_id: str, number: int) -> Response | str:
    """One page of the form: shown, answered, or changed from the check page."""
    opened = _open(slug, eservice_id)
    if not 1 <= number <= len(opened.pages):
        abort(404)
    step = Step("page", number - 1)
    returning = request.args.get(RETURN_PARAM) == RETURN_TO_CHECK
    if opened.draft is None or not opened.course.may_visit(step):
        return redirect(opened.url(opened.course.first_missing()), code=303)
    definition = opened.pages[step.index]
    key = str(step.index)
    store = services().store
    if request.method == "GET":
        # Shown bound to the stored answers, unchecked. A complete page's form, from the walk, is
        # that form already (valid, it has no errors); an incomplete page is bound afresh, since
        # the walk's form holds errors a GET does not show.
        stored = opened.walk.forms.get(step.index)
        form = stored or PageForm(definition, opened.context, opened.draft.raw.get(key))
        return _render_page(opened, step, form, returning)

    raw = raw_from(definition, request.form)
    if token_was_stale():
        # Shown again as typed, unchecked and unsaved: it is saved when the citizen sends it again.
        g.stale_notice = stale_notice("Fortsätt")
        return _render_page(opened, step, PageForm(definition, opened.context, raw), returning)
    action = parse_action(definition, request.form.get("action"))
    # Only this page's answers are saved, merged into the draft as it is stored by then: another
    # window may have saved another page since this request read the draft.
    if action is not None:
        changed, anchor = apply_action(action, raw, opened.context)
        store.merge_raw(opened.draft.id, {key: changed})
        return redirect(f"{opened.url(step, returning)}#{anchor}", code=303)
    form = PageForm(definition, opened.context, raw)
    valid = form.validate()
    tidy = partial(drop_inapplicable, opened.pages, opened.context) if valid else None
    store.merge_raw(opened.draft.id, {key: raw}, tidy)
    if not valid:
        return _render_page(opened, step, form, returning)
    opened = _open(slug, eservice_id)
    following = opened.course.after(step, returning)
    return redirect(opened.url(following, returning and following.kind == "page"), code=303)


def _render_page(opened: Opened, step: Step, form: PageForm, returning: bool) -> str:
    controls = form.controls()
    return render_template(
        "forms/page.html",
        opened=opened,
        definition=opened.pages[step.index],
        controls=controls,
        errors=form.errors,
        has_items=any(c.kind in {"repeat", "prescriptions"} for c in controls),
        back_url=opened.back_url(step, returning),
        returning=returning,
    )


@bp.route("/<slug>/<eservice_id>/kontrollera/", methods=["GET", "POST"])
@login_required
def check(slug: str, eservice_id: str) -> Response | str:
    """"Kontrollera dina svar": every answer with an "Ändra" link, and "Skicka".

    Nothing posts here (sending goes to skicka/); a POST anyway, edited or replayed, is treated as
    an attempt to skip ahead: to the first missing step, or to this page by GET, storing nothing.
    """
    opened = _open(slug, eservice_id)
    if request.method == "POST" and not token_was_stale():
        target = opened.course.first_missing() if opened.draft is not None else VILLKOR
        return redirect(opened.url(target), code=303)
    if opened.draft is None:
        sent = services().store.latest_sent_draft(opened.citizen.owner, slug, eservice_id)
        case = services().store.case_for_draft(sent.id) if sent is not None else None
        if case is not None:
            return redirect(url_for("inbox.receipt", reference=case.reference), code=303)
        return redirect(opened.url(VILLKOR), code=303)
    if not opened.course.ready_to_send():
        return redirect(opened.url(opened.course.first_missing()), code=303)
    return _render_check(opened, summarize_answers(opened.pages, opened.walk))


# "Skicka" from a check page whose answers another window changed meanwhile: nothing is sent.
MOVED = "Du har ändrat svaren i ett annat fönster. Läs igenom svaren och skicka igen."


def _render_check(opened: Opened, summary: list[dict[str, Any]], notice: str | None = None) -> str:
    """The check page; its "Skicka" carries a digest of the answers it shows (`visad`)."""
    return render_template(
        "forms/check.html",
        opened=opened,
        summary=summary,
        shown=_digest_of(summary),
        notice=notice,
        back_url=opened.back_url(CHECK),
    )


def _digest_of(summary: list[dict[str, Any]]) -> str:
    return digest(json.dumps(summary, sort_keys=True, ensure_ascii=False, default=str))


@bp.post("/<slug>/<eservice_id>/skicka/")
@keeps_typing
@login_required
def send(slug: str, eservice_id: str) -> Response | str:
    """Store the case exactly once; a repeated send shows the receipt of the case already sent."""
    if token_was_stale():
        g.stale_notice = stale_notice("Skicka")
        return check(slug, eservice_id)  # type: ignore[no-any-return]
    svc = services()
    citizen = current_citizen()
    assert citizen is not None
    key = request.form.get("draft", "")[:100]
    draft = svc.store.draft_by_key(citizen.owner, key) if key else None
    if draft is not None and (draft.clinic, draft.eservice) != (slug, eservice_id):
        abort(404)
    if draft is not None and draft.status == "sent":
        case = svc.store.case_for_draft(draft.id)
        if case is not None:
            return redirect(url_for("inbox.receipt", reference=case.reference), code=303)
    opened = _open(slug, eservice_id, draft=draft)
    if opened.draft is None or opened.draft.status != "open":
        return redirect(opened.url(VILLKOR), code=303)
    if not opened.course.ready_to_send():
        return redirect(opened.url(opened.course.first_missing()), code=303)
    summary = summarize_answers(opened.pages, opened.walk)
    if request.form.get("visad") != _digest_of(summary):  # another window changed the answers: show them
        return _render_check(opened, summary, notice=MOVED)
    site = svc.content.site
    unit = recipient.unit_for(site, opened.eservice, opened.walk.answers)
    content = CaseContent(
        clinic_name=recipient.unit_clinic_name(site, opened.clinic_name) if unit else opened.clinic_name,
        eservice_name=opened.eservice.name,
        answers=opened.walk.answers,
        summary=summary,
        clinic=unit,  # Patientnämnden: stored at the unit, never seen by the mottagning
    )
    now = svc.now()
    due = due_at(now).replace(tzinfo=None)
    case = svc.store.send(opened.draft, content, at=now.astimezone(datetime.UTC).replace(tzinfo=None), due_at=due)
    return redirect(url_for("inbox.receipt", reference=case.reference), code=303)
