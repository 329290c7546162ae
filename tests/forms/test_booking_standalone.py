"""The standalone tidbok through its interface, on SQLite and PostgreSQL: results, rules, constraints."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from forms.booking.interface import AGE_BARRED, NO_REBOOK, NOT_FOUND, NOT_OFFERED, TAKEN, TOO_LATE, Request
from forms.booking.seed import load_tidbok, seed
from forms.booking.standalone import StandaloneTidbok
from forms.booking.times import STOCKHOLM
from forms.store.engine import make_engine, writing
from forms.store.tidbok import BookingCommentRow, BookingRow, ScheduleRow, TimeTypeRow
from tests.forms.booking_support import ADULT, CHILD, NOW, OTHER, write_demo

CLINIC = "vardcentralen-test"


@pytest.fixture
def tidbok(database_url: str, tmp_path: Path) -> Iterator[StandaloneTidbok]:
    engine = make_engine(database_url)
    seed(engine, load_tidbok(write_demo(tmp_path / "demo.yaml")), NOW)
    yield StandaloneTidbok(engine)
    engine.dispose()


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def request(start: str, subject: str = ADULT, time_type: str = "lakarbesok", key: str = "k1") -> Request:
    return Request(CLINIC, time_type, at(start), subject, subject, "Ont", key)


def test_make_booking_ok_then_taken_then_the_same_request_again_is_the_same_booking(tidbok: StandaloneTidbok) -> None:
    first = tidbok.make_booking(request("2026-12-04T08:00"), NOW)
    assert first.code == "OK" and first.booking is not None and first.booking.start == at("2026-12-04T08:00")
    taken = tidbok.make_booking(request("2026-12-04T08:00", OTHER, key="k2"), NOW)
    assert (taken.code, taken.text, taken.booking) == ("ERROR", TAKEN, None)
    again = tidbok.make_booking(request("2026-12-04T08:00"), NOW)
    assert again.code == "OK" and again.booking.key == first.booking.key
    assert at("2026-12-04T08:00") not in tidbok.available_times(CLINIC, "lakarbesok", OTHER, at("2026-12-04T00:00").date(), NOW)


@pytest.mark.parametrize(
    ("start", "time_type", "subject", "text"),
    [
        ("2026-12-01T08:00", "lakarbesok", ADULT, NOT_OFFERED),  # now
        ("2026-12-24T08:00", "lakarbesok", ADULT, NOT_OFFERED),  # closed
        ("2026-12-05T08:00", "lakarbesok", ADULT, NOT_OFFERED),  # Saturday
        ("2026-12-04T08:10", "lakarbesok", ADULT, NOT_OFFERED),  # between two times
        ("2026-12-03T14:00", "vaccination", CHILD, AGE_BARRED),  # adults only
        ("2026-12-04T15:00", "bvc", ADULT, AGE_BARRED),  # children up to 6
        ("2026-12-04T08:00", "nosuchtype", ADULT, NOT_OFFERED),
    ],
)
def test_a_time_not_offered_is_refused_with_a_text(
    tidbok: StandaloneTidbok, start: str, time_type: str, subject: str, text: str
) -> None:
    result = tidbok.make_booking(request(start, subject, time_type), NOW)
    assert (result.code, result.text) == ("ERROR", text)


def test_update_moves_the_booking_and_frees_the_old_time(tidbok: StandaloneTidbok) -> None:
    booking = tidbok.make_booking(request("2026-12-04T08:00"), NOW).booking
    moved = tidbok.update_booking(booking.key, ADULT, at("2026-12-04T09:00"), "Bättre", NOW)
    assert moved.code == "OK" and moved.booking.start == at("2026-12-04T09:00") and moved.booking.key == booking.key
    assert at("2026-12-04T08:00") in tidbok.available_times(CLINIC, "lakarbesok", OTHER, booking.start.date(), NOW)
    blocked = tidbok.make_booking(request("2026-12-04T09:20", OTHER, key="k2"), NOW).booking
    lost = tidbok.update_booking(booking.key, ADULT, blocked.start, None, NOW)
    assert (lost.code, lost.text) == ("ERROR", TAKEN)
    assert tidbok.booking(booking.key, ADULT, NOW).start == at("2026-12-04T09:00")  # neither moved nor lost
    assert tidbok.update_booking(booking.key, OTHER, at("2026-12-04T10:00"), None, NOW).text == NOT_FOUND


def test_rebook_and_cancel_follow_the_time_type_and_the_clock(tidbok: StandaloneTidbok) -> None:
    schedule = {b.start.day: b for b in tidbok.schedule(ADULT, "specialisten", NOW)}
    assert (schedule[10].may_cancel, schedule[10].may_rebook) == (True, False)
    assert (schedule[2].may_cancel, schedule[2].may_rebook) == (False, False)
    no_rebook = tidbok.update_booking(schedule[10].key, ADULT, at("2026-12-11T09:00"), None, NOW)
    assert (no_rebook.code, no_rebook.text) == ("ERROR", NO_REBOOK)
    too_late = tidbok.cancel_booking(schedule[2].key, ADULT, None, NOW)
    assert (too_late.code, too_late.text) == ("ERROR", TOO_LATE)
    cancelled = tidbok.cancel_booking(schedule[10].key, ADULT, "Frisk", NOW)
    assert cancelled.code == "OK" and not cancelled.booking.active
    assert [b.start.day for b in tidbok.schedule(ADULT, "specialisten", NOW)] == [2]
    assert tidbok.cancel_booking(schedule[10].key, ADULT, None, NOW).text == NOT_FOUND


def test_the_database_refuses_a_second_active_booking_on_one_time(tidbok: StandaloneTidbok) -> None:
    row = {"clinic": CLINIC, "type_id": "lakarbesok", "start": datetime.datetime(2026, 12, 4, 7, 0),
           "end": datetime.datetime(2026, 12, 4, 7, 20), "subject": ADULT, "booked_by": ADULT, "status": "active",
           "created_at": datetime.datetime(2026, 12, 1), "updated_at": datetime.datetime(2026, 12, 1)}
    with writing(tidbok.engine).begin() as connection:
        connection.execute(insert(BookingRow), [{**row, "key": "a"}, {**row, "key": "b", "status": "cancelled"}])
    with pytest.raises(IntegrityError), writing(tidbok.engine).begin() as connection:
        connection.execute(insert(BookingRow), [{**row, "key": "c", "subject": OTHER}])


def booking_row(key: str, start: datetime.datetime, minutes: int, type_id: str = "provtagning",
                status: str = "active") -> dict[str, object]:
    return {"key": key, "clinic": CLINIC, "type_id": type_id, "start": start,
            "end": start + datetime.timedelta(minutes=minutes), "subject": OTHER, "booked_by": OTHER,
            "status": status, "created_at": datetime.datetime(2026, 12, 1), "updated_at": datetime.datetime(2026, 12, 1)}


def test_the_database_refuses_an_active_booking_overlapping_another_of_any_type(tidbok: StandaloneTidbok) -> None:
    """Läkarbesök 08.20–08.40 and Provtagning 08.30–08.40 (UTC 07.20, 07.30): never both active, whoever writes."""
    lakare = booking_row("l", datetime.datetime(2026, 12, 9, 7, 20), 20, "lakarbesok")
    with writing(tidbok.engine).begin() as connection:
        connection.execute(insert(BookingRow), [
            lakare,
            booking_row("x", datetime.datetime(2026, 12, 9, 7, 30), 10, status="cancelled"),  # cancelled: no matter
            booking_row("t", datetime.datetime(2026, 12, 9, 7, 40), 10),  # touching the end: not overlapping
            booking_row("b", datetime.datetime(2026, 12, 9, 7, 10), 10),  # touching the start
        ])
    for start, minutes in ((datetime.datetime(2026, 12, 9, 7, 30), 10), (datetime.datetime(2026, 12, 9, 7, 0), 60),
                           (datetime.datetime(2026, 12, 9, 7, 39), 1)):
        with pytest.raises(IntegrityError), writing(tidbok.engine).begin() as connection:
            connection.execute(insert(BookingRow), [booking_row("o", start, minutes)])
    with pytest.raises(IntegrityError), writing(tidbok.engine).begin() as connection:  # made active again
        connection.execute(update(BookingRow).where(BookingRow.key == "x").values(status="active"))
    with pytest.raises(IntegrityError), writing(tidbok.engine).begin() as connection:  # moved onto another
        connection.execute(update(BookingRow).where(BookingRow.key == "t").values(
            start=datetime.datetime(2026, 12, 9, 7, 35), end=datetime.datetime(2026, 12, 9, 7, 45)))
    with pytest.raises(IntegrityError), writing(tidbok.engine).begin() as connection:  # an end before the start
        connection.execute(insert(BookingRow), [{**booking_row("e", datetime.datetime(2026, 12, 9, 9), 10),
                                                 "end": datetime.datetime(2026, 12, 9, 8)}])


def add_schedule(tidbok: StandaloneTidbok, type_id: str, weekdays: str, start: str, end: str) -> None:
    """A schedule row written past the admin page's check, as an older database or an operator could hold."""
    with writing(tidbok.engine).begin() as connection:
        connection.execute(insert(ScheduleRow), [{"clinic": CLINIC, "type_id": type_id, "weekdays": weekdays,
                                                  "start_time": start, "end_time": end}])


