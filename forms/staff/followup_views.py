"""The verksamhetschef's uppföljning page and its CSV export (CONTRACT section 9).

Figures only: the page and the files name no citizen and no member of staff, so reading them is
not a read of patient data and, like the lokal administratör's pages, is not written to the access
log (a refused attempt is, by `refuse`). The period is two GET fields, so a period is a link that
can be kept; anything wrong in them is a Swedish message on the page (422), never a 500.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from flask import request
from werkzeug.wrappers import Response

from forms.platform.services import STOCKHOLM, services
from forms.staff import followup
from forms.staff.followup import MAX_WEEKS, CaseFigures, Figures, Period, monday
from forms.staff.followup_charts import Chart, Series, columns, rows
from forms.staff.rules import MANAGER
from forms.staff.web import bp, has_any, refuse, render, roles_at
from forms.staff.wording import DATE_EXAMPLE, DATE_HINT

FIRST_YEAR, LAST_YEAR = 2000, 2100
MONTHS = ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec")
FIELDS = (("fran", "Från och med"), ("till", "Till och med"))


@dataclass(frozen=True)
class Asked:
    period: Period | None
    errors: list[dict[str, str | None]]
    typed: dict[str, str]


def _error(anchor: str, message: str) -> dict[str, str | None]:
    return {"anchor": anchor, "message": message, "context": None}


def asked_period(today: datetime.date) -> Asked:
    """The period of the GET fields `fran` and `till` (dates, widened to whole weeks), or why not."""
    typed = {key: request.args.get(key, "")[:40].strip() for key, _label in FIELDS}
    days: dict[str, datetime.date | None] = {}
    errors = []
    for key, label in FIELDS:
        days[key] = None
        if not typed[key]:
            continue
        try:
            day = datetime.date.fromisoformat(typed[key])
        except ValueError:
            errors.append(_error(key, f"{label}: skriv datumet som år-månad-dag, till exempel {DATE_EXAMPLE}."))
            continue
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            errors.append(_error(key, f"{label}: välj ett datum mellan år {FIRST_YEAR} och {LAST_YEAR}."))
            continue
        days[key] = day
    if errors:
        return Asked(None, errors, typed)
    default = followup.default_period(today)
    last = monday(days["till"]) if days["till"] else default.last
    if days["fran"]:
        first = monday(days["fran"])
    elif days["till"]:
        first = last - datetime.timedelta(weeks=followup.DEFAULT_WEEKS - 1)
    else:
        first = default.first
    if first > last:
        message = "Från och med-datumet är efter till och med-datumet. Välj ett från och med-datum som kommer först."
        return Asked(None, [_error("fran", message)], typed)
    if (last - first).days // 7 + 1 > MAX_WEEKS:
        message = f"Perioden är för lång. Välj en period på högst två år ({MAX_WEEKS} veckor)."
        return Asked(None, [_error("fran", message)], typed)
    return Asked(Period(first, last), [], typed)


def week_name(day: datetime.date) -> str:
    return f"v.\u00a0{day.isocalendar().week}"


def week_span(day: datetime.date) -> str:
    sunday = day + datetime.timedelta(days=6)
    if day.month == sunday.month:
        return f"{day.day}–{sunday.day} {MONTHS[sunday.month - 1]} {sunday.year}"
    return f"{day.day} {MONTHS[day.month - 1]}–{sunday.day} {MONTHS[sunday.month - 1]} {sunday.year}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}\u00a0%"


def decimal(value: float | None) -> str:
    """A number as Swedish Excel and Swedish readers write it: a decimal comma."""
    return "–" if value is None else f"{value:g}".replace(".", ",")


def _range_text(period: Period) -> str:
    first, last = period.mondays[0].isocalendar(), period.mondays[-1].isocalendar()
    return f"vecka {first.week} {first.year} till vecka {last.week} {last.year}"


def _most(labels: list[str], values: list[float], what: str, joiner: str = "") -> str:
    """The chart's desc: where the most and the fewest were, and the sum ("Flest ärenden kom vecka 20 (34) …")."""
    if not any(values):
        return "Inget under perioden."
    high = max(range(len(values)), key=lambda i: values[i])
    low = min(range(len(values)), key=lambda i: values[i])
    return (f"Flest {what} {joiner}{labels[high]} ({decimal(values[high])}), färst {joiner}{labels[low]} "
            f"({decimal(values[low])}). Sammanlagt {decimal(sum(values))}.")


