"""Working days and a case's due time (CONTRACT section 6; seed 003: an answer within one working day).

A working day is Monday–Friday except the Swedish public holidays and the de facto holidays
midsommarafton, julafton and nyårsafton, all from the `holidays` package (its Swedish calendar
with the `de_facto` category), so Easter and midsommar move by themselves every year. A case is
due at the end (24.00) of the first working day after the day it arrived, counted in
Europe/Stockholm; a case arriving on a non-working day counts as arriving on the next working day.
"""

from __future__ import annotations

import datetime
import functools
from zoneinfo import ZoneInfo

import holidays

from sitegen.site.dates import date_words

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@functools.lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[datetime.date]:
    calendar = holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))
    return frozenset(calendar.keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day strictly after `day`."""
    day += datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def due_at(arrived: datetime.datetime) -> datetime.datetime:
    """When a case that arrived at `arrived` (aware) is due: 24.00 Swedish time, as an aware UTC time."""
    day = arrived.astimezone(STOCKHOLM).date()
    if not is_working_day(day):
        day = next_working_day(day)  # counts as arriving then
    due_day = next_working_day(day)
    midnight = datetime.datetime.combine(due_day + datetime.timedelta(days=1), datetime.time(0), tzinfo=STOCKHOLM)
    return midnight.astimezone(datetime.UTC)


@functools.lru_cache(maxsize=4096)
def due_text(due: datetime.datetime) -> str:
    """A stored due time (naive UTC) as staff read it: "1 december 2026 kl. 24.00" for the end of that day.

    Kept per process: a due time is the end of a working day, so a list of 25 cases has a handful
    of them and a worker sees the same few days again and again (the case list, the case page).
    """
    aware = due.replace(tzinfo=datetime.UTC) if due.tzinfo is None else due
    local = aware.astimezone(STOCKHOLM)
    if local.time() == datetime.time(0):
        return f"{date_words(local.date() - datetime.timedelta(days=1))} kl. 24.00"
    return f"{date_words(local.date())} kl. {local:%H.%M}"
