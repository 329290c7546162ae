"""The lokal administratör's pages: standardsvar (create, edit, retire) and who has which role.

(The standalone tidbok's admin pages are forms.staff.tidbok_views, on the tables of forms.store.tidbok.)
Every change is written to the access log with the change itself.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from forms.platform.services import services
from forms.staff import directory, standard
from forms.staff.directory import RoleChangeRefused
from forms.staff.rules import ADMIN, ROLES
from forms.staff.web import bp, has_any, me, refuse, render, role_text, roles_at


@bp.get("/personal/<clinic>/standardsvar/")
def standard_list(clinic: str) -> str:
    roles_at(clinic, has_any(ADMIN))
    answers = standard.listing(services().store.engine, clinic, include_retired=True)
    names = dict(standard.eservice_choices(services().content, clinic))
    scopes = {
        a.id: ", ".join(names.get(e, e) for e in a.eservices.split()) or "alla e-tjänster" for a in answers
    }
    return render(
        "staff/standard_list.html", clinic=clinic, answers=answers, scopes=scopes, saved=request.args.get("sparat")
    )


def _form(
    clinic: str,
    answer_id: int | None,
    title: str,
    text: str,
    retired: bool,
    errors: list[dict[str, Any]],
    eservices: list[str],
) -> str:
    return render(
        "staff/standard_edit.html",
        clinic=clinic,
        answer_id=answer_id,
        title_value=title,
        text_value=text,
        retired=retired,
        errors=errors,
        chosen=eservices,
        choices=standard.eservice_choices(services().content, clinic),
    )


@bp.route("/personal/<clinic>/standardsvar/ny/", methods=["GET", "POST"], defaults={"answer_id": None})
@bp.route("/personal/<clinic>/standardsvar/<int:answer_id>/", methods=["GET", "POST"])
def standard_edit(clinic: str, answer_id: int | None) -> Response | str | tuple[str, int]:
    roles = roles_at(clinic, has_any(ADMIN))
    engine = services().store.engine
    existing = standard.get(engine, clinic, answer_id) if answer_id is not None else None
    if answer_id is not None and existing is None:
        refuse(clinic, "standardsvar")
    if request.method == "GET":
        if existing is None:
            return _form(clinic, None, "", "", False, [], [])
        return _form(
            clinic, answer_id, existing.title, existing.text, existing.retired, [], existing.eservices.split()
        )
    title = request.form.get("title", "").strip()
    text = request.form.get("text", "").replace("\r\n", "\n").strip()
    retired = request.form.get("retired") == "1"
    known = dict(standard.eservice_choices(services().content, clinic))
    eservices = [e for e in dict.fromkeys(request.form.getlist("eservice")) if e in known]
    errors = []
    if not title:
        errors.append({"anchor": "title", "message": "Skriv en rubrik.", "context": None})
    elif len(title) > standard.MAX_TITLE:
        errors.append({"anchor": "title", "message": "Rubriken får vara högst 200 tecken.", "context": None})
    if not text:
        errors.append({"anchor": "text", "message": "Skriv standardsvarets text.", "context": None})
    elif len(text) > standard.MAX_TEXT:
        errors.append({"anchor": "text", "message": "Texten får vara högst 5000 tecken.", "context": None})
    if errors:
        typed_title, typed_text = request.form.get("title", ""), request.form.get("text", "")
        return _form(clinic, answer_id, typed_title, typed_text, retired, errors, eservices), 422
    standard.save(
        engine,
        clinic=clinic,
        answer_id=answer_id,
        title=title,
        text=text,
        retired=retired,
        eservices=eservices,
        by=me().person,
        by_roles=role_text(roles),
        at=services().now(),
    )
    return redirect(url_for("staff.standard_list", clinic=clinic, sparat="1"), code=303)


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
