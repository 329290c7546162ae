"""The week views' one reading of seven days gives each day exactly what the day view reads for it."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from forms.booking.common import EXTENSION
from forms.booking.interface import Request
from forms.staff.tidbok_day import Day, days_of, slots_of
from forms.store.engine import writing
from forms.store.tidbok import ScheduleRow
from tests.forms.booking_support import ADULT, NOW, OTHER
from tests.forms.tidbok_staff_support import VC, make_tidbok_staff_app

CET = datetime.timezone(datetime.timedelta(hours=1))
MONDAY = datetime.date(2026, 12, 21)  # 24 and 25 December are closed


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    app = make_tidbok_staff_app(tmp_path)
    with Session(writing(app.extensions["hittavard_forms"].store.engine)) as db, db.begin():
        for start, end in (("00:00", "00:30"), ("23:40", "23:59")):  # times at both ends of every day
            db.add(ScheduleRow(clinic=VC, type_id="provtagning", weekdays="0123456", start_time=start, end_time=end))
    return app


def book(app: Flask, start: datetime.datetime, key: str) -> None:
    result = app.extensions[EXTENSION].make_booking(
        Request(clinic=VC, time_type="provtagning", start=start, subject=OTHER, booked_by=OTHER, reason=None,
                request_key=key), NOW)
    assert result.ok, result


def shown(day: Day) -> tuple[object, ...]:
    slots, closed, names, comments = day
    return ([(s.start, s.type_names, [b.id for b in s.bookings]) for s in slots], closed, names, comments)


def test_each_day_of_the_week_holds_its_own_bookings_from_midnight_to_midnight_local(app: Flask) -> None:
    # Midnight in Stockholm is 23.00 UTC the day before: a day cut in UTC would move these.
    for key, start in enumerate((
        datetime.datetime(2026, 12, 20, 23, 40, tzinfo=CET),  # the Sunday before: not this week
        datetime.datetime(2026, 12, 21, 0, 0, tzinfo=CET),  # Monday's first time
        datetime.datetime(2026, 12, 22, 0, 0, tzinfo=CET),  # Tuesday's, where Monday ends
        datetime.datetime(2026, 12, 23, 23, 40, tzinfo=CET),  # the last time before a closed day
        datetime.datetime(2026, 12, 27, 23, 40, tzinfo=CET),  # Sunday's last time
        datetime.datetime(2026, 12, 28, 0, 0, tzinfo=CET),  # the Monday after: not this week
    )):
        book(app, start, f"k{key}")
    with app.test_request_context():
        week = days_of(VC, MONDAY, 7)
        alone = [slots_of(VC, MONDAY + datetime.timedelta(days=n)) for n in range(7)]
    assert [shown(day) for day in week] == [shown(day) for day in alone]
    booked = [[s.start.strftime("%H.%M") for s in slots for _ in s.bookings] for slots, *_ in week]
    assert booked == [["00.00"], ["00.00"], ["23.40"], [], [], [], ["23.40"]]
    assert [closed for _, closed, *_ in week] == [False, False, False, True, True, False, False]
    assert week[3][0] == [] and week[0][0][0].start.strftime("%H.%M") == "00.00"


def test_the_week_without_comments_reads_none_and_the_day_keeps_its_own(app: Flask) -> None:
    tidbok = app.extensions[EXTENSION]
    first = tidbok.book_for_caller(VC, "provtagning", datetime.datetime(2026, 12, 21, 0, 10, tzinfo=CET), ADULT,
                                   None, "Ringde", "SE0000000000-T005", "c1", NOW)
    second = tidbok.book_for_caller(VC, "provtagning", datetime.datetime(2026, 12, 22, 0, 20, tzinfo=CET), OTHER,
                                    None, "Mejlade", "SE0000000000-T005", "c2", NOW)
    assert first.ok and second.ok
    with app.test_request_context():
        week = days_of(VC, MONDAY, 7)
        counts = days_of(VC, MONDAY, 7, comments=False)
    assert [list(day[3].values()) for day in week[:3]] == [
        [["Bokad av personal (SE0000000000-T005): Ringde"]], [["Bokad av personal (SE0000000000-T005): Mejlade"]], []]
    assert all(day[3] == {} for day in counts)
