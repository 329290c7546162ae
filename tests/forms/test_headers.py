"""Headers (issue 6 item 5): a crawl of every page reachable in journeys, each response checked.

Every response the app gives on the way is recorded below the Flask app (WSGI), so redirects,
error pages (400, 401, 404, 405, 413, 429, 500, 503) and the stylesheet are checked as a browser
receives them. The static site's server config has its own test: tests/deploy/test_static_site_headers.py.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms.platform.security import content_security_policy
from tests.forms.conftest import ADULT, BASE, CHILD, csrf_token, login, send_form_data
from tests.forms.security_support import Clock, Recorded, Recorder, inline_code
from tests.forms.test_input import FORMS, walk
from tests.forms.test_step_order import CLINIC

YEAR = 365 * 24 * 3600


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_secure_headers(response: Recorded, form_action: list[str]) -> None:
    what = f"{response.method} {response.path} {response.status}"
    csp = csp_directives(response.header("Content-Security-Policy") or "")
    assert csp.get("default-src") == ["'none'"], what
    assert not any(key.startswith("script-src") for key in csp), what
    assert csp.get("style-src") == ["'self'"], what  # no 'unsafe-inline'
    assert csp.get("form-action") == form_action, what
    assert csp.get("frame-ancestors") == ["'none'"], what
    assert csp.get("base-uri") == ["'none'"], what
    hsts = response.header("Strict-Transport-Security") or ""
    match = re.search(r"max-age=(\d+)", hsts)
    assert match and int(match.group(1)) >= YEAR, what
    assert response.header("X-Content-Type-Options") == "nosniff", what
    assert response.header("Referrer-Policy") == "same-origin", what
    assert response.header("Cross-Origin-Resource-Policy") == "same-origin", what
    cache = response.header("Cache-Control") or ""
    if "/static/" in response.path and response.status == 200:
        assert (response.header("Content-Type") or "").startswith("text/css"), what
        assert "public" in cache and "immutable" in cache, what
    else:
        assert cache == "no-store", what
    if response.is_html:
        assert inline_code(response.body.decode("utf-8")) == [], what


class Links(HTMLParser):
    """The app's own links and forms on a page, with the values a browser would send by default."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if (tag == "a" and "href" in a) or (tag == "link" and a.get("rel") == "stylesheet"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": [],
                          "buttons": []}
            self.forms.append(self._form)
        elif self._form is not None and tag == "input":
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if "name" in a:
                self._form["fields"].append((a["name"], a.get("value", "")))
        elif self._form is not None and tag == "textarea":
            self._textarea = a.get("name")
            self._form["fields"].append((self._textarea, ""))
        elif self._form is not None and tag == "button":
            self._form["buttons"].append((a.get("name"), a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None


def crawl(client: FlaskClient, seeds: list[str], limit: int = 600) -> int:
    """Follow every link and submit every form (each button once, default values) inside the app.

    Logging out is left to the end by the caller; returns how many requests were made.
    """
    queue = deque(seeds)
    seen_links: set[str] = set()
    seen_forms: set[tuple[str, str, str]] = set()
    requests = 0
    while queue and requests < limit:
        url = queue.popleft()
        if url in seen_links:
            continue
        seen_links.add(url)
        response = client.get(url)
        requests += 1
        if response.status_code in {301, 302, 303} and response.headers["Location"].startswith(BASE):
            queue.append(response.headers["Location"])
        if response.mimetype != "text/html":
            continue
        parser = Links()
        parser.feed(response.text)
        for href in parser.links:
            target = urljoin(url, href).split("#")[0]
            if urlsplit(target).path.startswith(BASE) and not urlsplit(target).netloc:
                queue.append(target)
        for form in parser.forms:
            action = urljoin(url, form["action"] or url)
            if "logga-ut" in action or form["method"] != "post":
                continue
            for name, value in form["buttons"] or [(None, "")]:
                key = (re.sub(r"/HV-[^/]+/", "/HV/", action), name or "", value)
                if key in seen_forms:
                    continue
                seen_forms.add(key)
                data = list(form["fields"]) + ([(name, value)] if name else [])
                posted = client.post(action, data=_multidict(data))
                requests += 1
                if posted.status_code == 303 and posted.headers["Location"].startswith(BASE):
                    queue.append(posted.headers["Location"].split("#")[0])
    return requests


def _multidict(pairs: list[tuple[str, str]]) -> Any:
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


@pytest.fixture
def recorded(make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> tuple[Flask, Recorder, Clock]:
    clock = Clock().drive_token_time(monkeypatch)
    app = make_app(CLOCK=clock, FORMS_RATELIMIT_LOGIN="1000 per minute", FORMS_RATELIMIT_SEND="1000 per minute")

    def broken() -> str:
        raise RuntimeError("forced")

    app.add_url_rule(f"{BASE}/trasig/", view_func=broken)
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder  # type: ignore[method-assign]
    return app, recorder, clock


def test_every_response_of_a_crawled_journey_has_the_security_headers_and_no_inline_code(
    recorded: tuple[Flask, Recorder, Clock], make_app: Callable[..., Flask]
) -> None:
    app, recorder, clock = recorded
    client = app.test_client()
    eservices = [f"{BASE}/{CLINIC}/{eservice_id}/" for eservice_id in FORMS]

    # Not logged in: the login, redirects to it, the logged-out page, the stylesheet, errors.
    crawl(client, [*eservices, f"{BASE}/", f"{BASE}/logga-in/", f"{BASE}/utloggad/", f"{BASE}/inkorg/"])
    client.post(f"{BASE}/logga-in/", data={"personnummer": ADULT})  # 400: no token

    # A guardian: every form answered and sent, then everything reachable crawled, for the guardian
    # and for the child.
    login(client, ADULT)
    for eservice_id in FORMS:
        base = walk(app, client, eservice_id, lambda url, number: None)
        check = client.get(f"{base}kontrollera/").text
        sent = client.post(f"{base}skicka/", data=send_form_data(check))
        client.get(sent.headers["Location"])  # the receipt
    requests = crawl(client, [*eservices, f"{BASE}/inkorg/", f"{BASE}/ombud/"])
    token = csrf_token(client.get(f"{BASE}/inkorg/").text)
    client.post(f"{BASE}/ombud/", data={"csrf_token": token, "subject": CHILD})
    requests += crawl(client, [*eservices, f"{BASE}/inkorg/"])
    assert requests > 40

    # Error responses of every kind.
    client.get(f"{BASE}/finns/inte/")  # 404
    client.get(f"{BASE}/inkorg/HV-2026-AAAAAA/")  # 404
    client.get(f"{BASE}/{CLINIC}/allt/skicka/")  # 405
    client.post(f"{BASE}/{CLINIC}/allt/sida/1/", data={"x": "y"})  # 400
    client.post(f"{BASE}/{CLINIC}/allt/sida/1/", data={"csrf_token": token, "x": "y" * 600_000})  # 413
    client.get(f"{BASE}/trasig/")  # 500
    page = client.get(f"{BASE}/{CLINIC}/allt/").text
    for _ in range(4):  # another tab keeps the session alive while this page grows old
        clock.advance(minutes=20)
        client.get(f"{BASE}/inkorg/")
    stale = client.post(f"{BASE}/{CLINIC}/allt/", data={"csrf_token": csrf_token(page), "approve": "yes"})
    assert "Sidan hade varit öppen länge" in stale.text
    clock.advance(minutes=31)
    client.get(f"{BASE}/inkorg/")  # 401: the session timed out
    login(client, ADULT)
    client.post(f"{BASE}/logga-ut/", data={"csrf_token": csrf_token(client.get(f"{BASE}/inkorg/").text)})

    statuses = {response.status for response in recorder.responses}
    assert {200, 303, 400, 401, 404, 405, 413, 500} <= statuses, statuses  # 429: the rate limiter's, below
    assert any("/static/" in response.path for response in recorder.responses)
    pages = {response.path for response in recorder.responses if response.is_html and response.status == 200}
    for needed in ("/kontrollera/", "/kvitto/", "/inkorg/", "/ombud/", "/sida/2/", "/utloggad/", "/logga-in/"):
        assert any(needed in path for path in pages), needed
    for response in recorder.responses:
        assert_secure_headers(response, ["'self'"])

    # Many failed logins (the real rate limiter answers the 3rd and 4th with its 429), and the
    # production configuration without a login (503): each with the same headers.
    limited = make_app(FORMS_RATELIMIT_LOGIN="2 per minute", FORMS_DATABASE_URL="sqlite://")
    watch = Recorder(limited.wsgi_app)
    limited.wsgi_app = watch  # type: ignore[method-assign]
    other = limited.test_client()
    for _ in range(4):
        token = csrf_token(other.get(f"{BASE}/logga-in/").text)
        other.post(f"{BASE}/logga-in/", data={"csrf_token": token, "personnummer": "19121212-1213"})
    unavailable = make_app(FORMS_TEST_LOGIN="0", FORMS_DATABASE_URL="sqlite://")
    unavailable.wsgi_app = Recorder(unavailable.wsgi_app, watch.responses)  # type: ignore[method-assign]
    unavailable.test_client().get(f"{BASE}/logga-in/")
    limited_posts = [(r.method, r.path, r.status) for r in watch.responses if r.method == "POST"]
    assert limited_posts == [("POST", f"{BASE}/logga-in/", status) for status in (200, 200, 429, 429)]
    for response in watch.responses:
        if response.status == 429:
            assert "För många försök" in response.body.decode() and int(response.header("Retry-After") or 0) > 0
    assert [r.status for r in watch.responses if r.method == "GET"][-1] == 503
    for response in watch.responses:
        assert_secure_headers(response, ["'self'"])


def test_form_action_allows_the_identity_providers_origin_when_one_is_configured(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(FORMS_TEST_LOGIN="0", LOGIN_URL="https://login.region.example:8443/start/hitta-vard?x=1")
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder  # type: ignore[method-assign]
    client = app.test_client()
    client.get(f"{BASE}/logga-in/")
    client.get(f"{BASE}/{CLINIC}/allt/")
    client.get(f"{BASE}/finns/inte/")
    assert len(recorder.responses) == 3
    for response in recorder.responses:
        assert_secure_headers(response, ["'self'", "https://login.region.example:8443"])
    assert content_security_policy(None) == content_security_policy("")
    assert "javascript" not in content_security_policy("javascript:alert(1)")