def clocks(tidbok: StandaloneTidbok, type_id: str, day: str) -> list[str]:
    found = tidbok.available_times(CLINIC, type_id, ADULT, datetime.date.fromisoformat(day), NOW)
    return [moment.strftime("%H.%M") for moment in found]


def test_a_time_overlapping_a_booking_of_another_type_is_neither_offered_nor_bookable(tidbok: StandaloneTidbok) -> None:
    add_schedule(tidbok, "provtagning", "2", "08:00", "09:00")  # Wednesdays, inside Läkarbesök's 08:00–11:00
    assert tidbok.make_booking(request("2026-12-09T08:20"), NOW).ok  # Läkarbesök 08.20–08.40
    assert clocks(tidbok, "provtagning", "2026-12-09") == ["08.00", "08.10", "08.40", "08.50"]
    late = tidbok.make_booking(request("2026-12-09T08:30", OTHER, "provtagning", key="k2"), NOW)
    assert (late.code, late.text) == ("ERROR", TAKEN)
    assert tidbok.make_booking(request("2026-12-09T08:10", OTHER, "provtagning", key="k3"), NOW).ok
    assert clocks(tidbok, "lakarbesok", "2026-12-09")[:2] == ["08.40", "09.00"]  # 08.00 meets Provtagning 08.10


