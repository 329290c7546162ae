"""Each process's calendar cache never offers a time from an old schedule, on SQLite and PostgreSQL.

Two StandaloneTidbok objects on one database stand for two worker processes (or nodes): one keeps
its cache warm, the other, or plain SQL from anywhere, changes time types, schedules and closed
days. The database raises the mottagning's version in the same transaction (triggers), so the warm
one's very next answer already follows the change. Also: the citizen's day page follows what the
lokal administratör does on the staff pages at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, text

from forms.booking.seed import load_tidbok, seed
from forms.booking.standalone import StandaloneTidbok
from forms.booking.times import STOCKHOLM
from forms.store.engine import make_engine, writing
from tests.forms.booking_support import ADULT, NOW, VC, login, submit, times_offered, write_demo
from tests.forms.tidbok_staff_support import ADMIN, P, make_tidbok_staff_app, post_form, staff_client

CLINIC = "vardcentralen-test"
FRIDAY = datetime.date(2026, 12, 4)
UNTIL = datetime.date(2026, 12, 31)


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(database_url)
    seed(engine, load_tidbok(write_demo(tmp_path / "demo.yaml")), NOW)
    yield engine
    engine.dispose()


def version(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(
            text("SELECT version FROM tidbok_versions WHERE clinic = :c"), {"c": CLINIC}).scalar_one())


def write(engine: Engine, sql: str, **params: object) -> None:
    with writing(engine).begin() as connection:
        connection.execute(text(sql), params)


def at(clock: str, day: datetime.date = FRIDAY) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.fromisoformat(clock), STOCKHOLM)


WRITES = [
    ("INSERT INTO tidbok_closed_days (clinic, day) VALUES (:c, '2026-12-30')", {}),
    ("DELETE FROM tidbok_closed_days WHERE clinic = :c AND day = '2026-12-24'", {}),
    ("UPDATE tidbok_schedules SET end_time = '10:00' WHERE clinic = :c AND type_id = 'lakarbesok'", {}),
    ("DELETE FROM tidbok_schedules WHERE clinic = :c AND type_id = 'bvc'", {}),
    ("INSERT INTO tidbok_schedules (clinic, type_id, weekdays, start_time, end_time) "
     "VALUES (:c, 'lakarbesok', '5', '09:00', '10:00')", {}),
    ("UPDATE tidbok_time_types SET minutes = 30 WHERE clinic = :c AND type_id = 'lakarbesok'", {}),
    ("INSERT INTO tidbok_time_types (clinic, type_id, name, minutes, reason, cancel_hours, rebook) "
     "VALUES (:c, 'samtal', 'Samtal', 30, 'none', 24, true)", {}),
    ("DELETE FROM tidbok_time_types WHERE clinic = :c AND type_id = 'bvc'", {}),
]


@pytest.mark.parametrize(("sql", "params"), WRITES, ids=[w[0].split(" (")[0][:40] for w in WRITES])
def test_every_write_of_a_calendar_table_raises_the_mottagnings_version(
    engine: Engine, sql: str, params: dict[str, object]
) -> None:
    before = version(engine)
    with engine.connect() as connection:
        other = connection.execute(text("SELECT version FROM tidbok_versions WHERE clinic = 'specialisten'")).scalar()
    write(engine, sql, c=CLINIC, **params)
    assert version(engine) > before
    with engine.connect() as connection:
        assert connection.execute(
            text("SELECT version FROM tidbok_versions WHERE clinic = 'specialisten'")).scalar() == other


def test_a_warm_cache_follows_a_closed_day_a_new_schedule_and_a_changed_type_written_elsewhere(
    engine: Engine,
) -> None:
    warm, elsewhere = StandaloneTidbok(engine), StandaloneTidbok(engine)
    assert FRIDAY in warm.available_dates(CLINIC, "lakarbesok", ADULT, NOW, UNTIL)
    assert at("10:40") in warm.available_times(CLINIC, "lakarbesok", ADULT, FRIDAY, NOW)
    assert [t.id for t in warm.time_types(CLINIC)] == ["lakarbesok", "provtagning", "vaccination", "bvc"]

    write(engine, "INSERT INTO tidbok_closed_days (clinic, day) VALUES (:c, :d)", c=CLINIC, d=FRIDAY)
    assert FRIDAY not in warm.available_dates(CLINIC, "lakarbesok", ADULT, NOW, UNTIL)
    assert warm.free_times(CLINIC, "lakarbesok", ADULT, NOW, UNTIL).on(FRIDAY) == []

    write(engine, "UPDATE tidbok_schedules SET end_time = '10:00' WHERE clinic = :c AND type_id = 'lakarbesok'",
          c=CLINIC)
    thursday = FRIDAY - datetime.timedelta(days=1)
    assert warm.available_times(CLINIC, "lakarbesok", ADULT, thursday, NOW)[-1] == at("09:40", thursday)

    write(engine, "UPDATE tidbok_time_types SET minutes = 30, name = 'Långt besök' "
                  "WHERE clinic = :c AND type_id = 'lakarbesok'", c=CLINIC)
    assert warm.time_types(CLINIC)[0].name == "Långt besök"
    assert warm.available_times(CLINIC, "lakarbesok", ADULT, thursday, NOW) == [
        at("08:30", thursday), at("09:00", thursday), at("09:30", thursday)]  # 08:00 is Vera's already

    write(engine, "DELETE FROM tidbok_time_types WHERE clinic = :c AND type_id = 'bvc'", c=CLINIC)
    assert "bvc" not in [t.id for t in warm.time_types(CLINIC)]
    assert elsewhere.time_types(CLINIC) == warm.time_types(CLINIC)


def test_free_times_are_the_free_times_of_each_day_and_exclude_every_active_booking(engine: Engine) -> None:
    tidbok = StandaloneTidbok(engine)
    free = tidbok.free_times(CLINIC, "lakarbesok", ADULT, NOW, UNTIL)
    assert free.days == tidbok.available_dates(CLINIC, "lakarbesok", ADULT, NOW, UNTIL)
    for day in free.days:
        assert free.on(day) == tidbok.available_times(CLINIC, "lakarbesok", ADULT, day, NOW)
    assert datetime.date(2026, 12, 24) not in free.days and datetime.date(2026, 12, 5) not in free.days
    assert at("08:00", datetime.date(2026, 12, 2)) not in free.on(datetime.date(2026, 12, 2))  # Olle's
    assert free.on(datetime.date(2026, 12, 1))[0] == at("08:20", datetime.date(2026, 12, 1))  # after 08:00 now


def test_the_citizens_day_page_follows_the_staff_pages_at_once(tmp_path: Path) -> None:
    app: Flask = make_tidbok_staff_app(tmp_path)
    citizen = app.test_client()
    login(citizen, ADULT)
    submit(citizen, f"{VC}boka/", {"approve": "yes"})
    submit(citizen, f"{VC}boka/typ/", {"typ": "lakarbesok"})
    page = citizen.get(f"{VC}boka/tid/?dag=2026-12-04").text
    assert "2026-12-04T08:00:00+01:00" in times_offered(page)
    staff = staff_client(app, ADMIN)
    assert post_form(staff, f"{P}/tidbok/stangda-dagar/", {"day": "2026-12-04"}).status_code == 303
    page = citizen.get(f"{VC}boka/tid/?dag=2026-12-04").text
    assert "Det finns inga lediga tider fredag 4 december 2026" in page
    assert not [t for t in times_offered(page) if t.startswith("2026-12-04")]
    assert "?dag=2026-12-04" not in page


@pytest.mark.parametrize("near_days", [0, 3, 10])
def test_the_day_page_read_from_the_near_weeks_is_the_one_read_from_all_three_months(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, near_days: int
) -> None:
    """Whatever day is asked for, reading the next weeks first gives exactly the page the whole horizon gives."""
    from forms.booking import days

    app = make_tidbok_staff_app(tmp_path)
    tidbok = app.extensions["hittavard_tidbok"]
    for number, clock in enumerate(("08:00", "08:20", "08:40", "09:00", "09:20", "09:40", "10:00", "10:20", "10:40")):
        for day in (datetime.date(2026, 12, 9), datetime.date(2026, 12, 10)):  # two days booked full
            from forms.booking.interface import Request

            assert tidbok.make_booking(Request(CLINIC, "lakarbesok", at(clock, day), ADULT, ADULT, "x",
                                               f"k{day.day}-{number}"), NOW).ok
    asked = [None, "inte-en-dag", *(str(datetime.date(2026, 12, 1) + datetime.timedelta(n)) for n in range(0, 100, 3))]
    with app.test_request_context():
        full = {}
        monkeypatch.setattr(days, "NEAR_DAYS", 400)
        for requested in asked:
            full[requested] = days.day_view(CLINIC, "lakarbesok", ADULT, requested, None)
        chosen = at("09:20", datetime.date(2027, 2, 26))
        full_chosen = days.day_view(CLINIC, "lakarbesok", ADULT, None, chosen)
        monkeypatch.setattr(days, "NEAR_DAYS", near_days)
        for requested in asked:
            assert days.day_view(CLINIC, "lakarbesok", ADULT, requested, None) == full[requested], requested
        assert days.day_view(CLINIC, "lakarbesok", ADULT, None, chosen) == full_chosen
    assert full["2026-12-10"].notice and full["2026-12-07"].day == datetime.date(2026, 12, 7)  # full, free


def test_a_calendar_keeps_a_bounded_number_of_days_however_many_are_asked_for() -> None:
    from forms.booking.calendar import MAX_DAYS_KEPT, Calendar
    from forms.booking.interface import TimeType
    from forms.booking.times import WeeklyRule

    kind = TimeType(id="prov", name="Provtagning", minutes=10, reason="none")
    rule = WeeklyRule("prov", frozenset(range(7)), datetime.time(8), datetime.time(9))
    calendar = Calendar(version=1, types={"prov": kind}, rules={"prov": [rule]}, closed=frozenset())
    first = datetime.date(2026, 12, 1)
    for offset in range(MAX_DAYS_KEPT + 500):
        assert len(calendar.starts(kind, first + datetime.timedelta(days=offset))) == 6  # built all the same
    assert len(calendar._starts) == MAX_DAYS_KEPT
