"""Unit tests of the booking rules: times from schedules, ages, windows, result codes, words."""

from __future__ import annotations

import datetime

import pytest

from forms.booking import times
from forms.booking.interface import TAKEN, Result, TimeType
from forms.booking.times import STOCKHOLM, WeeklyRule
from tests.forms.conftest import personnummer

LAKARE = TimeType("lakarbesok", "Läkarbesök", 20)
WEEKDAYS = frozenset(range(5))
RULE = WeeklyRule("lakarbesok", WEEKDAYS, datetime.time(8), datetime.time(11))
EARLY = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def local(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def test_a_schedule_gives_every_start_that_ends_by_its_end() -> None:
    found = times.times_on(datetime.date(2026, 12, 3), LAKARE, [RULE], [], EARLY)
    assert [times.clock(t) for t in found] == [
        "08.00", "08.20", "08.40", "09.00", "09.20", "09.40", "10.00", "10.20", "10.40"
    ]


def test_a_time_that_would_end_after_the_schedule_is_not_given() -> None:
    half = TimeType("x", "X", 45)
    found = times.times_on(datetime.date(2026, 12, 3), half, [WeeklyRule("x", WEEKDAYS, datetime.time(8), datetime.time(10))], [], EARLY)
    assert [times.clock(t) for t in found] == ["08.00", "08.45"]


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (datetime.date(2026, 3, 27), 7),  # Friday before the March change: CET, UTC+1
        (datetime.date(2026, 3, 30), 6),  # Monday after: CEST, UTC+2
        (datetime.date(2026, 10, 23), 6),  # Friday before the October change: CEST
        (datetime.date(2026, 10, 26), 7),  # Monday after: CET
    ],
)
def test_eight_o_clock_stays_eight_local_across_both_clock_changes(day: datetime.date, utc_hour: int) -> None:
    first = times.times_on(day, LAKARE, [RULE], [], EARLY)[0]
    assert first.astimezone(STOCKHOLM).hour == 8
    assert first.astimezone(datetime.UTC).hour == utc_hour


def test_weekends_closed_days_and_days_outside_from_until_give_nothing() -> None:
    bounded = WeeklyRule("lakarbesok", WEEKDAYS, datetime.time(8), datetime.time(11),
                         datetime.date(2026, 12, 2), datetime.date(2026, 12, 4))
    assert times.times_on(datetime.date(2026, 12, 5), LAKARE, [RULE], [], EARLY) == []  # Saturday
    assert times.times_on(datetime.date(2026, 12, 24), LAKARE, [RULE], [datetime.date(2026, 12, 24)], EARLY) == []
    assert times.times_on(datetime.date(2026, 12, 1), LAKARE, [bounded], [], EARLY) == []
    assert times.times_on(datetime.date(2026, 12, 7), LAKARE, [bounded], [], EARLY) == []
    assert times.times_on(datetime.date(2026, 12, 4), LAKARE, [bounded], [], EARLY) != []


def test_no_time_at_or_before_now_is_given() -> None:
    now = local("2026-12-03T09:00")
    found = times.times_on(datetime.date(2026, 12, 3), LAKARE, [RULE], [], now)
    assert times.clock(found[0]) == "09.20"


def test_other_time_types_schedules_do_not_count() -> None:
    other = WeeklyRule("provtagning", WEEKDAYS, datetime.time(13), datetime.time(14))
    assert times.times_on(datetime.date(2026, 12, 3), LAKARE, [other], [], EARLY) == []


def test_age_bounds_are_inclusive_and_taken_on_the_day_of_the_visit() -> None:
    child = personnummer("20201215", "123")  # 5 until 14 Dec 2026, 6 on 15 Dec 2026
    bvc = TimeType("bvc", "BVC", 30, max_age=5)
    assert times.age_allows(bvc, child, datetime.date(2026, 12, 14))
    assert not times.age_allows(bvc, child, datetime.date(2026, 12, 15))
    adult_only = TimeType("v", "V", 15, min_age=6)
    assert not times.age_allows(adult_only, child, datetime.date(2026, 12, 14))
    assert times.age_allows(adult_only, child, datetime.date(2026, 12, 15))
    assert times.age_allows_some_day(adult_only, child, datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))
    assert not times.age_allows_some_day(adult_only, child, datetime.date(2026, 12, 1), datetime.date(2026, 12, 14))
    assert not times.age_allows_some_day(bvc, child, datetime.date(2026, 12, 15), datetime.date(2027, 3, 1))


