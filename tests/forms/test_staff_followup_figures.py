"""The uppföljning's figures (forms.staff.followup) against counts made here, in Python, from the rows.

Runs on SQLite and PostgreSQL (`database_url`): the figures come from SQL that differs between
them (the week CASE, whole hours and days). The count here shares nothing with the module but the
rows: weeks from zoneinfo's isocalendar, durations from timedelta, medians from statistics.
"""

from __future__ import annotations

import datetime
import random
import statistics
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert

from forms.platform.workdays import due_at
from forms.staff import followup
from forms.staff.followup import Period
from forms.store.db import Case, Draft
from forms.store.engine import make_engine
from forms.store.tidbok import BookingRow

SE = ZoneInfo("Europe/Stockholm")
UTC = datetime.UTC
CLINIC, OTHER = "vc-ett", "vc-tva"
# Twelve weeks, Monday 2026-03-16 to Sunday 2026-06-07: over the change to summer time (29 March),
# Easter (3–6 April), 1 May and Kristi himmelsfärd (Thursday 14 May).
PERIOD = Period(datetime.date(2026, 3, 16), datetime.date(2026, 6, 1))
NOW = datetime.datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
ESERVICES = ("begar-intyg", "fornya-recept", "skicka-meddelande")


def local(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SE).astimezone(UTC)


