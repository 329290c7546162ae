"""The lokal administratör's pages: standardsvar (create, edit, retire), and in the same way the
mallar (forms.staff.mall_views), and who has which role.

(The standalone tidbok's admin pages are forms.staff.tidbok_views, on the tables of forms.store.tidbok.)
Every change is written to the access log with the change itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from forms.platform.services import services
from forms.staff import directory, outgoing, standard
from forms.staff.directory import RoleChangeRefused
from forms.staff.rules import ADMIN, ROLES
from forms.staff.web import bp, has_any, me, refuse, render, role_text, roles_at
from forms.store.db import StandardAnswer


@dataclass(frozen=True)
class Kept:
    """Standardsvar or mallar: the same pages over tables of the same shape (forms.staff.standard)."""

    model: standard.Kept
    action: str  # the access-log action
    list_endpoint: str
    edit_endpoint: str
    words: dict[str, str]  # what the pages call it
    scoped: bool = False  # may name the e-services it is for (standardsvar; not mallar)
    # A mall's kallelse time types at a mottagning (forms.staff.outgoing_views.time_types): a mall may
    # carry a kallelse and "Be invånaren svara", preselected when it is used. None: a standardsvar.
    kallelse_types: Callable[[str], list[Any]] | None = None


STANDARDSVAR = Kept(
    StandardAnswer, "standardsvar", "staff.standard_list", "staff.standard_edit",
    {
        "plural": "Standardsvar", "new": "Nytt standardsvar", "change": "Ändra standardsvar",
        "saved": "Standardsvaret är sparat.",
        "intro": "Standardsvar är texter som ärendehanterarna kan börja ett svar från.",
        "none": "Mottagningen har inga standardsvar ännu.", "text_missing": "Skriv standardsvarets text.",
        "retire": "Ta bort standardsvaret (det visas inte längre för ärendehanterarna)",
        "retired": "Borttaget, visas inte för ärendehanterarna",
    },
    scoped=True,
)


@bp.get("/personal/<clinic>/standardsvar/")
def standard_list(clinic: str) -> str:
    return list_page(STANDARDSVAR, clinic)


def list_page(kind: Kept, clinic: str) -> str:
    roles_at(clinic, has_any(ADMIN))
    answers = standard.listing(services().store.engine, clinic, include_retired=True, model=kind.model)
    scopes = {}
    if kind.scoped:
        names = dict(standard.eservice_choices(services().content, clinic))
        scopes = {
            a.id: ", ".join(names.get(e, e) for e in a.eservices.split()) or "alla e-tjänster"  # type: ignore[union-attr]
            for a in answers
        }
    carries = {}
    if kind.kallelse_types:  # what each mall preselects, so the administratör sees it without opening it
        types = {t.id: t.name for t in kind.kallelse_types(clinic)}
        carries = {a.id: _carried(a, types) for a in answers}
    return render(
        "staff/standard_list.html", clinic=clinic, answers=answers, scopes=scopes, saved=request.args.get("sparat"),
        words=kind.words, edit_endpoint=kind.edit_endpoint, carries=carries,
    )


KALLELSE_GONE = "en typ av tid som inte längre finns i tidboken"


def _carried(mall: Any, types: dict[str, str]) -> str:
    """"Kallelse: Vaccination · Ber invånaren svara", or "" for a mall that carries neither.

    A type gone from the tidbok is said to be gone: its id is the program's, never shown to staff.
    """
    parts = [f"Kallelse: {types.get(mall.kallelse, KALLELSE_GONE)}"] if mall.kallelse else []
    return " · ".join(parts + (["Ber invånaren svara"] if mall.asks_reply else []))


def _form(
    kind: Kept,
    clinic: str,
    answer_id: int | None,
    title: str,
    text: str,
    retired: bool,
    errors: list[dict[str, Any]],
    eservices: list[str],
    preset: dict[str, Any] | None = None,
) -> str:
    return render(
        "staff/standard_edit.html",
        clinic=clinic,
        answer_id=answer_id,
        title_value=title,
        text_value=text,
        retired=retired,
        errors=errors,
        words=kind.words,
        list_endpoint=kind.list_endpoint,
        chosen=eservices,
        choices=standard.eservice_choices(services().content, clinic) if kind.scoped else [],
        time_types=kind.kallelse_types(clinic) if kind.kallelse_types else None,
        preset=preset or {"kallelse": "", "asks_reply": False},
    )


def _preset_of(mall: Any) -> dict[str, Any]:
    """What a mall preselects on "Nytt meddelande till invånare"."""
    return {"kallelse": mall.kallelse, "asks_reply": mall.asks_reply}


@bp.route("/personal/<clinic>/standardsvar/ny/", methods=["GET", "POST"], defaults={"answer_id": None})
@bp.route("/personal/<clinic>/standardsvar/<int:answer_id>/", methods=["GET", "POST"])
def standard_edit(clinic: str, answer_id: int | None) -> Response | str | tuple[str, int]:
    return edit_page(STANDARDSVAR, clinic, answer_id)


def edit_page(kind: Kept, clinic: str, answer_id: int | None) -> Response | str | tuple[str, int]:
    """Create or change one; another mottagning's is 404, as one that does not exist."""
    roles = roles_at(clinic, has_any(ADMIN))
    engine = services().store.engine
    existing = standard.get(engine, clinic, answer_id, model=kind.model) if answer_id is not None else None
    if answer_id is not None and existing is None:
        refuse(clinic, kind.action)
    if request.method == "GET":
        if existing is None:
            return _form(kind, clinic, None, "", "", False, [], [])
        scope = existing.eservices.split() if kind.scoped else []  # type: ignore[union-attr]
        kept = _preset_of(existing) if kind.kallelse_types else None
        return _form(kind, clinic, answer_id, existing.title, existing.text, existing.retired, [], scope, kept)
    title = request.form.get("title", "").strip()
    text = request.form.get("text", "").replace("\r\n", "\n").strip()
    retired = request.form.get("retired") == "1"
    eservices: list[str] = []
    if kind.scoped:
        known = dict(standard.eservice_choices(services().content, clinic))
        eservices = [e for e in dict.fromkeys(request.form.getlist("eservice")) if e in known]
    errors = []
    if not title:
        errors.append({"anchor": "title", "message": "Skriv en rubrik.", "context": None})
    elif len(title) > standard.MAX_TITLE:
        errors.append({"anchor": "title", "message": "Rubriken får vara högst 200 tecken.", "context": None})
    if not text:
        errors.append({"anchor": "text", "message": kind.words["text_missing"], "context": None})
    elif len(text) > standard.MAX_TEXT:
        errors.append({"anchor": "text", "message": "Texten får vara högst 5000 tecken.", "context": None})
    preset = None
    if kind.kallelse_types:  # a mall: its kallelse and "Be invånaren svara", below the text on the page
        preset = {"kallelse": request.form.get("kallelse", "")[:100], "asks_reply": request.form.get("svar") == "1"}
        if preset["kallelse"] and preset["kallelse"] not in {t.id for t in kind.kallelse_types(clinic)}:
            errors.append({"anchor": "kallelse", "message": outgoing.KALLELSE_UNKNOWN, "context": None})
    if errors:
        typed_title, typed_text = request.form.get("title", ""), request.form.get("text", "")
        return _form(kind, clinic, answer_id, typed_title, typed_text, retired, errors, eservices, preset), 422
    standard.save(
        engine,
        clinic=clinic,
        answer_id=answer_id,
        title=title,
        text=text,
        retired=retired,
        eservices=eservices if kind.scoped else None,
        by=me().person,
        by_roles=role_text(roles),
        at=services().now(),
        model=kind.model,
        action=kind.action,
        preset=preset,
    )
    return redirect(url_for(kind.list_endpoint, clinic=clinic, sparat="1"), code=303)


