"""The case list, the case page and the actions on a case (CONTRACT section 6).

Every list and every case page shown is written to the access log; every action is written in
the transaction that makes it (forms.staff.casework). A refused, conflicting or invalid action
shows the case page again with a message at the top and what was typed kept in its field; the case
page, however it comes to be shown, is rendered by `_case_page` alone, which writes its read row.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from forms.identity.providers import IdentityProvider
from forms.platform.rendering import local_time
from forms.platform.security import STALE_PAGE
from forms.platform.services import services
from forms.platform.workdays import due_text
from forms.staff import accesslog, case_reads, casework, concerns, directory, rules
from forms.staff.case_reads import CaseRow
from forms.staff.casework import Action, Conflict, Filters, Refused
from forms.staff.reads import keeps_connection, logs_reads, request_transaction
from forms.staff.rules import CaseView
from forms.staff.web import bp, keeps_typing, log_here, me, refuse, render, role_text, roles_at, token_was_stale
from forms.store.engine import writing
from sitegen.content.digits import ascii_int

CONFLICT = "Ärendet har ändrats av någon annan. Läs igenom ärendet igen. Det du skrev finns kvar nedan."
FIELD = {rules.PARTIAL: "delsvar-text", rules.ANSWER: "svar-text", rules.NOTE: "anteckning-text"}
EMPTY = {
    rules.PARTIAL: "Skriv ett delsvar.",
    rules.ANSWER: "Skriv ett svar.",
    rules.NOTE: "Skriv en anteckning.",
}
TOO_LONG = "Texten får vara högst 5000 tecken. Korta den."


def _page_number(raw: str | None) -> int:
    return max(1, min(ascii_int(raw or "1") or 1, 100000))


@bp.get("/personal/<clinic>/arenden/")
@logs_reads
def cases(clinic: str) -> str:
    roles = roles_at(clinic, rules.can_see_cases)
    svc = services()
    status = request.args.get("status")
    filters = Filters(
        status=status if status in (*rules.STATUSES, casework.ALL) else None,
        mine=request.args.get("mina") == "1",
        late=request.args.get("sena") == "1",
        page=_page_number(request.args.get("sida")),
    )
    now = svc.now()
    # The page's reads and its access-log row in the request's one transaction (the one that read
    # the staff session): the row names exactly the cases the page shows.
    with request_transaction() as connection:
        rows, total = casework.list_cases(connection, clinic, me().person.hsa_id, roles, filters, now)
        concerning = concerns.concerned(connection, clinic, (r.reference for r in rows))  # Patientnämnden's
        accesslog.record(
            connection,
            at=now,
            hsa_id=me().person.hsa_id,
            role=role_text(roles),
            clinic=clinic,
            action="list",
            detail=f"sida {filters.page}; visade: " + " ".join(f"{r.reference}/{r.subject}" for r in rows),
        )
    pages = max(1, -(-total // casework.PAGE_SIZE))
    base = url_for("staff.cases", clinic=clinic)
    kept = {"status": filters.status, "mina": "1" if filters.mine else None, "sena": "1" if filters.late else None}

    def link(**change: Any) -> str:
        """The list with these filters changed (and on its first page unless `sida` is given): its
        address and a query, as url_for would write it, without a url_for per link."""
        args = {k: v for k, v in (kept | {"sida": None} | change).items() if v}
        return f"{base}?{urlencode(args, safe=QUERY_SAFE)}" if args else base

    statuses = [
        Link("Öppna", link(status=None), filters.status is None),
        *(Link(s, link(status=s), filters.status == s) for s in rules.STATUSES),
        Link("Alla", link(status=casework.ALL), filters.status == casework.ALL),
    ]
    shows: list[Link] = []
    if rules.RECEIVER in roles:
        shows.append(Link("Alla ärenden", link(mina=None), not filters.mine))
        shows.append(Link("Mina ärenden", link(mina="1"), filters.mine))
    if filters.late:
        shows.append(Link("Även ej försenade", link(sena=None), False))
    else:
        shows.append(Link("Bara försenade", link(sena="1"), False))
    near = [n for n in range(1, pages + 1) if n in (1, pages) or abs(n - filters.page) <= 4]  # and the ends
    return render(
        "staff/cases.html",
        clinic=clinic,
        rows=[_shown(row, base, svc.identity, concerning.get(row.reference, "")) for row in rows],
        filters=filters,
        total=total,
        status_links=statuses,
        show_links=shows,
        page_links=[Link(str(n), link(sida=n), n == filters.page) for n in near] if pages > 1 else [],
    )


@dataclass(frozen=True, slots=True)
class Link:
    """A filter or page link of the list, made in the view: a template macro and a link callback
    per link cost more than the rest of the list's markup."""

    text: str
    href: str
    current: bool


