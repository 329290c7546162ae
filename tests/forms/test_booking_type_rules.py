"""The time type's web, staff_bookings and max_per_person (CONTRACT section 9): the rules, then the tidbok.

The rules are pure (forms.booking.rules); the standalone tidbok applies them in its writes, so
what the pages checked before is only a claim: a web request for a `web: false` type, a citizen's
cancellation of a time the mottagning keeps, one booking over `max_per_person`, each is refused
by the tidbok itself, whoever asks.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from forms.app import create_app
from forms.booking import rules
from forms.booking.interface import (
    NO_REBOOK,
    NOT_OFFERED,
    PAST,
    STAFF_BOOKED,
    STAFF_ONLY,
    TOO_LATE,
    Booking,
    Request,
    TimeType,
)
from forms.booking.standalone import StandaloneTidbok
from forms.store.engine import writing
from forms.store.tidbok import TimeTypeRow
from tests.forms.booking_support import ADULT, CHILD, NOW, OTHER, TODDLER, config, write_booking_content, write_demo
from tests.forms.test_booking_races import at_once
from tests.forms.tidbok_staff_support import BOOKER, VC, make_tidbok_staff_app

CET = datetime.timezone(datetime.timedelta(hours=1))
KIND = TimeType("samtal", "Hälsosamtal", 30)


def booking(kind: TimeType = KIND, booked_by: str = STAFF_BOOKED, **changes: object) -> Booking:
    start = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=CET)
    values: dict[str, object] = dict(key="k", clinic=VC, time_type=kind, start=start, subject=ADULT,
                                     booked_by=booked_by, reason=None, comment=None, active=True, may_cancel=True,
                                     may_rebook=True)
    values.update(changes)
    return Booking(**values)  # type: ignore[arg-type]


def test_a_type_off_the_web_is_not_offered_to_citizens_but_staff_may_book_it() -> None:
    staff_only = dataclasses.replace(KIND, id="intern", web=False)
    assert rules.on_web([KIND, staff_only]) == [KIND]
    assert rules.may_book(staff_only, by_staff=True) and not rules.may_book(staff_only, by_staff=False)
    assert rules.may_book(KIND, by_staff=False)


@pytest.mark.parametrize(("staff_bookings", "say", "listed"), [("cancel", True, True), ("see", False, True),
                                                               ("hidden", False, False)])
def test_staff_bookings_decides_what_the_citizen_may_do_with_a_time_staff_booked(
        staff_bookings: str, say: bool, listed: bool) -> None:
    kind = dataclasses.replace(KIND, staff_bookings=staff_bookings)  # type: ignore[arg-type]
    assert rules.citizen_has_say(kind, STAFF_BOOKED) is say
    assert rules.listed(kind, STAFF_BOOKED) is listed
    assert rules.citizen_has_say(kind, ADULT) and rules.listed(kind, ADULT)  # their own booking: always theirs
    assert (rules.citizen_may_cancel(booking(kind)) is None) is say
    assert rules.citizen_may_cancel(booking(kind)) in (None, STAFF_ONLY)


def test_a_citizen_rebooking_a_time_is_held_to_rebook_and_the_window_but_staff_only_to_the_clock() -> None:
    no_rebook = dataclasses.replace(KIND, rebook=False)
    assert rules.citizen_may_rebook(booking(no_rebook, booked_by=ADULT)) == NO_REBOOK
    assert rules.citizen_may_rebook(booking(booked_by=ADULT, may_rebook=False)) == TOO_LATE
    assert rules.citizen_may_cancel(booking(booked_by=ADULT, may_cancel=False)) == TOO_LATE
    late = booking(no_rebook, may_cancel=False, may_rebook=False)
    assert rules.staff_may_change(late, late.start - datetime.timedelta(minutes=5)) is None
    assert rules.staff_may_change(late, late.start) == PAST


def test_max_per_person_refuses_the_next_booking_naming_the_type_and_what_to_do() -> None:
    one = dataclasses.replace(KIND, max_per_person=1)
    assert rules.over_limit(KIND, 5) is None
    assert rules.over_limit(one, 0) is None
    refusal = rules.over_limit(one, 1)
    assert refusal is not None and "Hälsosamtal" in refusal and "Avboka" in refusal and "ring mottagningen" in refusal
    staff = rules.over_limit(dataclasses.replace(KIND, max_per_person=2), 2, staff=True)
    assert staff is not None and "Invånaren har redan 2 kommande tider av typen Hälsosamtal" in staff


# The standalone tidbok applies them --------------------------------------------------------------------


@pytest.fixture
def tidbok(tmp_path: Path) -> StandaloneTidbok:
    app = make_tidbok_staff_app(tmp_path)
    found: StandaloneTidbok = app.extensions["hittavard_tidbok"]
    return found


def set_type(tidbok: StandaloneTidbok, type_id: str, **values: object) -> None:
    with Session(writing(tidbok.engine)) as db, db.begin():
        db.execute(update(TimeTypeRow).where(TimeTypeRow.clinic == VC, TimeTypeRow.type_id == type_id).values(**values))


def at(day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=CET)


def web(start: datetime.datetime, subject: str = OTHER, key: str = "w1", type_id: str = "lakarbesok") -> Request:
    return Request(clinic=VC, time_type=type_id, start=start, subject=subject, booked_by=subject, reason="Hosta",
                   request_key=key)


def test_the_tidbok_refuses_a_web_booking_of_a_type_off_the_web_and_takes_the_staffs(tidbok: StandaloneTidbok) -> None:
    set_type(tidbok, "lakarbesok", web=False)
    assert tidbok.make_booking(web(at(3, 8, 40)), NOW).text == NOT_OFFERED
    staff = tidbok.book_for_caller(VC, "lakarbesok", at(3, 8, 40), OTHER, "Hosta", "Ringde", BOOKER, "s1", NOW)
    assert staff.ok and staff.booking is not None and staff.booking.by_staff
    assert tidbok.booking(staff.booking.key, OTHER, NOW).booked_by == STAFF_BOOKED  # type: ignore[union-attr]


def test_max_per_person_counts_coming_bookings_however_booked(tidbok: StandaloneTidbok) -> None:
    set_type(tidbok, "lakarbesok", max_per_person=1)
    assert tidbok.limit_reached(VC, "lakarbesok", CHILD, NOW) is None
    assert tidbok.book_for_caller(VC, "lakarbesok", at(3, 8, 40), CHILD, None, None, BOOKER, "s1", NOW).ok
    refused = tidbok.make_booking(web(at(4, 8, 40), subject=CHILD), NOW)
    assert not refused.ok and "Läkarbesök" in (refused.text or "")
    assert tidbok.limit_reached(VC, "lakarbesok", CHILD, NOW) == refused.text
    by_staff = tidbok.book_for_caller(VC, "lakarbesok", at(4, 9, 0), CHILD, None, None, BOOKER, "s2", NOW)
    assert not by_staff.ok and (by_staff.text or "").startswith("Invånaren har redan en kommande tid")
    assert tidbok.make_booking(web(at(4, 8, 40), subject=ADULT, key="w2"), NOW).ok is False  # ADULT has 08.00 on the 3rd
    assert tidbok.make_booking(web(at(4, 8, 40), subject=TODDLER, key="w4"), NOW).ok  # the limit is per citizen
    # A past booking is not a coming one: the day after it, the citizen may book again.
    later = at(3, 9, 0)
    assert tidbok.make_booking(web(at(7, 8, 40), subject=CHILD, key="w3"), later).ok


def test_a_citizen_may_not_change_a_time_staff_booked_of_a_type_the_mottagning_keeps(
        tidbok: StandaloneTidbok) -> None:
    made = tidbok.book_for_caller(VC, "lakarbesok", at(3, 8, 40), CHILD, "Hosta", None, BOOKER, "s1", NOW)
    assert made.booking is not None
    key = made.booking.key
    set_type(tidbok, "lakarbesok", staff_bookings="see")
    seen = tidbok.schedule(CHILD, VC, NOW)
    assert [b.key for b in seen] == [key] and not seen[0].may_cancel and not seen[0].may_rebook
    assert tidbok.cancel_booking(key, CHILD, None, NOW).text == STAFF_ONLY
    assert tidbok.update_booking(key, CHILD, at(3, 9, 0), None, NOW).text == STAFF_ONLY
    set_type(tidbok, "lakarbesok", staff_bookings="hidden")
    assert tidbok.schedule(CHILD, VC, NOW) == [] and tidbok.schedules(CHILD, [VC], NOW) == []
    assert tidbok.cancel_booking(key, CHILD, None, NOW).text == STAFF_ONLY
    # The mottagning itself moves and cancels it, even inside the citizen's cancel window.
    close = at(3, 8, 0)
    moved = tidbok.update_booking(key, CHILD, at(3, 9, 0), "Flyttad", close, was=at(3, 8, 40), staff=BOOKER)
    assert moved.ok, moved
    assert tidbok.cancel_booking(key, CHILD, None, close, was=at(3, 9, 0), staff=BOOKER).ok
    set_type(tidbok, "lakarbesok", staff_bookings="cancel")
    again = tidbok.book_for_caller(VC, "lakarbesok", at(4, 8, 40), CHILD, None, None, BOOKER, "s2", NOW)
    assert again.booking is not None and tidbok.schedule(CHILD, VC, NOW)[0].may_cancel
    assert tidbok.cancel_booking(again.booking.key, CHILD, None, NOW).ok


def test_two_bookings_at_once_of_a_limited_type_for_one_citizen_give_one(database_url: str, tmp_path: Path) -> None:
    """Two different times, so only the limit can stop the second: the count is read under the lock."""
    root = write_booking_content(tmp_path / "content")
    demo = write_demo(tmp_path / "demo.yaml")
    app = create_app(config(root, demo, database_url))
    tidbok: StandaloneTidbok = app.extensions["hittavard_tidbok"]
    set_type(tidbok, "lakarbesok", max_per_person=1)
    for round_number in range(3):
        day = 7 + round_number
        results = at_once([
            lambda day=day, n=round_number: tidbok.make_booking(web(at(day, 8, 40), subject=CHILD, key=f"r{n}"), NOW),
            lambda day=day, n=round_number: tidbok.book_for_caller(VC, "lakarbesok", at(day, 9, 40), CHILD, None, None,
                                                                   BOOKER, f"s{n}", NOW),
        ])
        assert sorted(r.ok for r in results) == [False, True], results  # type: ignore[attr-defined]
        coming = [b for b in tidbok.schedule(CHILD, VC, NOW) if b.active]
        assert len(coming) == 1
        assert tidbok.cancel_booking(coming[0].key, CHILD, None, NOW, staff=BOOKER).ok  # free for the next round
    tidbok.engine.dispose()
