"""Errors (issue 6 item 11): a plain Swedish 500 with a log line, and debug never outside development."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from forms.platform.errors import DEBUG_REFUSED
from forms.platform.settings import SettingsError
from tests.forms.conftest import BASE, OTHER_ADULT, login

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hemligt-värde-i-felet"


def broken_app(make_app: Callable[..., Flask], **overrides: object) -> Flask:
    app = make_app(**overrides)

    def broken() -> str:
        raise KeyError(f"{SECRET} {OTHER_ADULT} /work/main/forms")

    app.add_url_rule(f"{BASE}/trasig/", view_func=broken)
    return app


def test_a_forced_exception_gives_a_plain_swedish_500_and_one_log_line(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    app = broken_app(make_app)
    client = app.test_client()
    login(client, OTHER_ADULT)
    response = client.get(f"{BASE}/trasig/")
    assert response.status_code == 500
    assert "<h1>Något gick fel hos oss</h1>" in response.text and 'lang="sv"' in response.text
    assert "Till inkorgen" in response.text  # the page keeps the citizen's way on
    for leak in ("Traceback", "KeyError", SECRET, OTHER_ADULT, "/work/main", "File \"", "werkzeug"):
        assert leak not in response.text, leak
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "forms.platform.audit"]
    errors = [line for line in lines if line["event"] == "server_error"]
    assert len(errors) == 1
    error = errors[0]
    assert error["exception"] == "builtins.KeyError" and error["path"] == f"{BASE}/trasig/"
    assert any("test_errors.py" in frame and "in broken" in frame for frame in error["stack"])  # type: ignore[attr-defined]
    assert f"Felkod: <strong>{error['error_id']}</strong>" in response.text
    assert SECRET not in caplog.text and OTHER_ADULT not in caplog.text
    assert [r.levelname for r in caplog.records if "server_error" in r.getMessage()] == ["ERROR"]


def test_when_even_the_error_page_fails_a_fixed_page_is_given(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = broken_app(make_app)
    import forms.platform.security

    def failing(*args: object, **kwargs: object) -> str:
        raise RuntimeError("template broken")

    monkeypatch.setattr(forms.platform.security, "render_template", failing)
    response = app.test_client().get(f"{BASE}/trasig/")
    assert response.status_code == 500 and "Något gick fel hos oss" in response.text
    assert "template broken" not in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_debug_is_refused_unless_in_development(make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(SettingsError, match="FLASK_DEBUG"):
        make_app(FORMS_TEST_LOGIN="0")
    monkeypatch.delenv("FLASK_DEBUG")
    with pytest.raises(SettingsError, match="FORMS_TEST_LOGIN=1"):
        make_app(FORMS_TEST_LOGIN="0", DEBUG=True)
    development = make_app(DEBUG=True)  # the test login is on: development
    assert development.debug


def test_debug_set_later_outside_development_stays_off(make_app: Callable[..., Flask]) -> None:
    app = broken_app(make_app, FORMS_TEST_LOGIN="0")
    app.debug = True
    app.config["DEBUG"] = True
    assert app.debug is False
    response = app.test_client().get(f"{BASE}/trasig/")
    assert response.status_code == 500 and "Traceback" not in response.text
    with pytest.raises(SettingsError):
        app.run(debug=True)


def test_flask_run_debug_with_the_test_login_off_does_not_start(content_dir: Path, tmp_path: Path) -> None:
    env = dict(
        os.environ, FLASK_DEBUG="1", FORMS_CONTENT_DIR=str(content_dir), FORMS_SECRET_KEY="k",
        FORMS_DATABASE_URL=f"sqlite:///{tmp_path / 'debug.sqlite3'}", PYTHONPATH=str(ROOT),
    )
    env.pop("FORMS_TEST_LOGIN", None)
    flask = Path(sys.executable).parent / "flask"
    result = subprocess.run([str(flask), "--app", "forms", "routes"], env=env, capture_output=True, text=True,
                            timeout=60, check=False, cwd=ROOT)
    assert result.returncode != 0
    assert DEBUG_REFUSED.split(".")[0] in result.stderr
