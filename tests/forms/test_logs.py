"""Logs (issue 6 item 9): security events as JSON lines, and never an answer or a personnummer.

The marker test turns every logger up to DEBUG (the app's, Flask's, Werkzeug's, SQLAlchemy's and
the rate limiter's), runs a whole journey with every free-text field, the login and a few hostile
posts carrying a marker, and then finds the marker in no log line.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forms.platform import audit
from tests.forms.conftest import ADULT, BASE, CHILD, OTHER_ADULT, csrf_token, login, send_form_data
from tests.forms.gunicorn_run import Browser, demo_file, gunicorn, made_up_people, send_form
from tests.forms.gunicorn_run import csrf_token as gunicorn_csrf_token
from tests.forms.security_support import Clock
from tests.forms.test_input import FORMS, questions_of_page, text_inputs
from tests.forms.test_step_order import CLINIC, page_answers

MARKER = "MARKÖR-Qx7-hemlig"
ROOT = Path(__file__).resolve().parents[2]
LOGGERS = ["", "forms", "forms.platform.audit", "flask", "werkzeug", "sqlalchemy", "sqlalchemy.engine",
           "sqlalchemy.engine.Engine", "sqlalchemy.pool", "flask-limiter", "limits"]


class Everything(logging.Handler):
    """Keeps every record, formatted with its traceback if it has one."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def everything() -> Iterator[Everything]:
    handler = Everything()
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def events(handler: Everything) -> list[dict[str, object]]:
    return [json.loads(r.getMessage()) for r in handler.records if r.name == audit.LOGGER_NAME]