def naive(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def engine(database_url: str) -> Engine:
    made = make_engine(database_url)
    yield made
    made.dispose()


def add_case(
    engine: Engine, number: int, clinic: str, eservice: str, sent: datetime.datetime,
    responded: datetime.datetime | None, status: str = "Besvarad",
) -> dict[str, object]:
    row = {"clinic": clinic, "eservice": eservice, "sent": sent, "responded": responded,
           "due": due_at(sent), "status": status}
    with engine.begin() as connection:
        draft = connection.execute(insert(Draft).values(
            key=f"k{number}", actor="19121212-1212", subject="19121212-1212", clinic=clinic, eservice=eservice,
            status="sent", villkor_sha256="a" * 64, villkor_approved_at=naive(sent), raw={},
        )).inserted_primary_key[0]
        connection.execute(insert(Case).values(
            reference=f"HV-T-{number}", idempotency_key=f"k{number}", draft_id=draft, actor="19121212-1212",
            subject="19121212-1212", clinic=clinic, clinic_name="VC", eservice=eservice, eservice_name=eservice,
            villkor_sha256="a" * 64, villkor_approved_at=naive(sent), answers={}, summary=[], sent_at=naive(sent),
            status=status, due_at=naive(row["due"]), responded_at=naive(responded) if responded else None,
        ))
    return row


def add_booking(
    engine: Engine, number: int, clinic: str, created: datetime.datetime, start: datetime.datetime,
    cancelled: datetime.datetime | None = None, rebooked: datetime.datetime | None = None, by_staff: bool = False,
) -> dict[str, object]:
    updated = max(moment for moment in (created, cancelled, rebooked) if moment is not None)
    with engine.begin() as connection:
        connection.execute(insert(BookingRow).values(
            key=f"b{number}", clinic=clinic, type_id="lakarbesok", start=naive(start),
            end=naive(start) + datetime.timedelta(seconds=1),  # random seconds apart: never overlapping
            subject="19121212-1212",
            booked_by="mottagningen" if by_staff else "19121212-1212", status="cancelled" if cancelled else "active", created_at=naive(created),
            updated_at=naive(updated), rebooked_at=naive(rebooked) if rebooked else None,
        ))
    return {"clinic": clinic, "created": created, "start": start, "cancelled": cancelled, "rebooked": rebooked,
            "staff": by_staff}


def week_index(moment: datetime.datetime) -> int | None:
    """The period's week of a moment, by the Swedish calendar (None: outside the period)."""
    day = moment.astimezone(SE).date()
    index = (day - PERIOD.first).days // 7
    return index if 0 <= index < len(PERIOD.mondays) else None


def random_rows(engine: Engine) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rng = random.Random(21)
    start = local("2026-03-09T00:00")  # a week before the period, and beyond its end: left out
    span = (local("2026-06-15T00:00") - start).total_seconds()
    cases = []
    for number in range(400):
        sent = start + datetime.timedelta(seconds=rng.randrange(int(span)))
        responded = None
        if rng.random() < 0.8:
            responded = sent + datetime.timedelta(seconds=rng.randrange(4 * 86400))
            if responded > NOW:
                responded = None
        status = rng.choice(("Ny", "Fördelad", "Avslutad")) if responded is None else "Besvarad"
        clinic = CLINIC if rng.random() < 0.85 else OTHER
        cases.append(add_case(engine, number, clinic, rng.choice(ESERVICES), sent, responded, status))
    # And one case at each Monday 00.00 in Swedish time, from the week before the period to the one
    # after it: random seconds never land on a week's first moment, where an off-by-one would show.
    for week in range(15):
        # Wall-clock arithmetic on a zoneinfo time: 00.00 also after the change to summer time.
        sent = (datetime.datetime(2026, 3, 9, tzinfo=SE) + datetime.timedelta(weeks=week)).astimezone(UTC)
        cases.append(add_case(engine, 1000 + week, CLINIC, rng.choice(ESERVICES), sent, None, "Avslutad"))
    bookings = []
    for number in range(150):
        created = start + datetime.timedelta(seconds=rng.randrange(int(span)))
        time = created + datetime.timedelta(seconds=rng.randrange(60 * 86400))
        cancelled = created + datetime.timedelta(hours=rng.randrange(1, 300)) if rng.random() < 0.2 else None
        rebooked = created + datetime.timedelta(hours=rng.randrange(1, 200)) if rng.random() < 0.2 else None
        if cancelled and rebooked and rebooked > cancelled:
            rebooked = None
        clinic = CLINIC if rng.random() < 0.85 else OTHER
        by_staff = rng.random() < 0.3
        bookings.append(add_booking(engine, number, clinic, created, time, cancelled, rebooked, by_staff))
    return cases, bookings


def test_case_figures_equal_a_count_made_from_the_rows(engine: Engine) -> None:
    cases, _ = random_rows(engine)
    arrived: Counter[tuple[int, str]] = Counter()
    in_time: Counter[tuple[int, str]] = Counter()
    late: Counter[tuple[int, str]] = Counter()
    hours: defaultdict[tuple[int, str], list[int]] = defaultdict(list)
    for row in cases:
        week = week_index(row["sent"])
        if row["clinic"] != CLINIC or week is None:
            continue
        key = (week, row["eservice"])
        arrived[key] += 1
        if row["responded"] is not None:
            taken = row["responded"] - row["sent"]
            hours[key].append(int(taken.total_seconds() // 3600))
            if row["responded"] <= row["due"]:
                in_time[key] += 1
            else:
                late[key] += 1
        elif row["due"] < NOW and row["status"] != "Avslutad":
            late[key] += 1

    found = followup.figures(engine, CLINIC, PERIOD, NOW)

    assert sum(arrived.values()) > 250  # the rows reach most weeks and e-services
    assert {key: f.arrived for key, f in found.cases.items()} == dict(arrived)
    assert {key: f.in_time for key, f in found.cases.items() if f.in_time} == dict(in_time)
    assert {key: f.late for key, f in found.cases.items() if f.late} == dict(late)
    for key, values in hours.items():
        assert found.cases[key].median_hours == statistics.median(values), key
    for week in range(len(PERIOD.mondays)):
        mine = [row for row in cases if row["clinic"] == CLINIC and week_index(row["sent"]) == week]
        assert found.case_week(week).arrived == len(mine)


def test_booking_figures_equal_a_count_made_from_the_rows(engine: Engine) -> None:
    _, bookings = random_rows(engine)
    weeks = len(PERIOD.mondays)
    web, staff, rebooked, cancelled = [0] * weeks, [0] * weeks, [0] * weeks, [0] * weeks
    ahead: list[list[int]] = [[] for _ in range(weeks)]
    for row in bookings:
        if row["clinic"] != CLINIC:
            continue
        week = week_index(row["created"])
        if week is not None:
            (staff if row["staff"] else web)[week] += 1
            ahead[week].append((row["start"] - row["created"]).days)
        if row["rebooked"] and (week := week_index(row["rebooked"])) is not None:
            rebooked[week] += 1
        if row["cancelled"] and (week := week_index(row["cancelled"])) is not None:
            cancelled[week] += 1

    found = followup.figures(engine, CLINIC, PERIOD, NOW).bookings

    assert sum(web) > 50 and sum(staff) > 15 and sum(rebooked) > 5 and sum(cancelled) > 5
    assert [f.web for f in found] == web
    assert [f.staff for f in found] == staff  # booked_by "mottagningen": the tidbok's mark of a staff booking
    assert [f.rebooked for f in found] == rebooked
    assert [f.cancelled for f in found] == cancelled
    assert [f.median_days for f in found] == [statistics.median(days) if days else None for days in ahead]


def test_the_due_time_counts_working_days_across_a_weekend_and_a_holiday(engine: Engine) -> None:
    """Due at 24.00 of the first working day after arrival: Friday's case is due Monday, the day
    before Kristi himmelsfärd's is due the Friday after it, Saturday's is due Tuesday."""
    rows = [
        ("2026-05-08T15:00", "2026-05-11T23:30"),  # Friday → answered Monday evening: in time
        ("2026-05-08T15:00", "2026-05-12T00:30"),  # Friday → answered Tuesday night: late
        ("2026-05-13T09:00", "2026-05-15T22:00"),  # Wednesday before the holiday → Friday: in time
        ("2026-05-13T09:00", "2026-05-16T00:10"),  # … Saturday: late
        ("2026-05-16T10:00", "2026-05-19T23:59"),  # Saturday → counts as Monday, due Tuesday: in time
        ("2026-05-20T10:00", "2026-05-21T12:00"),  # an ordinary Wednesday → Thursday: in time
    ]
    for number, (sent, responded) in enumerate(rows):
        add_case(engine, number, CLINIC, "begar-intyg", local(sent), local(responded))
    add_case(engine, 99, CLINIC, "begar-intyg", local("2026-05-29T10:00"), None, "Ny")  # due 1 June: late now
    add_case(engine, 98, CLINIC, "begar-intyg", local("2026-06-03T08:00"), None, "Ny")  # not yet due: waits

    found = followup.figures(engine, CLINIC, PERIOD, NOW)

    weeks = {week: found.case_week(week) for week in range(len(PERIOD.mondays))}
    may_4, may_11, may_18, may_25, june_1 = 7, 8, 9, 10, 11
    assert (weeks[may_4].in_time, weeks[may_4].late) == (1, 1)
    assert weeks[may_4].arrived == 2 and weeks[may_4].share_in_time == 0.5
    assert (weeks[may_11].in_time, weeks[may_11].late) == (2, 1)
    assert (weeks[may_18].in_time, weeks[may_18].late) == (1, 0)
    assert (weeks[may_25].arrived, weeks[may_25].late) == (1, 1)
    assert (weeks[june_1].arrived, weeks[june_1].late, weeks[june_1].share_in_time) == (1, 0, None)


def test_a_bookings_copy_in_the_inbox_is_not_counted_as_a_case(engine: Engine) -> None:
    """The citizen's copy of a booking is stored as a case (`tidbok-boka`); the uppföljning showed
    it as an e-service of that raw name, arrived but never answered."""
    add_case(engine, 1, CLINIC, "begar-intyg", local("2026-05-20T10:00"), None, "Ny")
    for number, copy in ((2, "tidbok-boka"), (3, "tidbok-avboka")):
        add_case(engine, number, CLINIC, copy, local("2026-05-20T10:00"), None, "Avslutad")

    found = followup.figures(engine, CLINIC, PERIOD, NOW)

    assert found.eservices() == ["begar-intyg"] and found.case_total().arrived == 1


def test_a_week_begins_on_monday_in_swedish_time_also_across_summer_time(engine: Engine) -> None:
    add_case(engine, 1, CLINIC, "begar-intyg", local("2026-03-29T23:59"), None, "Avslutad")  # Sunday: 2nd week
    add_case(engine, 2, CLINIC, "begar-intyg", local("2026-03-30T00:00"), None, "Avslutad")  # Monday: 3rd week
    add_case(engine, 3, CLINIC, "begar-intyg", local("2026-03-16T00:00"), None, "Avslutad")  # the first moment
    add_case(engine, 4, CLINIC, "begar-intyg", local("2026-03-15T23:59"), None, "Avslutad")  # before the period

    found = followup.figures(engine, CLINIC, PERIOD, NOW)

    assert [found.case_week(week).arrived for week in range(4)] == [1, 1, 1, 0]
    assert found.case_total().arrived == 3


def test_the_median_of_counted_values_is_the_middle_one_or_the_mean_of_the_middle_two() -> None:
    assert followup.median({}) is None
    assert followup.median({5: 1}) == 5
    assert followup.median({1: 1, 3: 1}) == 2
    assert followup.median({1: 2, 9: 1}) == 1
    assert followup.median({0: 3, 4: 1, 10: 2}) == 2
