"""A session's CSRF token is signed once a minute (issue 22, target 2), and stays that session's alone.

The token of a page is reused on the session's next pages for up to a minute
(`forms.platform.tokens`): it is still Flask-WTF's token, checked by `validate_csrf`, so it must be
accepted as before, never be given to another session, and be signed anew once a minute is up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from tests.forms.conftest import ADULT, BASE, OTHER_ADULT, csrf_token, login
from tests.forms.security_support import Clock, token_clock
from tests.forms.staff_support import CLINIC, HANDLER, RECEIVER, staff_login

clock = pytest.fixture(token_clock)

INBOX = f"{BASE}/inkorg/"




def test_pages_within_a_minute_carry_the_same_token_and_it_is_accepted(timed_app: Flask, clock: Clock) -> None:
    client = timed_app.test_client()
    login(client, ADULT)
    first = csrf_token(client.get(INBOX).text)
    clock.advance(seconds=40)  # signed again, the token would carry another time and signature
    second = csrf_token(client.get(INBOX).text)
    assert second == first
    assert client.post(f"{BASE}/logga-ut/", data={"csrf_token": second}).status_code == 303


def test_a_token_is_signed_anew_once_a_minute_is_up_and_both_are_accepted(timed_app: Flask, clock: Clock) -> None:
    client = timed_app.test_client()
    login(client, ADULT)
    first = csrf_token(client.get(INBOX).text)
    clock.advance(seconds=61)
    second = csrf_token(client.get(INBOX).text)
    assert second != first
    for token in (first, second):
        assert client.post(f"{BASE}/ombud/", data={"csrf_token": token, "subject": "self"}).status_code == 303


def test_two_sessions_in_the_same_second_never_get_each_others_token(timed_app: Flask) -> None:
    one, other = timed_app.test_client(), timed_app.test_client()
    login(one, ADULT)
    login(other, OTHER_ADULT)
    ones, others = csrf_token(one.get(INBOX).text), csrf_token(other.get(INBOX).text)
    assert ones != others
    assert other.post(f"{BASE}/logga-ut/", data={"csrf_token": ones}).status_code == 400
    assert other.get(INBOX).status_code == 200  # still logged in


def test_logging_in_again_within_the_minute_gives_a_new_token_and_refuses_the_old(
    timed_app: Flask, clock: Clock
) -> None:
    """A login starts a new secret: the token kept for the old one is neither shown nor accepted."""
    client = timed_app.test_client()
    login(client, ADULT)
    before = csrf_token(client.get(INBOX).text)
    assert client.post(f"{BASE}/logga-ut/", data={"csrf_token": before}).status_code == 303
    clock.advance(seconds=5)
    login(client, ADULT)
    after = csrf_token(client.get(INBOX).text)
    assert after != before
    assert client.post(f"{BASE}/ombud/", data={"csrf_token": before, "subject": "self"}).status_code == 400
    assert client.post(f"{BASE}/ombud/", data={"csrf_token": after, "subject": "self"}).status_code == 303


# The staff side's own token (forms.staff.session), reused the same way --------------------------

STAFF_LIST = f"{BASE}/personal/{CLINIC}/arenden/"
STAFF_LOGOUT = f"{BASE}/personal/logga-ut/"


def test_a_staff_sessions_pages_within_a_minute_carry_one_token_and_it_is_accepted(
    staff_app: Flask, clock: Clock
) -> None:
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    first = csrf_token(client.get(STAFF_LIST).text)
    clock.advance(seconds=40)
    assert csrf_token(client.get(STAFF_LIST).text) == first
    clock.advance(seconds=21)
    assert csrf_token(client.get(STAFF_LIST).text) != first  # a minute is up: signed anew
    assert client.post(STAFF_LOGOUT, data={"csrf_token": first}).status_code == 303


def test_two_staff_sessions_never_get_each_others_token(staff_app: Flask) -> None:
    one, other = staff_app.test_client(), staff_app.test_client()
    staff_login(one, RECEIVER)
    staff_login(other, HANDLER)
    ones = csrf_token(one.get(STAFF_LIST).text)
    assert csrf_token(other.get(STAFF_LIST).text) != ones
    assert other.post(STAFF_LOGOUT, data={"csrf_token": ones}).status_code == 400


def test_a_staff_login_again_within_the_minute_gives_a_new_token_and_refuses_the_old(
    staff_app: Flask, clock: Clock
) -> None:
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    before = csrf_token(client.get(STAFF_LIST).text)
    assert client.post(STAFF_LOGOUT, data={"csrf_token": before}).status_code == 303
    clock.advance(seconds=5)
    staff_login(client, RECEIVER)
    after = csrf_token(client.get(STAFF_LIST).text)
    assert after != before
    assert client.post(STAFF_LOGOUT, data={"csrf_token": before}).status_code == 400
    assert client.post(STAFF_LOGOUT, data={"csrf_token": after}).status_code == 303


# A short lifetime (FORMS_CSRF_MINUTES=1): reuse takes at most a sixtieth of it -------------------


def test_with_a_one_minute_lifetime_a_page_still_gets_a_token_good_for_about_a_minute(
    make_app: Callable[..., Flask], clock: Clock
) -> None:
    client = make_app(CLOCK=clock, FORMS_CSRF_MINUTES="1").test_client()
    login(client, ADULT)
    client.get(INBOX)
    clock.advance(seconds=40)
    token = csrf_token(client.get(INBOX).text)  # reused from 40 s ago, it would have 20 s left
    clock.advance(seconds=50)
    assert client.post(f"{BASE}/ombud/", data={"csrf_token": token, "subject": "self"}).status_code == 303


def test_with_a_one_minute_lifetime_a_staff_page_still_gets_a_token_good_for_about_a_minute(
    make_app: Callable[..., Flask], staff_demo_file: Path, clock: Clock
) -> None:
    client = make_app(FORMS_DEMO_DATA=str(staff_demo_file), CLOCK=clock, FORMS_CSRF_MINUTES="1").test_client()
    staff_login(client, RECEIVER)
    client.get(STAFF_LIST)
    clock.advance(seconds=40)
    token = csrf_token(client.get(STAFF_LIST).text)
    clock.advance(seconds=50)
    assert client.post(STAFF_LOGOUT, data={"csrf_token": token}).status_code == 303
