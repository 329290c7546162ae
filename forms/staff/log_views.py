"""The granskare's page: search the access log by citizen or staff and dates, and export it as CSV.

The search is a POST, and so is the export: a citizen's personnummer in a URL ends up in proxy and
server access logs and in the browser's history (docs/security.md). The page's address never
carries a query; the export form carries the search in its body, with the page's CSRF token.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from flask import request
from werkzeug.wrappers import Response

from forms.identity.personnummer import InvalidPersonnummer, normalize
from forms.platform.security import STALE_PAGE
from forms.platform.services import STOCKHOLM, services
from forms.staff import accesslog, accesslog_view, directory
from forms.staff.accesslog import Query
from forms.staff.rules import AUDITOR
from forms.staff.web import bp, has_any, keeps_typing, log_here, render, roles_at, token_was_stale
from forms.staff.wording import DATE_HINT, date_message
from forms.store.db import AccessLogEntry
from sitegen.content.digits import ascii_date

FIELDS = ("personnummer", "hsa_id", "fran", "till")
NOTHING = "Skriv ett personnummer, ett HSA-id eller ett datum att söka på."


def _date(raw: str) -> datetime.date | None:
    return ascii_date(raw.strip())


def _query(clinic: str, form: Mapping[str, str]) -> tuple[Query | None, list[dict[str, str | None]], dict[str, str]]:
    typed = {key: form.get(key, "")[:40] for key in FIELDS}
    errors: list[dict[str, str | None]] = []
    number = None
    if typed["personnummer"].strip():
        try:
            number = normalize(typed["personnummer"])
        except InvalidPersonnummer as error:
            errors.append({"anchor": "personnummer", "message": error.sentence, "context": None})
    dates = {}
    for key, what in (("fran", "första dagen"), ("till", "sista dagen")):
        dates[key] = _date(typed[key]) if typed[key].strip() else None
        if typed[key].strip() and dates[key] is None:
            errors.append({"anchor": key, "message": date_message(what), "context": None})
    if errors:
        return None, errors, typed
    query = Query(
        clinic=clinic,
        personnummer=number,
        hsa_id=typed["hsa_id"].strip().upper() or None,
        date_from=dates["fran"],
        date_to=dates["till"],
    )
    return query, errors, typed


def _page(
    clinic: str,
    typed: dict[str, str],
    *,
    rows: list[AccessLogEntry] | None = None,
    errors: list[dict[str, str | None]] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    engine = services().store.engine
    found = rows or []
    page = render(
        "staff/log.html",
        clinic=clinic,
        count=len(found),
        lines=accesslog_view.lines(found, directory.names_of(engine, accesslog_view.ids_in(found)), STOCKHOLM),
        date_hint=DATE_HINT,
        errors=errors or [],
        typed=typed,
        searched=rows is not None,
        notice=notice,
        kept={k: v for k, v in typed.items() if v.strip()},  # the export form's hidden fields
    )
    return page, status


@bp.get("/personal/<clinic>/logg/")
def log(clinic: str) -> tuple[str, int]:
    """The empty search form: a query in the address is never read (nor searched, nor shown)."""
    roles_at(clinic, has_any(AUDITOR))
    return _page(clinic, dict.fromkeys(FIELDS, ""))


@bp.post("/personal/<clinic>/logg/")
@keeps_typing
def log_search(clinic: str) -> tuple[str, int]:
    roles = roles_at(clinic, has_any(AUDITOR))
    query, errors, typed = _query(clinic, request.form)
    if token_was_stale():
        return _page(clinic, typed, notice=STALE_PAGE.format(button="Sök"), status=400)
    if query is None:
        return _page(clinic, typed, errors=errors, status=422)
    if not any(value.strip() for value in typed.values()):
        errors = [{"anchor": "personnummer", "message": NOTHING, "context": None}]
        return _page(clinic, typed, errors=errors, status=422)
    rows = accesslog.search(services().store.engine, query, STOCKHOLM)
    log_here(clinic, roles, "log_search", personnummer=query.personnummer, detail=f"hsa_id={query.hsa_id or ''}")
    return _page(clinic, typed, rows=rows)


@bp.post("/personal/<clinic>/logg.csv")
@keeps_typing
def log_csv(clinic: str) -> Response | tuple[str, int]:
    roles = roles_at(clinic, has_any(AUDITOR))
    query, errors, typed = _query(clinic, request.form)
    if token_was_stale():
        return _page(clinic, typed, notice=STALE_PAGE.format(button="Sök"), status=400)
    if query is None:
        return _page(clinic, typed, errors=errors, status=422)
    svc = services()
    rows = accesslog.search(svc.store.engine, query, STOCKHOLM)
    log_here(clinic, roles, "log_export", personnummer=query.personnummer, detail=f"hsa_id={query.hsa_id or ''}")
    names = directory.names_of(svc.store.engine, accesslog_view.ids_in(rows))
    here = svc.content.clinics.get(clinic)
    body = accesslog_view.to_csv(rows, names, {clinic: here.name} if here else {}, STOCKHOLM)
    stamp = svc.now().astimezone(STOCKHOLM).strftime("%Y%m%d-%H%M")
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="atkomstlogg-{clinic}-{stamp}.csv"'
    return response
