"""Security basics: headers, cookies, error pages, settings, and no state change on GET."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms.platform.settings import Settings, SettingsError
from tests.forms.conftest import ADULT, BASE, INTYG_URL, OTHER_ADULT, counts, intyg_to_check, login, submit

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def test_every_kind_of_page_has_the_csp_and_no_script(client: FlaskClient) -> None:
    pages = [client.get(f"{BASE}/logga-in/"), client.get(f"{BASE}/finns/inte/"), client.get(INTYG_URL)]
    login(client, OTHER_ADULT)
    pages += [client.get(INTYG_URL), client.get(f"{BASE}/inkorg/")]
    check = intyg_to_check(client)
    assert "<script" not in check.lower()
    for response in pages:
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "<script" not in response.text.lower()
        assert " style=" not in response.text


def test_personal_pages_are_not_stored_by_browsers_or_proxies(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    for url in (f"{BASE}/inkorg/", INTYG_URL, f"{BASE}/logga-in/"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_stylesheet_is_served_under_the_forms_path_and_cached_for_a_year(app: Flask, client: FlaskClient) -> None:
    theme = app.extensions["hittavard_forms"].theme
    page = client.get(f"{BASE}/logga-in/").text
    assert f'href="{BASE}/static/{theme.css_name}"' in page
    css = client.get(f"{BASE}/static/{theme.css_name}")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert css.data == theme.css_bytes
    assert client.get(f"{BASE}/static/style.css").status_code == 404


def test_session_cookie_is_host_prefixed_secure_httponly_lax_and_holds_no_personal_data(client: FlaskClient) -> None:
    response = login(client, ADULT)
    header = response.headers["Set-Cookie"]
    assert header.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in header
    assert "Domain=" not in header
    value = client.get_cookie("__Host-session").value
    padded = value + "=" * (-len(value) % 4)
    decoded = base64.urlsafe_b64decode(padded)
    for secret in (ADULT, ADULT.replace("-", ""), "actor", "Vera"):
        assert secret not in value and secret.encode() not in decoded


def test_get_never_changes_anything(app: Flask, client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    for url in (INTYG_URL, f"{INTYG_URL}sida/1/", f"{INTYG_URL}kontrollera/", f"{BASE}/inkorg/", f"{BASE}/ombud/"):
        client.get(url)
    assert counts(app) == (0, 0)
    assert client.get(f"{INTYG_URL}skicka/").status_code == 405
    assert client.get(f"{BASE}/logga-ut/").status_code == 405
    assert client.get(f"{BASE}/inkorg/").status_code == 200  # still logged in


def test_not_found_and_wrong_method_pages_are_plain_swedish(client: FlaskClient) -> None:
    missing = client.get(f"{BASE}/ingenting/finns/har/")
    assert missing.status_code == 404 and "Sidan finns inte" in missing.text
    wrong = client.get(f"{INTYG_URL}skicka/")
    assert "Det gick inte att göra så" in wrong.text


def test_a_server_error_shows_a_plain_swedish_page_without_a_stack_trace(make_app: Callable[..., Flask]) -> None:
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def broken() -> str:
        raise RuntimeError("secret internals /work/main/forms")

    app.add_url_rule(f"{BASE}/trasig/", view_func=broken)
    response = app.test_client().get(f"{BASE}/trasig/")
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.text
    for leak in ("Traceback", "RuntimeError", "secret internals", "/work/main"):
        assert leak not in response.text
    assert response.headers["Content-Security-Policy"] == CSP


def test_too_large_a_post_is_refused(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    response = client.post(INTYG_URL, data={"approve": "yes", "pad": "x" * 600_000})
    assert response.status_code == 413
    assert "För mycket text" in response.text


def test_login_error_messages_and_typed_value_kept(client: FlaskClient) -> None:
    wrong = submit(client, f"{BASE}/logga-in/", {"personnummer": "19121212-1213"})
    assert wrong.status_code == 200
    assert "<title>Fel: Testinloggning" in wrong.text
    # A full stop as on every other page (the login's personnummer messages had none).
    assert "Personnumret stämmer inte. Kontrollera att alla siffror är rätt.</" in wrong.text
    assert 'value="19121212-1213"' in wrong.text
    assert 'href="#personnummer"' in wrong.text
    unknown = submit(client, f"{BASE}/logga-in/", {"personnummer": "19121212-1212"})
    assert "Det finns ingen testperson med det personnumret" in unknown.text
    assert client.get(f"{BASE}/inkorg/").status_code == 303  # still not logged in


def test_test_login_is_off_unless_configured(make_app: Callable[..., Flask]) -> None:
    app = make_app(FORMS_TEST_LOGIN="0")
    client = app.test_client()
    response = client.get(f"{BASE}/logga-in/")
    assert response.status_code == 503 and "Testinloggning" not in response.text
    assert 'name="personnummer"' not in response.text
    posted = client.post(f"{BASE}/logga-in/", data={"personnummer": ADULT})
    assert posted.status_code == 400  # no token: refused before the (absent) login
    assert client.get(f"{BASE}/inkorg/").status_code == 303


def test_production_login_url_receives_citizens_who_must_log_in(make_app: Callable[..., Flask]) -> None:
    app = make_app(FORMS_TEST_LOGIN="0", LOGIN_URL="https://login.region.example/start")
    response = app.test_client().get(f"{BASE}/logga-in/")
    assert response.status_code == 303 and response.headers["Location"] == "https://login.region.example/start"


def test_secret_key_is_required_unless_the_test_login_is_on() -> None:
    with pytest.raises(SettingsError, match="FORMS_SECRET_KEY"):
        Settings.read({}, environ={})
    assert Settings.read({}, environ={"FORMS_TEST_LOGIN": "1"}).test_login
    settings = Settings.read({}, environ={"FORMS_SECRET_KEY": "k", "FORMS_CONTENT_DIR": "x", "FORMS_DATABASE_URL": "sqlite://"})
    assert (settings.secret_key, str(settings.content_dir), settings.database_url, settings.test_login) == (
        "k", "x", "sqlite://", False
    )


def test_create_app_reads_the_environment(monkeypatch: pytest.MonkeyPatch, content_dir, demo_file, tmp_path) -> None:
    from forms import create_app

    monkeypatch.setenv("FORMS_CONTENT_DIR", str(content_dir))
    monkeypatch.setenv("FORMS_DEMO_DATA", str(demo_file))
    monkeypatch.setenv("FORMS_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("FORMS_TEST_LOGIN", "1")
    monkeypatch.delenv("FORMS_SECRET_KEY", raising=False)
    app = create_app()
    assert app.test_client().get(f"{BASE}/logga-in/").status_code == 200
    assert (tmp_path / "env.sqlite3").exists()


def test_trusted_proxies_setting_takes_the_scheme_from_the_proxy(make_app: Callable[..., Flask]) -> None:
    app = make_app(FORMS_TRUSTED_PROXIES="1")
    seen: dict[str, object] = {}

    def probe() -> str:
        from flask import request

        seen["secure"] = request.is_secure
        seen["remote"] = request.remote_addr
        return "ok"

    app.add_url_rule(f"{BASE}/proxy-probe/", view_func=probe)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    app.test_client().get(f"{BASE}/proxy-probe/", headers=headers, base_url="http://localhost")
    assert seen == {"secure": True, "remote": "203.0.113.9"}
    untrusting = make_app()
    untrusting.add_url_rule(f"{BASE}/proxy-probe/", view_func=probe)
    untrusting.test_client().get(f"{BASE}/proxy-probe/", headers=headers, base_url="http://localhost")
    assert seen["secure"] is False and seen["remote"] != "203.0.113.9"
    with pytest.raises(SettingsError, match="FORMS_TRUSTED_PROXIES"):
        Settings.read({"FORMS_TRUSTED_PROXIES": "många", "FORMS_TEST_LOGIN": "1"}, environ={})
