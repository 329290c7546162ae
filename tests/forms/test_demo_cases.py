"""Made-up cases are the run command's demo only: the contract seeds a database from the demo
file's `tidbok:` and `staff:` lists, so a test of the shipped content starts with no cases."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from forms import create_app
from tests.forms.booking_support import login

ROOT = Path(__file__).resolve().parents[2]
TOLVAN = "19121212-1212"
NOW = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)


def inbox_of_tolvan(database: Path, demo_cases: str | None) -> str:
    config = {
        "FORMS_CONTENT_DIR": str(ROOT / "content"),
        "FORMS_DATABASE_URL": f"sqlite:///{database}",
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "demo",
        "FORMS_DEMO_CASES": demo_cases,
        "CLOCK": lambda: NOW,
    }
    client = create_app(config).test_client()
    login(client, TOLVAN)
    return client.get("/e-tjanster/inkorg/").text


@pytest.mark.parametrize("setting", [None, "0"])
def test_the_shipped_demo_seeds_no_cases_unless_asked(tmp_path: Path, setting: str | None) -> None:
    assert "Här finns inga skickade ärenden eller bokningar ännu." in inbox_of_tolvan(tmp_path / "forms.sqlite3", setting)


def test_the_run_commands_demo_cases_reach_the_inbox(tmp_path: Path) -> None:
    page = inbox_of_tolvan(tmp_path / "forms.sqlite3", "1")
    assert "Här finns inga skickade ärenden eller bokningar ännu." not in page
    assert page.count("HV-") >= 2