def test_a_whole_journey_with_a_marker_in_every_field_leaves_it_in_no_log_line(
    make_app: Callable[..., Flask], everything: Everything, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock().drive_token_time(monkeypatch)
    app = make_app(CLOCK=clock, FORMS_RATELIMIT_LOGIN="6 per minute", FORMS_DATABASE_URL="sqlite://")

    def broken() -> str:
        raise RuntimeError(f"fel med {MARKER} och {ADULT}")

    app.add_url_rule(f"{BASE}/trasig/", view_func=broken)
    client = app.test_client()
    page = client.get(f"{BASE}/logga-in/").text
    client.post(f"{BASE}/logga-in/", data={"csrf_token": csrf_token(page), "personnummer": MARKER})
    client.post(f"{BASE}/logga-in/", data={"csrf_token": csrf_token(page), "personnummer": "19121212-1212"})
    client.post(f"{BASE}/logga-in/", data={"personnummer": ADULT})  # no token
    login(client, ADULT)
    tokens = []
    for eservice_id in FORMS:
        base = f"{BASE}/{CLINIC}/{eservice_id}/"
        villkor = client.get(base).text
        location = client.post(base, data={"csrf_token": csrf_token(villkor), "approve": "yes"}).headers["Location"]
        while not location.endswith("/kontrollera/"):
            number = int(location.rstrip("/").rsplit("/", 1)[1])
            token = csrf_token(client.get(location).text)
            tokens.append(token)
            everywhere = {name: MARKER for name in page_answers(app, eservice_id, number)}
            client.post(location, data={**everywhere, "csrf_token": token})  # errors, with the marker shown back
            data = page_answers(app, eservice_id, number)
            for name, _ in text_inputs(questions_of_page(app, eservice_id, number)):
                data[name] = MARKER
            answered = client.post(location, data={**data, "csrf_token": token})
            assert answered.status_code == 303, answered.text[:300]
            location = answered.headers["Location"]
        check = client.get(location).text
        assert MARKER in check or eservice_id == "fornya-recept"
        receipt = client.post(f"{base}skicka/", data=send_form_data(check)).headers["Location"]
        client.get(receipt)
        client.get(receipt.removesuffix("kvitto/"))
    client.get(f"{BASE}/inkorg/")
    client.post(f"{BASE}/{CLINIC}/allt/sida/1/", data={"name": MARKER, "csrf_token": MARKER})  # CSRF failure
    client.post(f"{BASE}/{CLINIC}/allt/sida/1/", data={"name": MARKER * 20_000, "csrf_token": tokens[0]})  # 413
    client.post(f"{BASE}/ombud/", data={"subject": OTHER_ADULT, "csrf_token": tokens[0]})  # not their child
    client.get(f"{BASE}/trasig/")
    client.post(f"{BASE}/logga-ut/", data={"csrf_token": csrf_token(client.get(f"{BASE}/inkorg/").text)})

    other = app.test_client()
    login(other, OTHER_ADULT)
    reference = re.search(r"HV-\d{4}-[A-Z0-9]{6}", receipt)
    assert reference
    assert other.get(f"{BASE}/inkorg/{reference.group(0)}/").status_code == 404  # authorisation failure
    other_token = csrf_token(other.get(f"{BASE}/{CLINIC}/allt/").text)
    clock.advance(minutes=31)
    late = other.post(f"{BASE}/{CLINIC}/allt/", data={"csrf_token": other_token, "approve": "yes", "x": MARKER})
    assert MARKER in late.text  # shown back to the citizen, not logged
    guesser = app.test_client()
    guess_token = csrf_token(guesser.get(f"{BASE}/logga-in/").text)
    guesses = [
        guesser.post(f"{BASE}/logga-in/", data={"csrf_token": guess_token, "personnummer": MARKER}).status_code
        for _ in range(8)
    ]
    # 6 a minute from this address: four logins above counted (the one without a token never reached it).
    assert guesses == [200] * 2 + [429] * 6

    names = {event["event"] for event in events(everything)}
    assert {"login", "login_failed", "logout", "csrf_failure", "authorisation_failure", "session_timeout",
            "server_error", "rate_limited"} <= names, names
    limited = [event for event in events(everything) if event["event"] == "rate_limited"]
    assert [(event["endpoint"], event["limit"]) for event in limited] == [("auth.login", "6 per 1 minute")] * 6
    assert any(r.name.startswith("sqlalchemy") for r in everything.records), "SQL logging was not on"
    session_tokens = [cookie.value for c in (other, guesser) if (cookie := c.get_cookie("__Host-session"))]
    secrets = [MARKER, MARKER.lower(), ADULT, ADULT.replace("-", ""), OTHER_ADULT, CHILD, "Vera Vuxen", "Olle Annan"]
    for line in everything.lines:
        for secret in [*secrets, *session_tokens, *tokens]:
            assert secret not in line, (secret, line[:500])


def test_each_event_is_one_json_line_with_utc_time_and_hashed_session(
    make_app: Callable[..., Flask], everything: Everything
) -> None:
    app = make_app()
    client = app.test_client()
    page = client.get(f"{BASE}/logga-in/").text
    client.post(f"{BASE}/logga-in/", data={"csrf_token": csrf_token(page), "personnummer": "19121212-1213"})
    login(client, OTHER_ADULT)
    token = client.get_cookie("__Host-session")
    assert token is not None
    with app.test_request_context(f"{BASE}/inkorg/"):
        audit.security_event("rate_limited", limit="5 per minute", personnummer=OTHER_ADULT, answers=MARKER)
    client.post(f"{BASE}/logga-ut/", data={"csrf_token": csrf_token(client.get(f"{BASE}/inkorg/").text)})

    logged = events(everything)
    assert [event["event"] for event in logged] == ["login_failed", "login", "rate_limited", "logout"]
    lines = [r.getMessage() for r in everything.records if r.name == audit.LOGGER_NAME]
    for line, event in zip(lines, logged, strict=True):
        assert "\n" not in line
        time = datetime.datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00"))
        assert str(event["time"]).endswith("Z") and time.utcoffset() == datetime.timedelta(0)
        assert time == datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)  # the app's clock
        assert OTHER_ADULT not in line and MARKER not in line and token.value not in line
    failed, logged_in, limited, logged_out = logged
    assert failed["reason"] == "invalid_personnummer" and failed["user"] is None
    assert re.fullmatch(r"[0-9a-f]{16}", str(logged_in["session"]))
    assert logged_in["session"] == logged_out["session"] == audit.session_ref(token.value)
    assert logged_in["session"] != failed["session"]  # login starts a new session
    assert logged_in["user"] == logged_out["user"] and re.fullmatch(r"[0-9a-f]{16}", str(logged_in["user"]))
    assert limited["limit"] == "5 per minute" and "personnummer" not in limited and "answers" not in limited
    assert {r.levelname for r in everything.records if r.name == audit.LOGGER_NAME} == {"INFO", "WARNING"}