def test_cancel_and_rebook_windows() -> None:
    start = local("2026-12-03T08:00")
    provtagning = TimeType("p", "P", 10, cancel_hours=2)
    specialist = TimeType("s", "S", 30, cancel_hours=72, rebook=False)
    assert times.may_cancel(provtagning, start, local("2026-12-03T06:00"))
    assert not times.may_cancel(provtagning, start, local("2026-12-03T06:01"))
    assert times.may_rebook(provtagning, start, local("2026-12-03T06:00"))
    assert times.may_cancel(specialist, start, local("2026-11-30T08:00"))
    assert not times.may_cancel(specialist, start, local("2026-11-30T08:01"))
    assert not times.may_rebook(specialist, start, local("2026-11-01T08:00"))


def test_result_codes() -> None:
    assert Result("OK").ok and Result("INFO", "Kom i tid").ok
    assert not Result("ERROR", TAKEN).ok


def test_dates_and_times_in_words() -> None:
    assert times.in_words(local("2026-12-03T08:00")) == "torsdag 3 december 2026 kl. 08.00"
    assert times.day_in_words(datetime.date(2026, 12, 28)) == "måndag 28 december 2026"
    assert times.clock(datetime.datetime(2026, 12, 28, 7, 20, tzinfo=datetime.UTC)) == "08.20"


def test_weekday_names() -> None:
    assert times.parse_weekdays(["mån", "Tisdag", "sön"]) == frozenset({0, 1, 6})
    with pytest.raises(ValueError, match="ingen veckodag"):
        times.parse_weekdays(["mon"])


EVERY_DAY = frozenset(range(7))
SPRING = datetime.date(2026, 3, 29)  # Sunday: 02.00 becomes 03.00
AUTUMN = datetime.date(2026, 10, 25)  # Sunday: 03.00 becomes 02.00, so 02.00–03.00 happens twice
THIRTY = TimeType("t", "T", 30)


def night(kind: TimeType, day: datetime.date, start: int, end: int) -> list[datetime.datetime]:
    rule = WeeklyRule(kind.id, EVERY_DAY, datetime.time(start), datetime.time(end))
    return times.times_on(day, kind, [rule], [], EARLY)


def test_the_spring_night_offers_no_time_that_does_not_exist_and_no_clock_twice() -> None:
    found = night(THIRTY, SPRING, 1, 4)
    assert [times.clock(t) for t in found] == ["01.00", "01.30", "03.00", "03.30"]
    assert [t.astimezone(datetime.UTC).hour for t in found] == [0, 0, 1, 1]  # each a real, distinct moment


def test_the_spring_night_leaves_out_a_time_that_would_overlap_the_one_before_in_real_time() -> None:
    """45 minutes: 01.45 CET is 00.45–01.30 UTC, and the grid's next real time, 03.15 CEST, is 01.15 UTC."""
    found = night(TimeType("t", "T", 45), SPRING, 1, 5)
    assert [times.clock(t) for t in found] == ["01.00", "01.45", "04.00"]
    ends = [t.astimezone(datetime.UTC) + datetime.timedelta(minutes=45) for t in found]
    assert all(end <= later.astimezone(datetime.UTC) for end, later in zip(ends, found[1:], strict=False))


def test_the_autumn_night_offers_nothing_in_the_hour_that_happens_twice() -> None:
    found = night(THIRTY, AUTUMN, 1, 4)
    assert [times.clock(t) for t in found] == ["01.00", "01.30", "03.00", "03.30"]
    assert len({times.clock(t) for t in found}) == len(found)
    assert times.unambiguous(datetime.datetime(2026, 10, 25, 3, 0))
    assert not times.unambiguous(datetime.datetime(2026, 10, 25, 2, 0))
    assert not times.unambiguous(datetime.datetime(2026, 3, 29, 2, 30))


