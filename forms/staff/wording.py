"""Words the staff forms share, so a date or a time is asked for the same way on every page.

One example date in every hint and message (the form ÅÅÅÅ-MM-DD, as a Swedish date is written in
records), one way to show a clock time (08.00), and the "(frivilligt)" the citizens' forms use.
"""

from __future__ import annotations

DATE_EXAMPLE = "2027-01-31"
DATE_HINT = f"Till exempel {DATE_EXAMPLE}"
TIME_HINT = "Till exempel 08.00"


def date_message(what: str) -> str:
    """"Skriv första dagen som år-månad-dag, till exempel 2027-01-31." """
    return f"Skriv {what} som år-månad-dag, till exempel {DATE_EXAMPLE}."


def time_message(what: str) -> str:
    return f"Skriv {what} som timmar och minuter, till exempel 08.00."