# A due time is the end of a working day: a list of 25 cases has a handful of them, and a worker
# sees the same few days again and again. (`sent` is a moment per case: no cache would hit.)
_due_text = functools.lru_cache(maxsize=4096)(due_text)
QUERY_SAFE = "!$'()*,/:;?@"  # what Werkzeug's url_for leaves unquoted in a query


@dataclass(frozen=True, slots=True)
class Shown:
    """One row of the list as the page writes it: its texts made here, once, not by template filters."""

    href: str
    eservice_name: str
    reference: str
    status: str
    late: bool
    name: str
    subject: str
    sent: str
    due: str
    handler: str
    concerns: str = ""  # at the Patientnämnden unit: the mottagning the case is about


def _shown(row: casework.Row, base: str, identity: IdentityProvider, concerning: str = "") -> Shown:
    person = identity.find_person(row.subject)
    return Shown(
        href=f"{base}{quote(row.reference)}/",
        eservice_name=row.eservice_name,
        reference=row.reference,
        status=row.status,
        late=row.late,
        name=person.name if person else "Okänd",
        subject=row.subject,
        sent=local_time(row.sent_at),
        due=_due_text(row.due_at) if row.due_at else "",
        handler=row.handler_name or "Ingen ännu",
        concerns=concerning,
    )


def _allowed(case: CaseRow, roles: frozenset[str]) -> list[str]:
    return rules.allowed_actions(roles, me().person.hsa_id, CaseView(case.status, case.handler))


def _find(clinic: str, reference: str) -> CaseRow | None:
    with services().store.engine.connect() as connection:
        return case_reads.case(connection, clinic, reference)


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
) -> tuple[str, int] | None:
    """The case page, and the only way it is shown; None when this person may not see the case (now).

    It shows the answers, the personnummer and the history, so its read row is written here, in
    the transaction that reads what the page shows: no view, error path or message shown with the
    case can show it unlogged, and each page shown is exactly one row. (A GET uses the request's
    transaction, opened with the staff session; a POST shown again, after a refusal or a mistake,
    one of its own.)
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
    person = svc.identity.find_person(found.subject)
    typed = dict(typed or {})
    answers = reads.answers
    chosen = request.args.get("standardsvar")
    if chosen and rules.ANSWER in allowed and "svar" not in typed:
        picked = next((a for a in answers if str(a.id) == chosen), None)
        if picked is not None:
            typed["svar"] = picked.text
    eservice = svc.content.eservices.get(found.eservice)
    current_villkor = hashlib.sha256(eservice.villkor.encode("utf-8")).hexdigest() if eservice else None
    return (
        render(
            "staff/case.html",
            clinic=clinic,
            case=found,
            # The page's own address; its forms post to it + the action + "/" (staff.act), and
            # the back link is the list's: three url_for calls instead of up to eight.
            case_url=url_for("staff.case", clinic=clinic, reference=found.reference),
            person=person,
            handler=reads.handler,
            events=reads.events,
            allowed=allowed,
            handlers=reads.handlers,
            answers=answers,
            typed=typed,
            errors=errors or [],
            notice=notice,
            late=casework.is_late(found, svc.now()),
            villkor_current=current_villkor == found.villkor_sha256,
            me=me().person,
            concerns=concerning,
        ),
        status,
    )


def _lost(clinic: str, action: str) -> tuple[str, int]:
    """What was typed, without the case: it was theirs when they opened it and is no longer."""
    errors = [{"anchor": "kept-text", "message": CONFLICT, "context": None}]
    page = render("staff/conflict.html", clinic=clinic, errors=errors, typed=request.form.get("text", ""))
    return page, 409


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


@bp.post("/personal/<clinic>/arenden/<reference>/<action>/")
@keeps_typing
def act(clinic: str, reference: str, action: str) -> Response | tuple[str, int]:
    roles = roles_at(clinic, rules.can_see_cases)
    if action not in rules.ACTIONS:
        refuse(clinic, "action")
    svc = services()
    found = _find(clinic, reference)
    if found is not None and not rules.can_see(roles, me().person.hsa_id, CaseView(found.status, found.handler)):
        if request.form.get("version") not in (None, "", str(found.version)):
            # It was theirs when they opened it, and someone has since changed it (answered it, or
            # distributed it elsewhere): say so and keep their text, without showing the case.
            return _lost(clinic, action)
        found = None
    if found is None:
        refuse(clinic, "case")
    text = request.form.get("text", "").replace("\r\n", "\n").strip()
    typed = {"delsvar": "", "svar": "", "anteckning": ""}
    key = {rules.PARTIAL: "delsvar", rules.ANSWER: "svar", rules.NOTE: "anteckning"}.get(action)
    if key:
        typed[key] = request.form.get("text", "")
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
