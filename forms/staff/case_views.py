"""The case page and the actions on a case (CONTRACT section 6; the list is forms.staff.case_list).

Every case page shown is written to the access log; every action is written in the transaction
that makes it (forms.staff.casework). A refused, conflicting or invalid action shows the case page
again with a message at the top and what was typed kept in its field; the case page, however it
comes to be shown, is rendered by `_case_page` alone, which writes its read row.

The answer, the delsvar and the note are one form (each button posts to its own action), so that
whatever comes back with the page (a mistake, a conflict, a standardsvar added to the answer, which
without JavaScript is a round trip) comes back with everything typed in all three fields.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from forms.platform.flow import villkor_hash
from forms.platform.links import links_along
from forms.platform.security import STALE_PAGE
from forms.platform.services import services
from forms.staff import accesslog, case_reads, casework, concerns, directory, rules
from forms.staff.case_reads import CaseRow
from forms.staff.casework import Action, Conflict, Refused
from forms.staff.reads import keeps_connection, logs_reads, request_transaction
from forms.staff.rules import CaseView
from forms.staff.web import bp, keeps_typing, log_here, me, refuse, render, role_text, roles_at, token_was_stale
from forms.store.engine import writing
from sitegen.content.digits import ascii_int
from sitegen.site.resolve import find_form

CONFLICT = "Ärendet har ändrats av någon annan. Läs igenom ärendet igen. Det du skrev finns kvar nedan."
KEY = {rules.PARTIAL: "delsvar", rules.ANSWER: "svar", rules.NOTE: "anteckning"}  # each text's field name
FIELD = {action: f"{key}-text" for action, key in KEY.items()}  # and its id
EMPTY = {
    rules.PARTIAL: "Skriv ett delsvar.",
    rules.ANSWER: "Skriv ett svar.",
    rules.NOTE: "Skriv en anteckning.",
}
TOO_LONG = "Texten får vara högst 5000 tecken. Korta den."
CHOOSE = "Välj ett av standardsvaren i listan."
ADDED = "Standardsvaret ”{title}” är tillagt sist i svaret. Läs igenom svaret innan du skickar det."
CHANGED = "Ärendet har ändrats sedan du öppnade det. Läs igenom det igen innan du skickar något."


def _allowed(case: CaseRow, roles: frozenset[str]) -> list[str]:
    return rules.allowed_actions(roles, me().person.hsa_id, CaseView(case.status, case.handler))


def _find(clinic: str, reference: str) -> CaseRow | None:
    with services().store.engine.connect() as connection:
        return case_reads.case(connection, clinic, reference)


def with_standard(typed: str, standard: str) -> str:
    """The answer with a standardsvar added: after what was typed, a blank line between, or alone
    when nothing was typed. Never in place of it: the handler's own words are the answer."""
    kept = typed.replace("\r\n", "\n").rstrip()
    return f"{kept}\n\n{standard}" if kept else standard


def _villkor_today(clinic: str, found: CaseRow) -> bool:
    """Whether the villkor the citizen approved are the e-service's villkor today (the same text
    the citizen's side hashes: the form's, which a mottagning's own e-service has too)."""
    form = find_form(services().content, clinic, found.eservice)
    return form is not None and form.form is not None and villkor_hash(form.form.villkor) == found.villkor_sha256


