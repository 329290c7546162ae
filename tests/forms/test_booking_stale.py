"""A stale CSRF token on any booking POST: the page again with what was typed, a notice, nothing stored.

As on the case forms (tests/forms/test_csrf.py), a token is stale when it is this session's own and
older than FORMS_CSRF_MINUTES; the session is kept alive meanwhile by another tab. The page comes
back with what the citizen posted, a fresh token and "Sidan hade varit öppen länge …", nothing is
approved, saved, booked, moved or cancelled, and posting the page again does what it should have.
A missing or foreign token stays a 400 (tests/forms/test_booking_flow.py).
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from forms import create_app
from tests.forms.booking_support import (
    ADULT,
    NOW,
    VC,
    book_to_check,
    config,
    confirm,
    login,
    submit,
    token,
    write_booking_content,
    write_demo,
)
from tests.forms.gunicorn_run import hidden_fields
from tests.forms.security_support import Clock

STALE = "Sidan hade varit öppen länge, så av säkerhetsskäl sparade vi inte det du skickade."
TIME = "2026-12-04T09:00:00+01:00"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(NOW).drive_token_time(monkeypatch)


@pytest.fixture
def app(tmp_path: Path, clock: Clock) -> Flask:
    root = write_booking_content(tmp_path / "content")
    demo = write_demo(tmp_path / "demo.yaml")
    return create_app({**config(root, demo, f"sqlite:///{tmp_path / 'store.sqlite3'}"), "CLOCK": clock})


def stored(app: Flask) -> list[object]:
    """Everything a booking POST could change: drafts, cases, bookings, comments, contact details."""
    with app.extensions["hittavard_forms"].store.engine.connect() as connection:
        return [
            [tuple(row) for row in connection.execute(text(query))]
            for query in (
                "SELECT id, status, villkor_sha256, raw FROM drafts ORDER BY id",
                "SELECT id FROM cases ORDER BY id",
                "SELECT key, status, start, comment FROM tidbok_bookings ORDER BY id",
                "SELECT booking_id, comment FROM tidbok_booking_comments ORDER BY id",
                "SELECT personnummer, email, mobile FROM contact_details ORDER BY personnummer",
            )
        ]


def wait_with_another_tab_open(client: FlaskClient, clock: Clock, minutes: int = 65) -> None:
    for _ in range(minutes // 20):
        clock.advance(minutes=20)
        assert client.get("/e-tjanster/inkorg/").status_code == 200
    clock.advance(minutes=minutes % 20)


def own_key(client: FlaskClient) -> str:
    """The key of Vera's Läkarbesök on 3 December (the first time listed is Provtagning on the 1st)."""
    found = re.search(r"torsdag 3 december 2026 kl\. 08\.00.*?/tidbok/([^/]+)/omboka/", client.get(VC).text, re.S)
    assert found
    return found.group(1)


def to_villkor(client: FlaskClient) -> str:
    return f"{VC}boka/"


def to_type(client: FlaskClient) -> str:
    submit(client, f"{VC}boka/", {"approve": "yes"})
    return f"{VC}boka/typ/"


def to_time(client: FlaskClient) -> str:
    submit(client, to_type(client), {"typ": "lakarbesok"})
    return f"{VC}boka/tid/?dag=2026-12-04"


def to_reason(client: FlaskClient) -> str:
    to_time(client)
    submit(client, f"{VC}boka/tid/?dag=2026-12-04", {"tid": TIME})
    return f"{VC}boka/orsak/"


def to_check(client: FlaskClient) -> str:
    book_to_check(client, start=TIME)
    return f"{VC}boka/kontrollera/"


def to_omboka_comment(client: FlaskClient) -> str:
    key = own_key(client)
    submit(client, f"{VC}{key}/omboka/", {"approve": "yes"})
    submit(client, f"{VC}{key}/omboka/tid/?dag=2026-12-04", {"tid": TIME})
    return f"{VC}{key}/omboka/kommentar/"


def to_omboka_check(client: FlaskClient) -> str:
    url = to_omboka_comment(client)
    submit(client, url, {"kommentar": "Passar bättre"})
    return url.replace("/kommentar/", "/kontrollera/")


