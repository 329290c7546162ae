"""Opening hours, avvikande öppettider and notices as the contact page shows them, and as schema.org
reads them: Swedish dates for people, ISO dates and 24-hour times for machines.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup

from sitegen.content.hours import WEEKDAYS, TimeRange, format_hours, parse_days, parse_hours
from sitegen.content.models import Notice, OpeningException, OpeningHours
from sitegen.site.markdown import render_markdown

_SCHEMA_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
WEEKDAY_NAMES = WEEKDAYS  # the site and the app write dates with the same words
MONTH_NAMES = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True)
class NoticeItem:
    """A notice at the top of the page; `anchor` ties its heading to its section for screen readers."""

    title: str
    html: Markup
    anchor: str


@dataclass(frozen=True)
class ExceptionItem:
    """One date of avvikande öppettider: what people read and what schema.org reads."""

    iso: str  # 2026-12-24
    label: str  # Torsdag 24 december
    hours: str  # Stängt, or 08.00–12.00
    note: str | None
    ranges: tuple[TimeRange, ...]  # () when closed


def swedish_date(day: datetime.date) -> str:
    """"Torsdag 24 december": the weekday tells the reader which week, so the year is left out."""
    return f"{WEEKDAY_NAMES[day.weekday()].capitalize()} {day.day} {MONTH_NAMES[day.month - 1]}"


def date_words(day: datetime.date) -> str:
    """"7 december 2026": a date as a person reads it, year included (an ISO date breaks across
    lines on a phone); the app's pages write every date this way."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def notice_item(notice: Notice, index: int) -> NoticeItem:
    return NoticeItem(title=notice.title, html=render_markdown(notice.text, 3), anchor=f"meddelande-{index + 1}")


def exception_item(exception: OpeningException) -> ExceptionItem:
    ranges = parse_hours(exception.hours)
    return ExceptionItem(
        iso=exception.date.isoformat(),
        label=swedish_date(exception.date),
        hours=format_hours(ranges),
        note=exception.note,
        ranges=ranges,
    )


def _schema_days(days: Iterable[int]) -> str:
    """Weekdays as schema.org writes them: runs as "Mo-Fr", the rest listed: "Mo-We,Fr"."""
    ordered = sorted(days)
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        _SCHEMA_DAYS[run[0]] if len(run) == 1 else f"{_SCHEMA_DAYS[run[0]]}-{_SCHEMA_DAYS[run[-1]]}" for run in runs
    )


def schema_opening_hours(hours: OpeningHours) -> list[str]:
    """`Måndag–fredag` + `08.00–12.00, 13.00–17.00` as schema.org's `Mo-Fr 08:00-12:00` and
    `Mo-Fr 13:00-17:00`; nothing for Stängt (a day without opening hours is closed)."""
    days = _schema_days(parse_days(hours.days))
    return [f"{days} {time_range.opens}-{time_range.closes}" for time_range in parse_hours(hours.hours)]