def _case_page(
    clinic: str,
    reference: str,
    roles: frozenset[str],
    *,
    errors: list[dict[str, Any]] | None = None,
    typed: dict[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
    shown_after: str = "",
    standard: str | None = None,
    seen_version: str | None = None,
) -> tuple[str, int] | None:
    """The case page, and the only way it is shown; None when this person may not see the case (now).

    It shows the answers, the personnummer and the history, so its read row is written here, in
    the transaction that reads what the page shows: no view, error path or message shown with the
    case can show it unlogged, and each page shown is exactly one row. (A GET uses the request's
    transaction, opened with the staff session; a POST shown again, after a refusal or a mistake,
    one of its own.) `standard`: the id of a standardsvar to add to the typed answer, if it is one
    this page offers; `seen_version`: the case's version on the page the request came from.
    """
    svc = services()
    who = me().person.hsa_id
    transaction = request_transaction() if keeps_connection() else writing(svc.store.engine).begin()
    with transaction as connection:
        found = case_reads.case(connection, clinic, reference)
        if found is None or not rules.can_see(roles, who, CaseView(found.status, found.handler)):
            return None
        allowed = _allowed(found, roles)
        reads = case_reads.page_reads(connection, clinic, found, allowed)
        concerning = concerns.concerned(connection, clinic, [found.reference]).get(found.reference, "")
        accesslog.record(
            connection,
            at=svc.now(),
            hsa_id=who,
            role=role_text(roles),
            clinic=clinic,
            action="read",
            personnummer=found.subject,
            case_reference=found.reference,
            detail=f"visades igen efter {shown_after}" if shown_after else "",
        )
    typed = dict(typed or {})
    notices = [notice] if notice else []
    if seen_version not in (None, "", str(found.version)):
        notices.append(CHANGED)
    if standard is not None and rules.ANSWER in allowed:
        picked = next((a for a in reads.answers if str(a.id) == standard), None)
        if picked is None:
            errors = [*(errors or []), {"anchor": "standardsvar", "message": CHOOSE, "context": None}]
            status = 422
        else:
            typed["svar"] = with_standard(typed.get("svar", ""), picked.text)
            notices.append(ADDED.format(title=picked.title))
    return (
        render(
            "staff/case.html",
            clinic=clinic,
            case=found,
            # Where each of the page's forms posts: act("svara") is staff.act's address for it.
            act=links_along("staff.act", "action", clinic=clinic, reference=found.reference),
            person=svc.identity.find_person(found.subject),
            handler=reads.handler,
            events=reads.events,
            allowed=allowed,
            handlers=reads.handlers,
            answers=reads.answers,
            kallelse=reads.kallelse,
            typed=typed,
            errors=errors or [],
            notice=" ".join(notices),
            late=casework.is_late(found, svc.now()),
            villkor_current=_villkor_today(clinic, found),
            me=me().person,
            concerns=concerning,
        ),
        status,
    )


def _typed() -> dict[str, str]:
    """The three texts of the case page's form, as typed."""
    return {key: request.form.get(key, "") for key in KEY.values()}


def _lost(clinic: str, action: str) -> tuple[str, int]:
    """What was typed, without the case: it was theirs when they opened it and is no longer."""
    errors = [{"anchor": "kept-text", "message": CONFLICT, "context": None}]
    typed = request.form.get(KEY.get(action, ""), "") or "\n\n".join(t for t in _typed().values() if t.strip())
    page = render("staff/conflict.html", clinic=clinic, errors=errors, typed=typed)
    return page, 409


Page = tuple[str, int]


def _visible(
    clinic: str, reference: str, roles: frozenset[str], action: str
) -> tuple[CaseRow, None] | tuple[None, Page]:
    """The case a post is about, if this person may see it; else what they typed alone if it was
    theirs when they opened it and someone has since changed it; otherwise a refusal (404)."""
    found = _find(clinic, reference)
    if found is not None and not rules.can_see(roles, me().person.hsa_id, CaseView(found.status, found.handler)):
        if request.form.get("version") not in (None, "", str(found.version)):
            # It was theirs when they opened it, and someone has since changed it (answered it, or
            # distributed it elsewhere): say so and keep their text, without showing the case.
            return None, _lost(clinic, action)
        found = None
    if found is None:
        refuse(clinic, "case")
    return found, None


@bp.get("/personal/<clinic>/arenden/<reference>/")
@logs_reads
def case(clinic: str, reference: str) -> tuple[str, int]:
    roles = roles_at(clinic, rules.can_see_cases)
    page = _case_page(clinic, reference, roles)
    if page is None:
        refuse(clinic, "case")  # after the page's transaction: the refusal writes a row of its own
    return page


def _again(clinic: str, found: CaseRow, roles: frozenset[str], action: str, **shown: Any) -> tuple[str, int]:
    """The case page shown again after a posted action that was not done (or, if the case is no
    longer theirs meanwhile, only what they typed)."""
    return _case_page(clinic, found.reference, roles, shown_after=action, **shown) or _lost(clinic, action)


@bp.post("/personal/<clinic>/arenden/<reference>/standardsvar/")
@keeps_typing
def add_standard(clinic: str, reference: str) -> tuple[str, int]:
    """The page again with the chosen standardsvar added to the answer and every text kept: the
    round trip a select without JavaScript needs (it was a GET that put the standardsvar in place
    of the answer and dropped the other fields). Nothing is stored."""
    roles = roles_at(clinic, rules.can_see_cases)
    found, lost = _visible(clinic, reference, roles, rules.ANSWER)
    if found is None:
        return lost  # type: ignore[return-value]
    return _again(
        clinic,
        found,
        roles,
        "standardsvar",
        typed=_typed(),
        standard=request.form.get("standardsvar", "")[:20],
        seen_version=request.form.get("version"),
    )


@bp.post("/personal/<clinic>/arenden/<reference>/<action>/")
@keeps_typing
def act(clinic: str, reference: str, action: str) -> Response | tuple[str, int]:
    roles = roles_at(clinic, rules.can_see_cases)
    if action not in rules.ACTIONS:
        refuse(clinic, "action")
    svc = services()
    found, lost = _visible(clinic, reference, roles, action)
    if found is None:
        return lost  # type: ignore[return-value]
    typed = _typed()
    key = KEY.get(action)
    text = typed[key].replace("\r\n", "\n").strip() if key else ""
    if token_was_stale():
        return _again(clinic, found, roles, action, typed=typed, notice=STALE_PAGE.format(button="knappen"), status=400)
    if key and not text:
        errors = [{"anchor": FIELD[action], "message": EMPTY[action], "context": None}]
        return _again(clinic, found, roles, action, errors=errors, typed=typed, status=422)
    if key and len(text) > casework.MAX_TEXT:
        errors = [{"anchor": FIELD[action], "message": TOO_LONG, "context": None}]
        return _again(clinic, found, roles, action, errors=errors, typed=typed, status=422)
    version = ascii_int(request.form.get("version", ""))
    version = -1 if version is None else version
    handlers = {p.hsa_id: p for p in directory.handlers(svc.store.engine, clinic)}
    chosen_handler = request.form.get("handler") or None
    if action == rules.DISTRIBUTE and chosen_handler not in handlers:
        errors = [{"anchor": "handler", "message": "Välj en ärendehanterare.", "context": None}]
        return _again(clinic, found, roles, action, errors=errors, typed=typed, status=422)
    try:
        casework.act(
            svc.store.engine,
            clinic=clinic,
            reference=found.reference,
            action=Action(action, version, text, chosen_handler, request.form.get("asks_reply") == "1"),
            me=me().person,
            roles=roles,
            handlers=handlers,
            now=svc.now(),
        )
    except Conflict:
        log_here(
            clinic, roles, "conflict", personnummer=found.subject, case_reference=found.reference, detail=action
        )
        errors = [{"anchor": FIELD.get(action, "arende"), "message": CONFLICT, "context": None}]
        return _again(clinic, found, roles, action, errors=errors, typed=typed, status=409)
    except Refused as refusal:
        errors = [{"anchor": FIELD.get(action, "arende"), "message": str(refusal), "context": None}]
        return _again(clinic, found, roles, action, errors=errors, typed=typed, status=409)
    except LookupError:
        refuse(clinic, "case")
    return redirect(url_for("staff.case", clinic=clinic, reference=found.reference, klar=action), code=303)
