"""Words the staff forms share, so a date or a time is asked for the same way on every page.

One example date in every hint and message (the form ÅÅÅÅ-MM-DD, as a Swedish date is written in
records), one way to show a clock time (08.00), and the "(frivilligt)" the citizens' forms use.
"""

from __future__ import annotations

import datetime

from sitegen.site.dates import MONTH_NAMES

DATE_EXAMPLE = "2027-01-31"
DATE_HINT = f"Till exempel {DATE_EXAMPLE}"
TIME_HINT = "Till exempel 08.00"


def date_message(what: str) -> str:
    """"Skriv första dagen som år-månad-dag, till exempel 2027-01-31." """
    return f"Skriv {what} som år-månad-dag, till exempel {DATE_EXAMPLE}."


def time_message(what: str, example: str = "08.00") -> str:
    """"Skriv starttiden som timmar och minuter, till exempel 08.00." (8.00, 8:00 and 0800 are taken too)."""
    return f"Skriv {what} som timmar och minuter, till exempel {example}."


def day_words(day: datetime.date) -> str:
    """"7 december 2026": a date as a person reads it (an ISO date breaks across lines on a phone)."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def moment_words(moment: datetime.datetime) -> str:
    """"7 december 2026 kl. 02.15", as a person reads a time (CONTRACT section 5)."""
    return f"{day_words(moment.date())} kl. {moment:%H.%M}"