@pytest.mark.parametrize(
    ("start", "allowed", "refused"),
    [
        # Sunday 29 March 08.00 CEST is 06.00 UTC: 24 real hours before is Saturday 07.00 CET, not 08.00.
        ("2026-03-29T08:00", "2026-03-28T07:00", "2026-03-28T07:01"),
        # Sunday 25 October 08.00 CET is 07.00 UTC: 24 real hours before is Saturday 09.00 CEST.
        ("2026-10-25T08:00", "2026-10-24T09:00", "2026-10-24T09:01"),
    ],
)
def test_the_cancel_window_counts_real_hours_across_a_clock_change(start: str, allowed: str, refused: str) -> None:
    day = TimeType("d", "D", 20, cancel_hours=24)
    assert times.may_cancel(day, local(start), local(allowed))
    assert not times.may_cancel(day, local(start), local(refused))


def _overlaps_none(start: datetime.datetime, length: datetime.timedelta,
                   taken: list[tuple[datetime.datetime, datetime.datetime]]) -> bool:
    return all(end <= start or begin >= start + length for begin, end in taken)


def test_clear_of_keeps_exactly_the_times_that_overlap_no_booking_of_any_length() -> None:
    """The one-pass sweep against the plain definition, on times and bookings that meet in every way."""
    minute = datetime.timedelta(minutes=1)
    first = datetime.datetime(2026, 12, 1, 7, 0)
    offered = {
        datetime.date(2026, 12, 1 + day): tuple(first + datetime.timedelta(days=day) + minute * m for m in range(0, 180, 20))
        for day in range(4)
    }
    taken = [  # unsorted, as the database returns them
        (first + datetime.timedelta(days=1) + minute * 20, first + datetime.timedelta(days=1) + minute * 40),  # one time
        (first - minute * 30, first + minute * 5),  # began before the range, ends inside its first time
        (first + minute * 39, first + minute * 41),  # inside two times' meeting
        (first + datetime.timedelta(days=2) + minute * 50, first + datetime.timedelta(days=2) + minute * 130),  # long
        (first + datetime.timedelta(days=2) + minute * 55, first + datetime.timedelta(days=2) + minute * 60),  # inside it
        (first + minute * 60, first + minute * 60),  # empty: overlaps nothing
        (first + datetime.timedelta(days=1) + minute * 80, first + datetime.timedelta(days=1) + minute * 100),
        (first + datetime.timedelta(days=3) - minute * 300, first + datetime.timedelta(days=3) + minute * 200),  # all day
    ]
    length = minute * 20
    expected = {day: tuple(s for s in starts if _overlaps_none(s, length, taken)) for day, starts in offered.items()}
    expected = {day: starts for day, starts in expected.items() if starts}
    assert times.clear_of(offered, length, taken) == expected
    assert datetime.date(2026, 12, 4) not in expected  # a day with every time taken is left out
    assert first + minute * 20 not in expected[datetime.date(2026, 12, 1)]  # 08.39–08.41 takes 08.20 …
    assert first + minute * 40 not in expected[datetime.date(2026, 12, 1)]  # … and 08.40


def test_clear_of_lets_a_time_touch_the_bookings_on_either_side() -> None:
    length = datetime.timedelta(minutes=20)
    start = datetime.datetime(2026, 12, 1, 8, 20, tzinfo=STOCKHOLM)
    offered = {start.date(): (start,)}
    taken = [(start - length, start), (start + length, start + 2 * length)]
    assert times.clear_of(offered, length, taken) == offered
    assert times.clear_of(offered, length, [(start - length, start + datetime.timedelta(minutes=1))]) == {}
    assert times.clear_of(offered, length, [(start + length - datetime.timedelta(minutes=1), start + 2 * length)]) == {}
    assert times.clear_of({}, length, taken) == {}