@bp.route("/personal/<clinic>/roller/", methods=["GET", "POST"])
def roles_page(clinic: str) -> Response | str | tuple[str, int]:
    roles = roles_at(clinic, has_any(ADMIN))
    engine = services().store.engine
    error = None
    anchor = "hsa_id"
    typed = ""
    if request.method == "POST":
        hsa_id = request.form.get("hsa_id", "").strip().upper()[:40]
        typed = hsa_id
        wanted = {role for role in request.form.getlist("role") if role in ROLES}
        try:
            directory.set_roles(
                engine,
                clinic=clinic,
                hsa_id=hsa_id,
                roles=wanted,
                by=me().person,
                by_roles=role_text(roles),
                at=services().now(),
            )
        except RoleChangeRefused as refusal:
            error = str(refusal)
            anchor = request.form.get("anchor", "hsa_id")[:80]
        else:
            return redirect(url_for("staff.roles_page", clinic=clinic, sparat=hsa_id), code=303)
    page = render(
        "staff/roles.html",
        clinic=clinic,
        members=directory.members(engine, clinic),
        all_roles=ROLES,
        errors=[{"anchor": anchor, "message": error, "context": None}] if error else [],
        typed=typed,
        saved=request.args.get("sparat"),
    )
    return (page, 422) if error else page