def test_a_booking_keeps_its_length_when_its_type_grows_and_free_times_go_around_it(tidbok: StandaloneTidbok) -> None:
    booked = tidbok.make_booking(request("2026-12-09T08:20"), NOW).booking
    with writing(tidbok.engine).begin() as connection:
        connection.execute(update(TimeTypeRow).where(TimeTypeRow.clinic == CLINIC, TimeTypeRow.type_id == "lakarbesok")
                           .values(minutes=30))
    assert tidbok.booking(booked.key, ADULT, NOW).end == at("2026-12-09T08:40")  # its own end, as booked
    assert clocks(tidbok, "lakarbesok", "2026-12-09")[:2] == ["09.00", "09.30"]  # 08.00 and 08.30 overlap it
    for start, key in (("2026-12-09T08:00", "k2"), ("2026-12-09T08:30", "k3")):
        refused = tidbok.make_booking(request(start, OTHER, key=key), NOW)
        assert (refused.code, refused.text) == ("ERROR", TAKEN), start
    moved = tidbok.update_booking(booked.key, ADULT, at("2026-12-09T09:00"), None, NOW).booking
    assert moved.end == at("2026-12-09T09:30")  # a rebooked time takes the type's length now


def test_seeding_twice_loads_once(tidbok: StandaloneTidbok, tmp_path: Path) -> None:
    before = tidbok.schedule(ADULT, CLINIC, NOW)
    assert not seed(tidbok.engine, load_tidbok(write_demo(tmp_path / "again.yaml")), NOW)
    assert [b.key for b in tidbok.schedule(ADULT, CLINIC, NOW)] == [b.key for b in before]
    assert len(tidbok.time_types(CLINIC)) == 4


def comments(tidbok: StandaloneTidbok) -> list[tuple[str, str]]:
    with tidbok.engine.connect() as connection:
        rows = connection.execute(
            select(BookingCommentRow.action, BookingCommentRow.comment).order_by(BookingCommentRow.id))
        return [(action, comment) for action, comment in rows]


def test_every_comment_of_a_rebooked_and_cancelled_booking_is_kept_and_a_failed_change_keeps_none(
    tidbok: StandaloneTidbok,
) -> None:
    booking = tidbok.make_booking(request("2026-12-04T08:00"), NOW).booking
    assert tidbok.update_booking(booking.key, ADULT, at("2026-12-04T09:00"), "Kan inte tidigt", NOW).ok
    assert tidbok.update_booking(booking.key, ADULT, at("2026-12-04T10:00"), None, NOW).ok  # no comment: no row
    taken = tidbok.make_booking(request("2026-12-04T10:20", OTHER, key="k2"), NOW).booking
    assert tidbok.update_booking(booking.key, ADULT, taken.start, "Förlorar", NOW).text == TAKEN
    assert tidbok.update_booking(booking.key, ADULT, at("2026-12-05T08:00"), "Lördag", NOW).text == NOT_OFFERED
    assert tidbok.cancel_booking(booking.key, ADULT, "Blev frisk", NOW).ok
    assert comments(tidbok) == [("omboka", "Kan inte tidigt"), ("avboka", "Blev frisk")]
