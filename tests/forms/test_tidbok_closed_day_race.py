"""Two lokal administratörer closing, or opening, the same day at once (issue 19).

Real gunicorn workers, SQLite and PostgreSQL. A day closed twice at once is stored once (the
primary key (clinic, day)) and one administrator is told "Den dagen är redan stängd." with what
they typed, exactly as when they close it one after the other; never a 500. A day opened twice at
once is open, and in both cases only the change that was made is logged. The two tests (different
months) share one server per database: starting its workers costs more than a race.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from forms.staff.accesslog import AccessLogEntry
from forms.store.engine import make_engine
from forms.store.tidbok import ClosedDayRow
from tests.forms.gunicorn_run import Gunicorn, csrf_token, gunicorn
from tests.forms.test_booking_races import at_once
from tests.forms.test_tidbok_admin_race import SECOND_ADMIN, env_for, staff_browser
from tests.forms.tidbok_staff_support import ADMIN, VC

ROUNDS = 6
CLOSED = f"/e-tjanster/personal/{VC}/tidbok/stangda-dagar/"


@pytest.fixture(scope="module")
def server(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    """One server for the module's races on this database."""
    make_engine(module_database_url).dispose()
    root = tmp_path_factory.mktemp("closed-day-race")
    with gunicorn(env_for(root, module_database_url), workers=2, log=root / "gunicorn.log") as server:
        yield server


def stored_and_logged(engine: Engine, day: str, detail: str) -> tuple[int, int]:
    """The closed-day rows for `day` at the mottagning, and the access-log rows saying `detail`."""
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(ClosedDayRow).where(
            ClosedDayRow.clinic == VC, ClosedDayRow.day == datetime.date.fromisoformat(day))).scalar_one()
        logged = connection.execute(select(func.count()).select_from(AccessLogEntry).where(
            AccessLogEntry.detail == detail)).scalar_one()
    return rows, logged


def test_two_admins_closing_the_same_day_at_once_close_it_once_and_the_other_is_told(
    server: Gunicorn, module_database_url: str
) -> None:
    engine = make_engine(module_database_url, migrate=False)
    try:
        admins = [staff_browser(server.base, ADMIN), staff_browser(server.base, SECOND_ADMIN)]
        for round_number in range(ROUNDS):
            day = f"2027-01-{round_number + 11:02d}"
            forms = [{"csrf_token": csrf_token(admin.get(CLOSED).text), "day": day} for admin in admins]
            pair = at_once([lambda a=a, f=f: a.post(CLOSED, f) for a, f in zip(admins, forms, strict=True)])
            statuses = sorted(r.status for r in pair)
            assert statuses == [303, 422], (round_number, statuses, server.log.read_text(errors="replace")[-2000:])
            told = next(r for r in pair if r.status == 422)
            assert "Den dagen är redan stängd." in told.text and f'name="day" value="{day}"' in told.text
            assert stored_and_logged(engine, day, f"stängd dag {day}") == (1, 1), round_number
    finally:
        engine.dispose()


def test_two_admins_opening_the_same_closed_day_at_once_open_it_and_log_it_once(
    server: Gunicorn, module_database_url: str
) -> None:
    engine = make_engine(module_database_url, migrate=False)
    try:
        admins = [staff_browser(server.base, ADMIN), staff_browser(server.base, SECOND_ADMIN)]
        for round_number in range(ROUNDS):
            day = f"2027-02-{round_number + 11:02d}"
            closing = {"csrf_token": csrf_token(admins[0].get(CLOSED).text), "day": day}
            assert admins[0].post(CLOSED, closing).status == 303
            forms = [{"csrf_token": csrf_token(admin.get(CLOSED).text), "remove": day} for admin in admins]
            pair = at_once([lambda a=a, f=f: a.post(CLOSED, f) for a, f in zip(admins, forms, strict=True)])
            # The day is open, as both wanted. The second is answered as opening an open day is
            # (404) when it read the closed days after the first's commit; never a 500.
            assert sorted(r.status for r in pair) in ([303, 303], [303, 404]), round_number
            assert stored_and_logged(engine, day, f"öppnade stängd dag {day}") == (0, 1), round_number
    finally:
        engine.dispose()


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
