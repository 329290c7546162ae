"""Opening hours read as weekdays and times, and "open at" answered from them (sitegen.content.hours)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest

from sitegen.content.hours import STOCKHOLM, TimeRange, format_hours, hours_on, open_at, parse_days, parse_hours

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Måndag", {MON}),
        ("söndag", {SUN}),
        ("LÖRDAG", {SAT}),
        ("Måndag–fredag", {MON, TUE, WED, THU, FRI}),
        ("måndag-fredag", {MON, TUE, WED, THU, FRI}),
        ("Måndag – torsdag", {MON, TUE, WED, THU}),
        ("Lördag–söndag", {SAT, SUN}),
        ("Söndag–tisdag", {SUN, MON, TUE}),
        ("Tisdag och torsdag", {TUE, THU}),
        ("Tisdagar och torsdagar", {TUE, THU}),
        ("Måndag, onsdag och fredag", {MON, WED, FRI}),
        ("Måndag–onsdag och fredag", {MON, TUE, WED, FRI}),
        ("Vardagar", {MON, TUE, WED, THU, FRI}),
        ("Helger", {SAT, SUN}),
        ("vardagar och lördag", {MON, TUE, WED, THU, FRI, SAT}),
    ],
)
def test_days_read_as_weekdays(text: str, days: set[int]) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["Mån–fre", "Telefontid måndag–fredag", "åtta till fem", "Måndag–", "", "Helgdagar"])
def test_days_that_are_not_weekdays_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match="skriv till exempel Måndag–fredag"):
        parse_days(text)


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("08.00–17.00", [(480, 1020)]),
        ("8:00-17:00", [(480, 1020)]),
        ("08.00–12.00, 13.00–16.30", [(480, 720), (780, 990)]),
        ("08.00–10.00 och 13.00–14.00", [(480, 600), (780, 840)]),
        ("00.00–24.00", [(0, 1440)]),
        ("Stängt", []),
        ("stängt", []),
    ],
)
def test_hours_read_as_time_ranges(text: str, ranges: list[tuple[int, int]]) -> None:
    assert [(r.start, r.end) for r in parse_hours(text)] == ranges


@pytest.mark.parametrize(
    "text", ["åtta till fem", "08.00", "17.00–08.00", "08.00–12.00, 11.00–13.00", "25.00–26.00", "08.61–09.00", ""]
)
def test_hours_that_are_not_times_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=r'skriv till exempel "08\.00–17\.00"'):
        parse_hours(text)


def test_hours_are_shown_the_one_swedish_way() -> None:
    assert format_hours(parse_hours("8:00-12:00 och 13:00-16:30")) == "08.00–12.00, 13.00–16.30"
    assert format_hours(parse_hours("STÄNGT")) == "Stängt"
    assert (TimeRange(480, 1020).opens, TimeRange(480, 1440).closes) == ("08:00", "23:59")


@dataclass
class Line:
    days: str
    hours: str


@dataclass
class Exception_:
    date: datetime.date
    hours: str


@dataclass
class Card:
    opening_hours: list[Line]
    opening_exceptions: list[Exception_] = field(default_factory=list)


CARD = Card(
    [Line("Måndag–fredag", "08.00–12.00, 13.00–17.00"), Line("Lördag–söndag", "Stängt")],
    [Exception_(datetime.date(2026, 12, 24), "Stängt"), Exception_(datetime.date(2026, 12, 27), "10.00–14.00")],
)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2026-12-01 08:00", True),  # a Tuesday, the minute it opens
        ("2026-12-01 07:59", False),
        ("2026-12-01 12:30", False),  # lunch
        ("2026-12-01 16:59", True),
        ("2026-12-01 17:00", False),  # closes at 17.00
        ("2026-12-05 10:00", False),  # Saturday: Stängt
        ("2026-12-24 10:00", False),  # Thursday, but Julafton is an exception: Stängt
        ("2026-12-27 11:00", True),  # Sunday, but the exception opens it
        ("2026-12-27 15:00", False),
    ],
)
def test_open_at_honours_weekly_hours_and_exceptions(moment: str, is_open: bool) -> None:
    assert open_at(CARD, at(moment)) is is_open


def test_open_at_reads_the_moment_in_stockholm() -> None:
    # 07:30 UTC on a winter Tuesday is 08:30 in Stockholm; in summer 06:30 UTC is 08:30.
    assert open_at(CARD, datetime.datetime(2026, 12, 1, 7, 30, tzinfo=datetime.UTC)) is True
    assert open_at(CARD, datetime.datetime(2026, 6, 2, 6, 30, tzinfo=datetime.UTC)) is True
    assert open_at(CARD, datetime.datetime(2026, 6, 2, 5, 30, tzinfo=datetime.UTC)) is False
    # 23:30 UTC on Friday 4 December is already Saturday in Stockholm: closed.
    assert open_at(CARD, datetime.datetime(2026, 12, 4, 23, 30, tzinfo=datetime.UTC)) is False
    # A moment without a zone is Stockholm's wall clock.
    assert open_at(CARD, datetime.datetime(2026, 12, 1, 8, 30)) is True


def test_hours_on_a_date_prefers_its_exception() -> None:
    assert hours_on(CARD, datetime.date(2026, 12, 24)) == ()
    assert hours_on(CARD, datetime.date(2026, 12, 23)) == (TimeRange(480, 720), TimeRange(780, 1020))
