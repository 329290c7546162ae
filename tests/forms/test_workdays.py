"""Due dates (CONTRACT section 6): the end of the first working day after arrival, in Swedish time."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from forms.platform.workdays import due_at, due_text, is_working_day

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _due(arrived: str) -> str:
    moment = datetime.datetime.fromisoformat(arrived).replace(tzinfo=STOCKHOLM)
    return due_text(due_at(moment).replace(tzinfo=None))


@pytest.mark.parametrize(
    ("arrived", "due"),
    [
        ("2026-11-30 10:00", "1 december 2026 kl. 24.00"),  # the contract: Monday → Tuesday
        ("2026-12-23 10:00", "28 december 2026 kl. 24.00"),  # the contract: julafton, juldagen, annandag, weekend
        ("2026-12-05 10:00", "8 december 2026 kl. 24.00"),  # the contract: Saturday counts as Monday
        ("2026-06-18 12:00", "22 juni 2026 kl. 24.00"),  # Thursday before midsommarafton (Fri 19 June)
        ("2026-06-19 09:00", "23 juni 2026 kl. 24.00"),  # on midsommarafton: counts as Monday 22
        ("2026-04-02 12:00", "7 april 2026 kl. 24.00"),  # skärtorsdag: långfredag and annandag påsk off
        ("2026-12-30 12:00", "4 januari 2027 kl. 24.00"),  # nyårsafton and nyårsdagen off
        ("2026-11-30 23:59", "1 december 2026 kl. 24.00"),  # one minute before midnight is still Monday
        ("2026-12-01 00:00", "2 december 2026 kl. 24.00"),  # midnight is the next day
    ],
)
def test_due_dates_follow_the_swedish_working_days(arrived: str, due: str) -> None:
    assert _due(arrived) == due


def test_a_time_in_utc_is_counted_in_swedish_time() -> None:
    # 23.30 UTC on Monday is 00.30 Tuesday in Stockholm (winter time).
    arrived = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)
    assert due_text(due_at(arrived).replace(tzinfo=None)) == "2 december 2026 kl. 24.00"


def test_de_facto_holidays_are_not_working_days() -> None:
    for day in ("2026-06-19", "2026-12-24", "2026-12-31"):  # midsommarafton, julafton, nyårsafton
        assert not is_working_day(datetime.date.fromisoformat(day))
    assert is_working_day(datetime.date(2026, 12, 23))