def test_without_a_logging_setup_the_events_go_to_stderr_as_json_lines(
    content_dir: Path, demo_file: Path, tmp_path: Path
) -> None:
    """As under gunicorn, where nothing configures the root logger."""
    script = (
        "from forms import create_app\n"
        "app = create_app()\n"
        "client = app.test_client()\n"
        "import re\n"
        "page = client.get('/e-tjanster/logga-in/').text\n"
        "token = re.search(r'name=\"csrf_token\" value=\"([^\"]+)\"', page).group(1)\n"
        "client.post('/e-tjanster/logga-in/', data={'csrf_token': token, 'personnummer': '19121212-1213'})\n"
    )
    env = dict(
        os.environ, FORMS_CONTENT_DIR=str(content_dir), FORMS_DEMO_DATA=str(demo_file), FORMS_TEST_LOGIN="1",
        FORMS_DATABASE_URL=f"sqlite:///{tmp_path / 'logs.sqlite3'}", PYTHONPATH=str(ROOT),
    )
    env.pop("FLASK_DEBUG", None)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                            check=True, cwd=ROOT)
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [line["event"] for line in lines] == ["login_failed"], result.stderr


def access_lines(log: Path) -> list[str]:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if re.search(r'"(GET|POST) /e-tjanster/\S* HTTP/1\.1" \d{3} ', line)]


def test_gunicorns_access_and_error_logs_carry_no_answer_personnummer_or_token(
    content_dir: Path, tmp_path: Path
) -> None:
    """The request lines gunicorn logs: the app puts no personal data in any URL it sends people to.

    The citizen's personnummer, answers and tokens travel in POST bodies and the cookie only, which
    the access log never shows; this runs a login, a sent case and a logout through real gunicorn
    with its access log on and its own log at DEBUG.
    """
    person = made_up_people(1)[0]
    env = {
        "FORMS_CONTENT_DIR": str(content_dir),
        "FORMS_DEMO_DATA": str(demo_file(tmp_path / "people.yaml", [person])),
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "access-log-test-key",
        "FORMS_DATABASE_URL": f"sqlite:///{tmp_path / 'access.sqlite3'}",
    }
    log = tmp_path / "gunicorn.log"
    options = ["--access-logfile", "-", "--log-level", "debug"]
    tokens: list[str] = []
    with gunicorn(env, workers=1, log=log, options=options) as server:
        browser = Browser(server.base)

        def followed(response: Any) -> Any:
            """As a browser does: GET where a 303 points, query string and all."""
            assert response.status == 303, response.status
            page = browser.get(urllib.parse.urlsplit(response.headers["location"])._replace(scheme="", netloc="").geturl())
            assert page.status == 200, (response.headers["location"], page.status)
            return page

        url = f"{BASE}/{CLINIC}/egen-fraga/"
        login_page = browser.get(f"{BASE}/logga-in/?next={url}")
        tokens.append(gunicorn_csrf_token(login_page.text))
        villkor = followed(browser.post(f"{BASE}/logga-in/", {"csrf_token": tokens[-1], "personnummer": person, "next": url}))
        page = followed(browser.post(url, {"csrf_token": gunicorn_csrf_token(villkor.text), "approve": "yes"}))
        check = followed(browser.post(f"{url}sida/1/", {"csrf_token": gunicorn_csrf_token(page.text), "question": MARKER}))
        assert MARKER in check.text
        form = send_form(check.text)
        tokens.append(form["csrf_token"])
        sent = browser.post(f"{url}skicka/", form)
        followed(sent)  # the receipt
        assert browser.get(sent.location.removesuffix("kvitto/")).status == 200  # the case
        assert browser.post(f"{url}sida/1/", {"question": MARKER, "csrf_token": MARKER}).status == 400
        cookie = browser.cookie
        inbox = browser.get(f"{BASE}/inkorg/")
        tokens.append(gunicorn_csrf_token(inbox.text))
        followed(browser.post(f"{BASE}/logga-ut/", {"csrf_token": tokens[-1]}))
        requests = browser.requests
        deadline = time.monotonic() + 30  # the worker writes a line just after its answer: wait for the last
        while len(access_lines(log)) < requests and time.monotonic() < deadline:
            time.sleep(0.05)
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    access = access_lines(log)
    assert len(access) == requests, lines[-20:]  # every request has its access line
    assert any(" 303 " in line and "/skicka/" in line for line in access)
    assert cookie
    for line in lines:
        for secret in [MARKER, person, person.replace("-", ""), person[2:], cookie, *tokens]:
            assert secret not in line, (secret, line[:300])
