"""The idle clock's refresh (`seen_at`) writes a session once a minute per worker, not once per request in flight.

Issue 22: at the minute every request that had read the session before the first refresh
committed saw it stale and wrote the row again, a burst of serialized writes. The burst is made
here on purpose: N requests on one session each read the stale row and wait for each other
before going on, as N threads of one gunicorn worker do under load. Time passes by moving the
app's clock; nothing sleeps.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask

from tests.forms.conftest import BASE, OTHER_ADULT, login
from tests.forms.security_support import Clock, token_clock

clock = pytest.fixture(token_clock)

COOKIE = "__Host-session"
IN_FLIGHT = 8




def logged_in_cookie(app: Flask) -> str:
    client = app.test_client()
    login(client, OTHER_ADULT)
    assert client.get(f"{BASE}/inkorg/").status_code == 200  # the first page stores the session's CSRF secret
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def count_session_writes(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every session row written from now on (its data), as the store is asked to write it."""
    store = app.session_interface.store  # type: ignore[attr-defined]
    written: list[dict[str, Any]] = []
    real_save = store.save_session

    def save(token_hash: str, data: dict[str, Any]) -> None:
        written.append(dict(data))
        real_save(token_hash, data)

    monkeypatch.setattr(store, "save_session", save)
    return written


def requests_in_flight(app: Flask, cookie: str, monkeypatch: pytest.MonkeyPatch, count: int) -> list[int]:
    """`count` GETs of the inbox on one session, all of which have read the session before any goes on."""
    store = app.session_interface.store  # type: ignore[attr-defined]
    real_load = store.load_session
    everyone_read = threading.Barrier(count)

    def load_and_wait(token_hash: str) -> Any:
        row = real_load(token_hash)
        everyone_read.wait(timeout=20)
        return row

    monkeypatch.setattr(store, "load_session", load_and_wait)
    statuses: list[int] = []

    def one() -> None:
        client = app.test_client()
        client.set_cookie(COOKIE, cookie, domain="localhost")
        statuses.append(client.get(f"{BASE}/inkorg/").status_code)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    monkeypatch.setattr(store, "load_session", real_load)
    return statuses


def test_requests_in_flight_when_the_minute_passes_write_the_session_once(
    timed_app: Flask, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = logged_in_cookie(timed_app)
    written = count_session_writes(timed_app, monkeypatch)
    clock.advance(seconds=61)

    assert requests_in_flight(timed_app, cookie, monkeypatch, IN_FLIGHT) == [200] * IN_FLIGHT
    assert len(written) == 1  # was one write per request in flight
    assert written[0]["seen_at"] == clock.now.isoformat()

    clock.advance(seconds=30)  # within the minute: nothing to write
    assert requests_in_flight(timed_app, cookie, monkeypatch, IN_FLIGHT) == [200] * IN_FLIGHT
    assert len(written) == 1

    clock.advance(seconds=31)  # a minute after the last write: one write again
    assert requests_in_flight(timed_app, cookie, monkeypatch, IN_FLIGHT) == [200] * IN_FLIGHT
    assert len(written) == 2


def test_the_idle_timeout_still_counts_from_the_last_request_after_a_burst(
    timed_app: Flask, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writes left out are only the ones a minute's resolution never needed: activity after the burst
    still moves the idle clock, and 30 minutes without any request still log out."""
    cookie = logged_in_cookie(timed_app)
    clock.advance(seconds=61)
    assert requests_in_flight(timed_app, cookie, monkeypatch, IN_FLIGHT) == [200] * IN_FLIGHT
    client = timed_app.test_client()
    client.set_cookie(COOKIE, cookie, domain="localhost")

    clock.advance(minutes=29)
    assert client.get(f"{BASE}/inkorg/").status_code == 200  # activity moves the idle clock
    clock.advance(minutes=29)
    assert client.get(f"{BASE}/inkorg/").status_code == 200  # 58 minutes after the burst, still in
    clock.advance(minutes=30)
    expired = client.get(f"{BASE}/inkorg/")
    assert expired.status_code == 401
    assert "Du har blivit utloggad" in expired.text
