"""The tidbok's week: each day of a week with its bookings and free times counted, linking to the day.

A mottagning plans by the week; stepping day by day to find a free Thursday was the only way. The
week shows counts only, no names or personnummer, so, like the uppföljning's figures, reading it is
not an access-log row; following a day's link to the day view is (forms.staff.tidbok_day). The same
roles read it as the day view.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from flask import request

from forms.staff.tidbok_day import asked_day, day_in_words, days_of, open_tidbok
from forms.staff.web import bp, render
from forms.staff.wording import DATE_HINT, date_message
from forms.store.tidbok import ACTIVE
from sitegen.site.dates import MONTH_NAMES


def week_span(monday: datetime.date) -> str:
    """"30 november – 6 december 2026", "7–13 december 2026"."""
    sunday = monday + datetime.timedelta(days=6)
    if monday.month == sunday.month:
        return f"{monday.day}–{sunday.day} {MONTH_NAMES[sunday.month - 1]} {sunday.year}"
    start = f"{monday.day} {MONTH_NAMES[monday.month - 1]}" + (f" {monday.year}" if monday.year != sunday.year else "")
    return f"{start} – {sunday.day} {MONTH_NAMES[sunday.month - 1]} {sunday.year}"


@dataclass(frozen=True)
class WeekDay:
    day: datetime.date
    words: str
    booked: int
    free: int
    closed: bool


def week_of(clinic: str, monday: datetime.date) -> list[WeekDay]:
    days = []
    for offset, (slots, closed, _names, _comments) in enumerate(days_of(clinic, monday, 7, comments=False)):
        day = monday + datetime.timedelta(days=offset)
        booked = sum(1 for slot in slots for b in slot.bookings if b.status == ACTIVE)
        free = sum(1 for slot in slots if slot.type_names and not any(b.status == ACTIVE for b in slot.bookings))
        days.append(WeekDay(day, day_in_words(day), booked, free, closed))
    return days


@bp.get("/personal/<clinic>/tidbok/vecka/")
def tidbok_week(clinic: str) -> str | tuple[str, int]:
    today = open_tidbok(clinic).today
    raw = request.args.get("dag", "")[:40]
    day = asked_day(raw, today)
    if day is None:
        errors = [{"anchor": "dag", "message": date_message("en dag i veckan"), "context": None}]
        return render("staff/tidbok_week.html", clinic=clinic, errors=errors, typed=raw, date_hint=DATE_HINT), 422
    monday = day - datetime.timedelta(days=day.weekday())
    week = datetime.timedelta(days=7)
    return render(
        "staff/tidbok_week.html", clinic=clinic, errors=[], typed=day.isoformat(), date_hint=DATE_HINT,
        days=week_of(clinic, monday), week=monday.isocalendar().week, span=week_span(monday),
        previous=(monday - week).isoformat(), next=(monday + week).isoformat(), today=today.isoformat(),
        has_today=monday <= today < monday + week,
    )