def charts(figures: Figures, eservice_names: dict[str, str]) -> dict[str, Chart]:
    period = figures.period
    labels = [week_name(day) for day in period.mondays]
    spoken = [f"vecka {day.isocalendar().week}" for day in period.mondays]
    weeks = [figures.case_week(index) for index in range(len(labels))]
    span = f"Stapeldiagram, {_range_text(period)}."
    same = "Samma siffror finns i tabellen."
    arrived = [float(w.arrived) for w in weeks]
    shares = [w.share_in_time * 100 if w.share_in_time is not None else 0.0 for w in weeks]
    measured = [(s, w) for s, w in zip(spoken, weeks, strict=True) if w.share_in_time is not None]
    known = [w.share_in_time for _s, w in measured if w.share_in_time is not None]
    share_text = (
        f"Andelen besvarade i tid låg mellan {percent(min(known))} och {percent(max(known))}."
        if known else "Inga ärenden har ännu passerat svarstiden."
    )
    services_ = figures.eservices()
    names = [eservice_names.get(e, e) for e in services_]
    per_service = [float(figures.case_eservice(e).arrived) for e in services_]
    booked = figures.bookings
    web = [float(b.web) for b in booked]
    staff = [float(b.staff) for b in booked]
    return {
        "arrived": columns(
            "inkomna", "Inkomna ärenden per vecka", f"{span} {_most(spoken, arrived, 'ärenden kom')} {same}",
            labels, [Series("Inkomna ärenden", arrived, "bar-a")],
        ),
        "share": columns(
            "i-tid", "Andel ärenden besvarade i tid per vecka",
            f"{span} Veckor utan ärenden som passerat svarstiden visas utan stapel. {share_text} {same}",
            labels, [Series("Andel besvarade i tid", shares, "bar-a")], percent=True,
        ),
        "eservices": rows(
            "e-tjanster", "Inkomna ärenden per e-tjänst",
            f"Liggande stapeldiagram, {_range_text(period)}. "
            + _most(names, per_service, "ärenden kom till", "") + f" {same}",
            names, per_service, "bar-a",
        ),
        "bookings": columns(
            "bokningar", "Bokade tider per vecka",
            f"{span} Staplarna visar bokningar gjorda på webben och av mottagningen, ovanpå varandra. "
            f"{_most(spoken, [w + s for w, s in zip(web, staff, strict=True)], 'tider bokades')} {same}",
            labels, [Series("Bokade på webben", web, "bar-a"), Series("Bokade av mottagningen", staff, "bar-b")],
        ),
    }


def _figures(clinic: str) -> tuple[Asked, Figures | None]:
    svc = services()
    asked = asked_period(svc.now().astimezone(STOCKHOLM).date())
    if asked.period is None:
        return asked, None
    return asked, followup.figures(svc.store.engine, clinic, asked.period, svc.now())


def _eservice_names() -> dict[str, str]:
    return {key: value.name for key, value in services().content.eservices.items()}


@bp.get("/personal/<clinic>/uppfoljning/")
def followup_page(clinic: str) -> str | tuple[str, int]:
    roles_at(clinic, has_any(MANAGER))
    asked, figures = _figures(clinic)
    names = _eservice_names()
    page = render(
        "staff/followup.html",
        clinic=clinic,
        errors=asked.errors,
        typed=asked.typed,
        figures=figures,
        charts=charts(figures, names) if figures else {},
        eservice_names=names,
        week_name=week_name,
        week_span=week_span,
        percent=percent,
        decimal=decimal,
        csv_args={key: value for key, value in asked.typed.items() if value},
        weeks=list(enumerate(figures.period.mondays)) if figures else [],
        range_text=_range_text(figures.period) if figures else "",
        date_hint=DATE_HINT,
    )
    return (page, 422) if asked.errors else page


def _case_cells(figures: CaseFigures) -> list[str]:
    share = None if figures.share_in_time is None else round(figures.share_in_time * 100, 1)
    counts = [str(figures.arrived), str(figures.in_time), str(figures.late)]
    return [*counts, decimal(share), decimal(figures.median_hours)]


CASE_HEADER = ["Vecka", "Veckan börjar", "E-tjänst", "Inkomna ärenden", "Besvarade i tid", "Försenade",
               "Andel besvarade i tid (%)", "Mediantid till svar (timmar)"]
BOOKING_HEADER = ["Vecka", "Veckan börjar", "Bokade på webben", "Bokade av mottagningen", "Ombokade", "Avbokade",
                  "Mediantid i förväg (dagar)"]


def to_csv(figures: Figures, names: dict[str, str], part: str) -> str:
    """`;`-separated with Swedish headers and decimal commas: what Swedish Excel opens as columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    mondays = figures.period.mondays
    if part == "bokningar":
        writer.writerow(BOOKING_HEADER)
        for day, week in zip(mondays, figures.bookings, strict=True):
            writer.writerow([week_name(day).replace("\u00a0", " "), day.isoformat(), week.web, week.staff,
                             week.rebooked, week.cancelled, decimal(week.median_days)])
        return out.getvalue()
    writer.writerow(CASE_HEADER)
    for index, day in enumerate(mondays):
        for eservice in figures.eservices():
            found = figures.cases.get((index, eservice))
            if found is not None:
                writer.writerow([week_name(day).replace("\u00a0", " "), day.isoformat(), names.get(eservice, eservice),
                                 *_case_cells(found)])
    return out.getvalue()


@bp.get("/personal/<clinic>/uppfoljning/<part>.csv")
def followup_csv(clinic: str, part: str) -> Response | tuple[str, int]:
    roles_at(clinic, has_any(MANAGER))
    if part not in ("arenden", "bokningar"):
        refuse(clinic, "uppfoljning-csv")
    _asked, figures = _figures(clinic)
    if figures is None:
        return followup_page(clinic)  # the page, with what is wrong in the period
    body = to_csv(figures, _eservice_names(), part)
    period = figures.period
    sunday = period.last + datetime.timedelta(days=6)
    name = f"uppfoljning-{part}-{clinic}-{period.first.isoformat()}-{sunday.isoformat()}"
    response = Response("\ufeff" + body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
