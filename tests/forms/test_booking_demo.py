"""The shipped demo: web booking works from the run command whatever the date, and seeds once."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from forms import create_app
from forms.booking.common import EXTENSION
from tests.forms.booking_support import login, submit, times_offered

ROOT = Path(__file__).resolve().parents[2]
TOLVAN = "19121212-1212"
TILDA = "20180202-2382"


def demo_app(database: Path, now: datetime.datetime):  # type: ignore[no-untyped-def]
    return create_app({
        "FORMS_CONTENT_DIR": str(ROOT / "content"),
        "FORMS_DATABASE_URL": f"sqlite:///{database}",
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "demo",
        "CLOCK": lambda: now,
    })


@pytest.mark.parametrize("today", ["2026-11-30T09:00", "2027-06-21T15:30", "2031-02-28T23:00"])
def test_the_demo_has_coming_booked_times_and_free_times_whatever_the_date(tmp_path: Path, today: str) -> None:
    now = datetime.datetime.fromisoformat(today + "+01:00")
    app = demo_app(tmp_path / "demo.sqlite3", now)
    tidbok = app.extensions[EXTENSION]
    mine = tidbok.schedule(TOLVAN, "asviks-vardcentral", now)
    assert len(mine) == 2 and all(b.start > now for b in mine)
    specialist = tidbok.schedule(TOLVAN, "psykiatriska-mottagningen", now)
    assert [b.may_rebook for b in specialist] == [False, False]
    assert [b.may_cancel for b in specialist] == [False, True]  # the first is within 72 hours
    client = app.test_client()
    login(client, TOLVAN)
    page = client.get("/e-tjanster/asviks-vardcentral/tidbok/")
    assert page.status_code == 200 and page.text.count(">Omboka<") == 2
    submit(client, "/e-tjanster/asviks-vardcentral/tidbok/boka/", {"approve": "yes"})
    submit(client, "/e-tjanster/asviks-vardcentral/tidbok/boka/typ/", {"typ": "lakarbesok"})
    assert times_offered(client.get("/e-tjanster/asviks-vardcentral/tidbok/boka/tid/").text)


def test_the_demo_bvc_is_for_children_up_to_six_and_vaccination_for_adults(tmp_path: Path) -> None:
    now = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    client = demo_app(tmp_path / "demo.sqlite3", now).test_client()
    login(client, TOLVAN)
    submit(client, "/e-tjanster/ombud/", {"subject": TILDA})  # Tilda is 8
    submit(client, "/e-tjanster/bvc-storgarden/tidbok/boka/", {"approve": "yes"})
    assert "Det finns inga tider du kan boka här på webben just nu" in client.get(
        "/e-tjanster/bvc-storgarden/tidbok/boka/typ/").text
    submit(client, "/e-tjanster/asviks-vardcentral/tidbok/boka/", {"approve": "yes"})
    types = client.get("/e-tjanster/asviks-vardcentral/tidbok/boka/typ/").text
    assert "Läkarbesök" in types and "Vaccination" not in types


def test_the_demo_is_seeded_once_across_restarts(tmp_path: Path) -> None:
    now = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    first = demo_app(tmp_path / "demo.sqlite3", now).extensions[EXTENSION]
    before = first.schedule(TOLVAN, "asviks-vardcentral", now)
    later = now + datetime.timedelta(days=3)
    again = demo_app(tmp_path / "demo.sqlite3", later).extensions[EXTENSION]
    assert [b.key for b in again.schedule(TOLVAN, "asviks-vardcentral", now)] == [b.key for b in before]
    assert len(again.time_types("asviks-vardcentral")) == 4
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", before[0].key)