def to_avboka(client: FlaskClient) -> str:
    key = own_key(client)
    submit(client, f"{VC}{key}/avboka/", {"approve": "yes"})
    return f"{VC}{key}/avboka/kommentar/"


def to_reminder(client: FlaskClient) -> str:
    return confirm(client, book_to_check(client, start=TIME)).headers["Location"]


@dataclass(frozen=True)
class Case:
    to_page: Callable[[FlaskClient], str]  # walks there; the page's URL
    posted: dict[str, str]
    kept: str  # how what was posted shows on the page again
    button: str
    post_to: str = ""  # where the page's form posts, when not to itself


CASES = {
    "villkor": Case(to_villkor, {"approve": "yes"}, 'value="yes" checked', "Fortsätt"),
    "typ": Case(to_type, {"typ": "provtagning"}, 'value="provtagning" checked', "Fortsätt"),
    "tid": Case(to_time, {"dag": "2026-12-04", "tid": TIME}, f'value="{TIME}" checked', "Fortsätt"),
    "orsak": Case(to_reason, {"orsak": "Ont i örat sedan i söndags"}, ">Ont i örat sedan i söndags</textarea>",
                  "Fortsätt"),
    "boka tiden": Case(to_check, {}, "fredag 4 december 2026 kl. 09.00", "Boka tiden"),
    "omboka kommentar": Case(to_omboka_comment, {"kommentar": "Bussen går senare på fredagar"},
                             ">Bussen går senare på fredagar</textarea>", "Fortsätt"),
    "omboka tiden": Case(to_omboka_check, {}, "Passar bättre", "Omboka tiden"),
    "avboka tiden": Case(to_avboka, {"kommentar": "Jag är frisk nu"}, ">Jag är frisk nu</textarea>",
                         "Avboka tiden"),
    "påminnelse": Case(to_reminder, {"epost": "vera@example.se", "mobil": "070-123 45 67"},
                       'value="vera@example.se"', "Skicka påminnelse dagen före", post_to="paminnelse/"),
}


def form_of(page: str) -> dict[str, str]:
    """The hidden fields of the page (its token, the draft key and what a confirmation showed)."""
    return hidden_fields(page)


@pytest.mark.parametrize("name", CASES)
def test_a_stale_token_shows_the_page_again_with_what_was_typed_and_stores_nothing_until_sent_again(
    app: Flask, clock: Clock, name: str
) -> None:
    case = CASES[name]
    client = app.test_client()
    login(client, ADULT)
    url = case.to_page(client)
    page = client.get(url).text
    target = url.split("?")[0] + case.post_to
    before = stored(app)
    wait_with_another_tab_open(client, clock)

    response = client.post(target, data={**form_of(page), **case.posted})
    assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
    shown = html.unescape(response.text)
    assert STALE in shown and f"tryck på {case.button} igen" in shown
    assert case.kept in shown
    assert "<title>Fel: " not in shown  # not the citizen's error
    assert stored(app) == before
    assert token(response.text) != token(page)

    again = client.post(target, data={**form_of(response.text), **case.posted})
    assert again.status_code == 303, again.text[:500]
    assert stored(app) != before


def test_the_stale_day_page_still_offers_only_free_times(app: Flask, clock: Clock) -> None:
    """The day page shown again is built afresh: a time taken meanwhile is not offered, nor checked."""
    client = app.test_client()
    login(client, ADULT)
    page = client.get(to_time(client)).text
    wait_with_another_tab_open(client, clock)
    from forms.booking.common import EXTENSION
    from forms.booking.interface import Request

    taken = datetime.datetime.fromisoformat(TIME)
    assert app.extensions[EXTENSION].make_booking(
        Request("vardcentralen-test", "lakarbesok", taken, "19800505-3213", "19800505-3213", None, "x"), clock()
    ).ok
    response = client.post(f"{VC}boka/tid/", data={**form_of(page), "dag": "2026-12-04", "tid": TIME})
    assert response.status_code == 200 and STALE in html.unescape(response.text)
    assert TIME not in response.text and 'value="2026-12-04T09:20:00+01:00"' in response.text
