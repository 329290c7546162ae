"""What a contact card shows depends on the date: dated notices and avvikande öppettider.

A notice is shown from its `from` to its `until` inclusive; an opening exception is shown from
EXCEPTION_DAYS before its date up to and including the date. "Today" is the date in
Europe/Stockholm, or SITEGEN_TODAY (YYYY-MM-DD) when set, so tests and a rebuild for a given day
never depend on the wall clock.

The static site must change on those dates without anyone editing the file, so `valid_days` says
for which days a page rendered today stays byte for byte the same: the incremental build re-renders
a page once today falls outside that span, and no other page. A date that has passed is not an
error (content must not turn red by itself as time passes): `passed_notes` reports it as a note.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator

from sitegen.content.formrules import Loc
from sitegen.content.hours import STOCKHOLM
from sitegen.content.models import Clinic, Notice, OpeningException

# "The coming weeks": an exception is on the page from this many days before its date.
EXCEPTION_DAYS = 42
TODAY_VARIABLE = "SITEGEN_TODAY"


def today(given: datetime.date | None = None) -> datetime.date:
    """The build's today: `given`, else SITEGEN_TODAY, else the date in Stockholm now."""
    if given is not None:
        return given
    text = os.environ.get(TODAY_VARIABLE, "").strip()
    if text:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{TODAY_VARIABLE}='{text}' är inget datum; skriv det som 2026-01-31") from None
    return datetime.datetime.now(STOCKHOLM).date()


def notice_shown(notice: Notice, day: datetime.date) -> bool:
    return notice.from_ <= day <= notice.until


def exception_shown(exception: OpeningException, day: datetime.date) -> bool:
    return day <= exception.date < day + datetime.timedelta(days=EXCEPTION_DAYS)


def shown_notices(clinic: Clinic, day: datetime.date) -> list[Notice]:
    """The notices on the page on `day`, in the order of the file."""
    return [notice for notice in clinic.notices if notice_shown(notice, day)]


def shown_exceptions(clinic: Clinic, day: datetime.date) -> list[OpeningException]:
    """The exceptions on the page on `day` (the coming weeks), in date order."""
    return sorted(
        (exception for exception in clinic.opening_exceptions if exception_shown(exception, day)),
        key=lambda exception: exception.date,
    )


def _changes(clinic: Clinic) -> set[datetime.date]:
    """The days on which what the page shows may change: a notice or exception appears or goes."""
    days: set[datetime.date] = set()
    one = datetime.timedelta(days=1)
    for notice in clinic.notices:
        days.update((notice.from_, notice.until + one))
    for exception in clinic.opening_exceptions:
        days.update((exception.date - datetime.timedelta(days=EXCEPTION_DAYS - 1), exception.date + one))
    return days


def valid_days(clinic: Clinic, day: datetime.date) -> tuple[int, int] | None:
    """(first, last + 1) as ordinals: the span of days around `day` with the same notices and
    exceptions on the page; None when the page does not depend on the date at all."""
    changes = _changes(clinic)
    if not changes:
        return None
    first = max((change for change in changes if change <= day), default=datetime.date.min)
    after = min((change for change in changes if change > day), default=datetime.date.max)
    return first.toordinal(), after.toordinal()


def dated_problems(clinic: Clinic) -> Iterator[tuple[Loc, str]]:
    """Errors among the dates themselves: a notice ending before it starts, a date given twice."""
    for index, notice in enumerate(clinic.notices):
        if notice.until < notice.from_:
            yield (
                ("notices", index, "until"),
                f"{notice.until.isoformat()} är före from ({notice.from_.isoformat()}); "
                "meddelandet visas från from till och med until, till exempel from: 2027-01-15, until: 2027-02-28",
            )
    seen: dict[datetime.date, int] = {}
    for index, exception in enumerate(clinic.opening_exceptions):
        if exception.date in seen:
            yield (
                ("opening_exceptions", index, "date"),
                f"{exception.date.isoformat()} finns redan som opening_exceptions[{seen[exception.date]}]; "
                "ett datum får bara ha en avvikande öppettid",
            )
        else:
            seen[exception.date] = index


def passed_notes(clinic: Clinic, day: datetime.date) -> Iterator[tuple[Loc, str]]:
    """Dates that have passed: no longer on the page, and worth removing from the file."""
    for index, exception in enumerate(clinic.opening_exceptions):
        if exception.date < day:
            yield (
                ("opening_exceptions", index, "date"),
                f"{exception.date.isoformat()} har passerat och visas inte längre; du kan ta bort raden",
            )
    for index, notice in enumerate(clinic.notices):
        if notice.until < day:
            yield (
                ("notices", index, "until"),
                f"meddelandet '{notice.title}' visades till och med {notice.until.isoformat()} "
                "och visas inte längre; du kan ta bort det",
            )
