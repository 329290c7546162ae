"""Sessions (issue 6 item 1): the cookie, revocation, the idle and absolute timeouts.

Time passes by moving the app's clock; nothing sleeps.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from http.cookies import SimpleCookie

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms.platform.settings import Settings, SettingsError
from forms.store.db import Draft
from tests.forms.conftest import (
    ADULT,
    BASE,
    INTYG_URL,
    OTHER_ADULT,
    approve,
    counts,
    csrf_token,
    intyg_to_check,
    login,
    send_form_data,
    submit,
)
from tests.forms.security_support import Clock, Recorder, token_clock

clock = pytest.fixture(token_clock)

COOKIE = "__Host-session"
MARKER = "Hemlig-markör-7731"




def draft_raw(app: Flask) -> dict[str, object]:
    store = app.extensions["hittavard_forms"].store
    with store._begin() as db:
        rows = db.query(Draft).all()
    assert len(rows) == 1
    return dict(rows[0].raw)


def cookie_value(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


# The cookie ----------------------------------------------------------------------------------------


def test_every_cookie_of_a_whole_journey_is_the_host_prefixed_secure_httponly_lax_token(app: Flask) -> None:
    """All Set-Cookie headers of login, answers, check, send and logout: one cookie, always locked down,
    holding a random token and nothing the citizen is or typed."""
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder  # type: ignore[method-assign]
    client = app.test_client()
    login(client, ADULT)
    approve(client)
    submit(client, f"{INTYG_URL}sida/1/", {"intyg": "Körkortsintyg", "renewal": "Förnyelse"})
    submit(client, f"{INTYG_URL}sida/2/", {"issued_by": MARKER, "valid_until": "2026-12-31"})
    submit(client, f"{INTYG_URL}sida/3/", {"message": MARKER})
    check = client.get(f"{INTYG_URL}kontrollera/")
    client.post(f"{INTYG_URL}skicka/", data=send_form_data(check.text))
    client.post(f"{BASE}/logga-ut/", data={"csrf_token": csrf_token(client.get(f"{BASE}/inkorg/").text)})

    headers = [value for r in recorder.responses for key, value in r.headers if key.lower() == "set-cookie"]
    assert len(headers) >= 3  # anonymous session, login, logout
    for header in headers:
        parsed = SimpleCookie()
        parsed.load(header)
        assert list(parsed) == [COOKIE], header
        morsel = parsed[COOKIE]
        assert morsel["secure"] and morsel["httponly"], header
        assert morsel["samesite"] == "Lax" and morsel["path"] == "/" and not morsel["domain"], header
        value = morsel.value
        if value:  # deleting the cookie at logout sets it empty
            assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value), value
            decoded = base64.urlsafe_b64decode(value + "=")
            for secret in (ADULT, ADULT.replace("-", ""), MARKER, "Vera", "actor", "Körkortsintyg"):
                assert secret not in value and secret.encode() not in decoded


def test_a_cookie_replayed_after_logout_opens_nothing(app: Flask) -> None:
    client = app.test_client()
    login(client, OTHER_ADULT)
    approve(client)
    stolen = cookie_value(client)
    token = csrf_token(client.get(f"{INTYG_URL}sida/1/").text)
    client.post(f"{BASE}/logga-ut/", data={"csrf_token": token})

    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen, domain="localhost")
    assert thief.get(f"{BASE}/inkorg/").status_code == 303
    assert thief.get(f"{INTYG_URL}sida/1/").status_code == 303
    before = draft_raw(app)
    posted = thief.post(f"{INTYG_URL}sida/1/", data={"csrf_token": token, "intyg": "Körkortsintyg"})
    assert posted.status_code == 400  # the token belonged to the ended session: a CSRF failure
    assert draft_raw(app) == before


def test_a_cookie_captured_or_planted_before_login_never_becomes_logged_in(app: Flask) -> None:
    victim = app.test_client()
    victim.get(f"{BASE}/logga-in/")  # an anonymous session (its CSRF secret)
    planted = cookie_value(victim)
    login(victim, OTHER_ADULT)
    assert cookie_value(victim) != planted

    attacker = app.test_client()
    attacker.set_cookie(COOKIE, planted, domain="localhost")
    assert attacker.get(f"{BASE}/inkorg/").status_code == 303
    assert victim.get(f"{BASE}/inkorg/").status_code == 200


def test_a_made_up_cookie_opens_nothing_and_is_not_adopted(app: Flask) -> None:
    client = app.test_client()
    client.set_cookie(COOKIE, "A" * 43, domain="localhost")
    response = login(client, OTHER_ADULT)
    assert response.status_code == 303
    assert cookie_value(client) != "A" * 43
    other = app.test_client()
    other.set_cookie(COOKIE, "A" * 43, domain="localhost")
    assert other.get(f"{BASE}/inkorg/").status_code == 303


# Timeouts --------------------------------------------------------------------------------------------


def test_idle_timeout_after_30_minutes_says_so_and_the_draft_is_kept(timed_app: Flask, clock: Clock) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    approve(client)
    submit(client, f"{INTYG_URL}sida/1/", {"intyg": "Körkortsintyg", "renewal": "Förnyelse"})
    clock.advance(minutes=29)
    assert client.get(f"{INTYG_URL}sida/2/").status_code == 200  # activity moves the idle clock
    clock.advance(minutes=29)
    page = client.get(f"{INTYG_URL}sida/2/")
    assert page.status_code == 200
    old_cookie = cookie_value(client)
    clock.advance(minutes=30)

    expired = client.get(f"{INTYG_URL}sida/2/")
    assert expired.status_code == 401
    assert "Du har blivit utloggad" in expired.text
    assert "30 minuter" in expired.text and "finns sparat" in expired.text
    assert client.get_cookie(COOKIE) is None
    assert client.get(f"{BASE}/inkorg/").status_code == 303  # no longer logged in
    replay = timed_app.test_client()
    replay.set_cookie(COOKIE, old_cookie, domain="localhost")
    assert replay.get(f"{BASE}/inkorg/").status_code == 303

    # "Logga in igen" leads back to where the citizen was, and the answers are there.
    again = re.search(r'href="([^"]*logga-in/\?next=[^"]+)"', expired.text)
    assert again, expired.text
    login_url = again.group(1).replace("&amp;", "&")
    back = submit(client, login_url, {"personnummer": OTHER_ADULT, "next": f"{INTYG_URL}sida/2/"})
    assert back.headers["Location"] == f"{INTYG_URL}sida/2/"
    assert client.get(f"{INTYG_URL}sida/1/").status_code == 200
    assert 'value="Förnyelse" checked' in client.get(f"{INTYG_URL}sida/1/").text
    assert client.get(f"{INTYG_URL}sida/2/").status_code == 200


def test_a_post_after_the_idle_timeout_stores_nothing_and_shows_what_was_typed(
    timed_app: Flask, clock: Clock
) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    approve(client)
    page = client.get(f"{INTYG_URL}sida/1/")
    before = draft_raw(timed_app)
    clock.advance(minutes=45)
    late = client.post(
        f"{INTYG_URL}sida/3/",
        data={"csrf_token": csrf_token(page.text), "message": "Det här skrev jag <b>länge</b>"},
    )
    assert late.status_code == 401 and "Du har blivit utloggad" in late.text
    assert "Det här sparades inte" in late.text
    assert "Det här skrev jag &lt;b&gt;länge&lt;/b&gt;" in late.text
    assert draft_raw(timed_app) == before
    assert f"next={INTYG_URL}sida/3/" in late.text


def test_absolute_timeout_after_12_hours_even_when_active(timed_app: Flask, clock: Clock) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    for _ in range(35):  # a request every 20 minutes for 11 hours 40 minutes
        clock.advance(minutes=20)
        assert client.get(f"{BASE}/inkorg/").status_code == 200
    clock.advance(minutes=19)
    assert client.get(f"{BASE}/inkorg/").status_code == 200
    clock.advance(minutes=2)
    expired = client.get(f"{BASE}/inkorg/")
    assert expired.status_code == 401
    assert "Du har varit inloggad i 12 timmar" in expired.text


def test_a_send_after_the_timeout_stores_no_case_and_returns_to_the_check_page(
    timed_app: Flask, clock: Clock
) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    check = intyg_to_check(client)
    clock.advance(minutes=31)
    late = client.post(f"{INTYG_URL}skicka/", data=send_form_data(check))
    assert late.status_code == 401
    assert counts(timed_app) == (1, 0)
    assert f"next={INTYG_URL}kontrollera/" in late.text


def test_timeouts_are_configurable(make_app: Callable[..., Flask], clock: Clock) -> None:
    app = make_app(CLOCK=clock, FORMS_SESSION_IDLE_MINUTES="5", FORMS_SESSION_MAX_HOURS="1")
    client = app.test_client()
    login(client, OTHER_ADULT)
    clock.advance(minutes=4)
    assert client.get(f"{BASE}/inkorg/").status_code == 200
    clock.advance(minutes=5)
    assert "5 minuter" in client.get(f"{BASE}/inkorg/").text
    login(client, OTHER_ADULT)
    for _ in range(14):
        clock.advance(minutes=4)
        assert client.get(f"{BASE}/inkorg/").status_code == 200
    clock.advance(minutes=4)
    assert "Du har varit inloggad i 1 timme" in client.get(f"{BASE}/inkorg/").text
    for name in ("FORMS_SESSION_IDLE_MINUTES", "FORMS_SESSION_MAX_HOURS", "FORMS_CSRF_MINUTES"):
        with pytest.raises(SettingsError, match=name):
            Settings.read({name: "0", "FORMS_TEST_LOGIN": "1"}, environ={})
        with pytest.raises(SettingsError, match=name):
            Settings.read({name: "en halvtimme", "FORMS_TEST_LOGIN": "1"}, environ={})
    defaults = Settings.read({"FORMS_TEST_LOGIN": "1"}, environ={})
    assert (defaults.session_idle_minutes, defaults.session_max_hours, defaults.csrf_minutes) == (30, 12, 60)


def test_the_login_page_after_a_timeout_is_the_login_not_the_timeout_page(timed_app: Flask, clock: Clock) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    clock.advance(hours=2)
    page = client.get(f"{BASE}/logga-in/")
    assert page.status_code == 200 and "Testinloggning" in page.text
    assert client.get(f"{BASE}/inkorg/").status_code == 303


def test_the_search_after_a_timeout_is_the_search_not_the_timeout_page(timed_app: Flask, clock: Clock) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    clock.advance(hours=2)
    page = client.get("/sok/?q=vardcentral")
    assert "utloggad" not in page.text and page.status_code in (200, 503), page.status_code
    # The search page (its own search form, whatever the hits) or, without an index, its 503 page.
    assert 'aria-label="Sök bland mottagningarna"' in page.text or "Sökningen" in page.text, page.text[:500]
    assert client.get(f"{BASE}/inkorg/").status_code == 303  # the session did end


def test_logging_out_after_the_timeout_just_says_logged_out(timed_app: Flask, clock: Clock) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    token = csrf_token(client.get(f"{BASE}/inkorg/").text)
    clock.advance(minutes=40)
    response = client.post(f"{BASE}/logga-ut/", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == f"{BASE}/utloggad/"
    assert client.get_cookie(COOKIE) is None
