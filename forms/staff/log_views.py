"""The granskare's page: search the access log by citizen or staff and dates, and export it as CSV."""

from __future__ import annotations

import datetime

from flask import request
from werkzeug.wrappers import Response

from forms.identity.personnummer import InvalidPersonnummer, normalize
from forms.platform.services import STOCKHOLM, services
from forms.staff import accesslog
from forms.staff.accesslog import ACTION_NAMES, Query
from forms.staff.rules import AUDITOR
from forms.staff.web import bp, has_any, log_here, render, roles_at
from sitegen.content.digits import ascii_date


def _date(raw: str) -> datetime.date | None:
    return ascii_date(raw.strip())


def _query(clinic: str) -> tuple[Query | None, list[dict[str, str | None]], dict[str, str]]:
    typed = {key: request.args.get(key, "")[:40] for key in ("personnummer", "hsa_id", "fran", "till")}
    errors: list[dict[str, str | None]] = []
    number = None
    if typed["personnummer"].strip():
        try:
            number = normalize(typed["personnummer"])
        except InvalidPersonnummer as error:
            errors.append({"anchor": "personnummer", "message": error.reason, "context": None})
    dates = {}
    for key, label in (("fran", "Från och med"), ("till", "Till och med")):
        dates[key] = _date(typed[key]) if typed[key].strip() else None
        if typed[key].strip() and dates[key] is None:
            errors.append({"anchor": key, "message": f"{label}: skriv datumet som ÅÅÅÅ-MM-DD.", "context": None})
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


@bp.get("/personal/<clinic>/logg/")
def log(clinic: str) -> tuple[str, int] | str:
    roles = roles_at(clinic, has_any(AUDITOR))
    query, errors, typed = _query(clinic)
    searched = any(value.strip() for value in typed.values())
    rows = []
    svc = services()
    if query is not None and searched:
        rows = accesslog.search(svc.store.engine, query, STOCKHOLM)
        log_here(clinic, roles, "log_search", personnummer=query.personnummer, detail=f"hsa_id={query.hsa_id or ''}")
    page = render(
        "staff/log.html",
        clinic=clinic,
        rows=rows,
        errors=errors,
        typed=typed,
        searched=searched,
        action_names=ACTION_NAMES,
        csv_args={k: v for k, v in typed.items() if v.strip()},
    )
    return (page, 422) if errors else page


@bp.get("/personal/<clinic>/logg.csv")
def log_csv(clinic: str) -> Response:
    roles = roles_at(clinic, has_any(AUDITOR))
    query, _errors, _typed = _query(clinic)
    svc = services()
    rows = accesslog.search(svc.store.engine, query, STOCKHOLM) if query is not None else []
    log_here(clinic, roles, "log_export", personnummer=query.personnummer if query else None)
    body = accesslog.to_csv(rows, STOCKHOLM)
    stamp = svc.now().astimezone(STOCKHOLM).strftime("%Y%m%d-%H%M")
    response = Response("\ufeff" + body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="atkomstlogg-{clinic}-{stamp}.csv"'
    return response
