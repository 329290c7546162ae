"""Rate limits on logging in and on sending: counted where every worker sees them, 429 in Swedish.

The counts live in the database by default (forms.platform.ratelimit.DatabaseStorage), so two apps on one
database, or three gunicorn workers, share them; an in-memory storage, as a control, does not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forms.platform.ratelimit import DATABASE_STORAGE, DatabaseStorage, wait_text
from forms.platform.settings import Settings, SettingsError
from forms.store.db import RateLimitCounter
from forms.store.engine import make_engine
from tests.forms.conftest import (
    ADULT,
    BASE,
    INTYG_URL,
    OTHER_ADULT,
    csrf_token,
    intyg_to_check,
    login,
    send_form_data,
)
from tests.forms.gunicorn_run import Browser, demo_file, gunicorn, made_up_people
from tests.forms.journey import Journey
from tests.forms.staff_support import staff_login
from tests.support.live_app import serve_app

LOGIN = f"{BASE}/logga-in/"
WRONG = "19121212-1213"  # fails the Luhn check: a failed login


def attempt(client: FlaskClient, number: str = WRONG) -> Any:
    page = client.get(LOGIN)
    return client.post(LOGIN, data={"csrf_token": csrf_token(page.text), "personnummer": number})


def test_login_attempts_are_limited_per_address_with_a_swedish_429(make_app: Callable[..., Flask]) -> None:
    app = make_app(FORMS_RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    assert [attempt(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = attempt(client, ADULT)  # even the right personnummer, now
    assert refused.status_code == 429
    assert "<h1>För många försök</h1>" in refused.text
    assert "försökt logga in för många gånger" in refused.text
    assert "Vänta en minut" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert refused.headers["Cache-Control"] == "no-store"
    assert client.get(LOGIN).status_code == 200  # only POSTs count; the page still shows
    other_address = app.test_client()
    page = other_address.get(LOGIN, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    ok = other_address.post(
        LOGIN,
        data={"csrf_token": csrf_token(page.text), "personnummer": ADULT},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert ok.status_code == 303


def test_the_limiter_runs_only_on_the_posts_it_limits(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: its hooks cost every page a tenth of a light page's work, to find no limit."""
    from flask_limiter import Limiter

    checked: list[str] = []
    real_check = Limiter._check_request_limit

    def check(self: Limiter, *args: Any, **kwargs: Any) -> None:
        from flask import request

        checked.append(f"{request.method} {request.path}")
        real_check(self, *args, **kwargs)

    monkeypatch.setattr(Limiter, "_check_request_limit", check)
    app = make_app(FORMS_RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    login(client, ADULT)  # the first of the address's three
    checked.clear()
    assert client.get(f"{BASE}/inkorg/").status_code == 200
    assert client.get(f"{BASE}/finns-inte/").status_code == 404
    approved = client.post(INTYG_URL, data={"csrf_token": csrf_token(client.get(INTYG_URL).text), "approve": "yes"})
    assert approved.status_code == 303
    assert checked == []
    other = app.test_client()
    assert [attempt(other).status_code for _ in range(3)] == [200, 200, 429]  # the limit still holds
    assert checked and all(seen == f"POST {LOGIN}" for seen in checked)


def test_staff_login_attempts_are_limited_per_address_like_the_citizens(make_app: Callable[..., Flask]) -> None:
    """The staff login's limit is added after the limiter's own (forms.staff.setup), outside the
    endpoints the limiter's hooks were narrowed to: the limit must still hold there, on POST only."""
    app = make_app(FORMS_RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    unknown = "SE0000000000-X999"  # no such member of staff: a failed login
    assert [staff_login(client, unknown).status_code for _ in range(3)] == [200, 200, 200]
    refused = staff_login(client, unknown)
    assert refused.status_code == 429 and "För många försök" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.get(f"{BASE}/personal/logga-in/").status_code == 200  # only POSTs count


def test_sends_are_limited_per_person_and_the_page_says_nothing_is_lost(make_app: Callable[..., Flask]) -> None:
    app = make_app(FORMS_RATELIMIT_SEND="2 per minute")
    client = app.test_client()
    login(client, ADULT)
    form = send_form_data(intyg_to_check(client))
    assert client.post(f"{INTYG_URL}skicka/", data=form).status_code == 303
    assert client.post(f"{INTYG_URL}skicka/", data=form).status_code == 303  # a repeat: counted too
    refused = client.post(f"{INTYG_URL}skicka/", data=form)
    assert refused.status_code == 429
    assert "Det du har skrivit finns kvar" in refused.text
    assert "titta i inkorgen" in refused.text
    assert 'href="/e-tjanster/inkorg/"' in refused.text
    # Another person from the same address is counted on their own: their send (with their own
    # token, and no draft yet) gets the usual answer, to the villkor, not a 429.
    other = app.test_client()
    login(other, OTHER_ADULT)
    own_token = csrf_token(other.get(f"{BASE}/inkorg/").text)
    for _ in range(2):
        not_limited = other.post(f"{INTYG_URL}skicka/", data={"csrf_token": own_token})
        assert (not_limited.status_code, not_limited.headers.get("Location")) == (303, INTYG_URL)


def test_who_is_counted_is_stored_as_a_keyed_hash_not_a_personnummer(make_app: Callable[..., Flask]) -> None:
    app = make_app(FORMS_RATELIMIT_SEND="5 per minute")
    client = app.test_client()
    login(client, ADULT)
    client.post(f"{INTYG_URL}skicka/", data={"csrf_token": csrf_token(client.get(f"{BASE}/inkorg/").text)})
    engine = app.extensions["hittavard_forms"].store.engine
    with engine.connect() as connection:
        keys = list(connection.execute(select(RateLimitCounter.key)).scalars())
    assert keys and all(ADULT not in key and ADULT.replace("-", "") not in key for key in keys)
    assert all("127.0.0.1" not in key for key in keys)


def test_the_counts_are_shared_by_every_app_on_the_database(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    """Two apps (two workers, or two machines) on one database: three attempts in all, not each."""
    first = make_app(FORMS_DATABASE_URL=database_url, FORMS_RATELIMIT_LOGIN="3 per minute")
    second = make_app(FORMS_DATABASE_URL=database_url, FORMS_RATELIMIT_LOGIN="3 per minute")
    a, b = first.test_client(), second.test_client()
    assert [attempt(a).status_code, attempt(b).status_code, attempt(a).status_code] == [200, 200, 200]
    assert attempt(b).status_code == 429
    assert attempt(a).status_code == 429
    for app in (first, second):
        app.extensions["hittavard_forms"].store.engine.dispose()


def test_control_an_in_memory_storage_is_not_shared(make_app: Callable[..., Flask]) -> None:
    """Why the default is the database: counters in each worker's memory add up per worker."""
    config = {"FORMS_RATELIMIT_LOGIN": "2 per minute", "FORMS_RATELIMIT_STORAGE_URL": "memory://"}
    a, b = make_app(**config).test_client(), make_app(**config).test_client()
    assert [attempt(a).status_code, attempt(a).status_code, attempt(b).status_code] == [200, 200, 200]


def test_gunicorn_workers_share_one_limit(content_dir: Path, tmp_path: Path) -> None:
    """Twelve simultaneous login attempts at three workers with a limit of five: five get through."""
    env = {
        "FORMS_CONTENT_DIR": str(content_dir),
        "FORMS_DEMO_DATA": str(demo_file(tmp_path / "people.yaml", made_up_people(3))),
        "FORMS_DATABASE_URL": f"sqlite:///{tmp_path / 'cases.sqlite3'}",
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "shared-by-the-workers",
        "FORMS_RATELIMIT_LOGIN": "5 per minute",
    }
    make_engine(env["FORMS_DATABASE_URL"]).dispose()
    with gunicorn(env, workers=3, log=tmp_path / "gunicorn.log") as server:
        browsers = [Browser(server.base) for _ in range(12)]
        tokens = [csrf_token(b.get(LOGIN).text) for b in browsers]  # GETs are not counted
        barrier = threading.Barrier(len(browsers))
        statuses: list[int] = []

        def post(browser: Browser, token: str) -> None:
            barrier.wait(timeout=10)
            statuses.append(browser.post(LOGIN, {"csrf_token": token, "personnummer": WRONG}).status)

        threads = [threading.Thread(target=post, args=pair) for pair in zip(browsers, tokens, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(statuses) == [200] * 5 + [429] * 7, statuses


# The storage itself, on SQLite and PostgreSQL ---------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_database_storage_counts_windows_atomically(database_url: str) -> None:
    engine = make_engine(database_url)
    clock = Clock()
    storage = DatabaseStorage(DATABASE_STORAGE, engine=engine, clock=clock)
    assert storage.check()
    assert storage.get("k") == 0
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3
    assert storage.get_expiry("k") == clock.now + 60
    clock.now += 61  # the window has ended: the next hit starts a new one
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1
    assert storage.get_expiry("k") == clock.now + 60
    storage.clear("k")
    assert storage.get("k") == 0

    # Many threads hitting one key at once: no hit lost, none counted twice.
    threads_count, hits = 8, 25
    barrier = threading.Barrier(threads_count)
    seen: list[int] = []

    def hammer() -> None:
        barrier.wait(timeout=10)
        for _ in range(hits):
            seen.append(storage.incr("busy", 60))

    threads = [threading.Thread(target=hammer) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(seen) == list(range(1, threads_count * hits + 1))
    assert storage.reset() == 1  # "busy"; "k" was cleared
    engine.dispose()


def test_wait_text_and_limit_settings() -> None:
    assert wait_text(5) == "en minut"
    assert wait_text(61) == "en minut"  # 60 s, and the rounding up of the reset time
    assert wait_text(125) == "3 minuter"
    assert wait_text(3601) == "en timme"
    assert wait_text(7000) == "2 timmar"
    assert wait_text(86400) == "ett dygn"
    with pytest.raises(SettingsError, match="FORMS_RATELIMIT_LOGIN"):
        Settings.read({"TEST_LOGIN": "1", "RATELIMIT_LOGIN": "tio i minuten"})
    assert Settings.read({"TEST_LOGIN": "1"}).ratelimit_storage_url is None  # the database


# The 429 page in a browser: axe-core and the Nu Html Checker -----------------------------------


@pytest.fixture
def live_limited(make_app: Callable[..., Flask]) -> Iterator[str]:
    """The app on 127.0.0.1 with two login attempts and one send a minute."""
    app = make_app(FORMS_RATELIMIT_LOGIN="2 per minute", FORMS_RATELIMIT_SEND="1 per minute")
    with serve_app(app) as url:
        yield url


def send_egen_fraga(j: Journey) -> None:
    j.goto(f"{BASE}/testmottagningen/egen-fraga/")
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")
    j.fill("Vad vill du fråga?", "Hej")
    j.click("Fortsätt")
    j.click("Skicka")


@pytest.mark.browser
def test_the_429_pages_are_accessible_and_valid_html(
    page: Any, axe_page: Any, live_limited: str, documents: dict[str, str]
) -> None:
    j = Journey("ratelimit", page, axe_page, live_limited, documents)
    j.goto(LOGIN)
    j.fill("Personnummer", WRONG)
    j.click("Logga in")  # attempt 1
    j.fill("Personnummer", ADULT)
    j.click("Logga in")  # attempt 2: logged in
    send_egen_fraga(j)  # send 1
    assert j.h1() == "Ditt ärende är skickat"
    send_egen_fraga(j)  # send 2: one too many
    assert j.h1() == "För många försök"
    assert "Det du har skrivit finns kvar" in j.text()
    j.audit("skicka-429")
    j.click("Logga ut")
    j.goto(LOGIN)
    j.fill("Personnummer", ADULT)
    j.click("Logga in")  # attempt 3: one too many
    assert j.h1() == "För många försök"
    assert "logga in" in j.text()
    j.audit("inloggning-429")
