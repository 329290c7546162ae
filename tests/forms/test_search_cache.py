"""/sok/ is a public page: the same for every visitor, kept whole per process for as long as its
index and the open mottagningar stay the same, and said to be cacheable for what is left of the
minute; every worker warms its searcher when it starts."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forms.search.cache import SearchPageCache
from sitegen.search import reader
from sitegen.search.schema import index_path
from tests.forms.conftest import login
from tests.forms.search_support import ROOT, TUESDAY_MORNING, app_for, hits

PERSON = "19850315-1238"  # an adult of the demo data without children
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Strict-Transport-Security",
                    "Referrer-Policy", "X-Frame-Options", "Cross-Origin-Resource-Policy")  # fmt: skip


class Clock:
    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime.datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock(TUESDAY_MORNING + datetime.timedelta(seconds=45))


@pytest.fixture
def app(demo_site: Path, tmp_path: Path, clock: Clock) -> Flask:
    return app_for(demo_site, ROOT / "content", tmp_path / "cases.sqlite3", CLOCK=clock)


def break_search(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on every search the app itself makes fails (503): what still answers 200 was kept."""

    def fail(query: Any) -> Any:
        raise reader.IndexMissing("gone")

    monkeypatch.setattr(app.extensions["hittavard_search"], "search", fail)


def test_the_page_is_the_same_for_a_logged_in_visitor_and_shows_nothing_of_them(app: Flask) -> None:
    anonymous = app.test_client().get("/sok/?q=hud")
    visitor = app.test_client()
    login(visitor, PERSON)
    assert "Inloggad" in visitor.get("/e-tjanster/inkorg/").get_data(as_text=True)  # the login worked
    theirs = visitor.get("/sok/?q=hud&utm_source=x")  # another key order of the same search: kept or not
    fresh = visitor.get("/sok/?q=hudm")  # a search nobody made before: the app renders it for them
    for response in (anonymous, theirs, fresh):
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and hits(html)[:1] == ["hudmottagningen-storkoping"]
        assert "Inloggad" not in html and "csrf_token" not in html and "Logga ut" not in html
    assert theirs.get_data() == anonymous.get_data()


def test_the_public_page_escapes_what_was_typed(app: Flask) -> None:
    """It is rendered without Flask's render_template: the template's escaping must still hold."""
    html = app.test_client().get("/sok/?q=%3Cscript%3Ealert(1)%3C/script%3E%22&kommun=%3Cb%3E").get_data(as_text=True)
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;" in html and "&lt;b&gt;" in html


def test_an_anonymous_answer_is_public_for_the_rest_of_the_minute(app: Flask) -> None:
    client = app.test_client()
    first, again = client.get("/sok/?q=v%C3%A5rdcentral"), client.get("/sok/?q=v%C3%A5rdcentral")
    for response in (first, again):
        assert response.headers["Cache-Control"] == "public, max-age=15"  # the clock says 10.00.45
        assert "Pragma" not in response.headers and "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
        for name in SECURITY_HEADERS:  # the app's own headers, kept with the page
            assert response.headers[name] == first.headers[name], name
    assert again.get_data() == first.get_data()


def test_a_repeated_search_is_answered_from_memory_whatever_the_parameter_order(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    first = client.get("/sok/?q=hud&kommun=Stork%C3%B6ping")
    break_search(app, monkeypatch)
    kept = client.get("/sok/?kommun=Stork%C3%B6ping&q=hud&ignored=1")
    assert kept.status_code == 200 and kept.get_data() == first.get_data()
    assert client.get("/sok/?q=hud&kommun=%C3%85svik").status_code == 503  # another search: not kept


def test_a_page_is_computed_again_when_a_mottagning_opens_or_closes(
    app: Flask, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hudmottagningen is open 08.00–16.00: its page is kept through the minutes until it closes."""
    client = app.test_client()
    clock.moment = TUESDAY_MORNING.replace(hour=15, minute=58, second=30)
    first = client.get("/sok/?q=hudmottagningen")
    assert "Öppet nu" in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "public, max-age=30"  # browsers: only this minute
    break_search(app, monkeypatch)
    clock.moment = clock.moment.replace(minute=59, second=50)  # a new minute, nobody opened or closed
    kept = client.get("/sok/?q=hudmottagningen")
    assert kept.status_code == 200 and kept.get_data() == first.get_data()
    assert kept.headers["Cache-Control"] == "public, max-age=10"
    clock.moment = clock.moment.replace(hour=16, minute=0, second=5)  # closed: the page must change
    assert client.get("/sok/?q=hudmottagningen").status_code == 503
    monkeypatch.undo()
    closed = client.get("/sok/?q=hudmottagningen").get_data(as_text=True)
    assert "Stängt nu" in closed and "Öppet nu" not in closed.split("<ol", 1)[1]


def test_a_new_index_is_computed_again(
    demo_site: Path, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / ".search").mkdir(parents=True)
    index_path(site).write_bytes(index_path(demo_site).read_bytes())
    app = app_for(site, ROOT / "content", tmp_path / "cases.sqlite3", CLOCK=clock)
    client = app.test_client()
    assert client.get("/sok/?q=hud").status_code == 200
    break_search(app, monkeypatch)
    assert client.get("/sok/?q=hud").status_code == 200
    stat = os.stat(index_path(site))
    os.utime(index_path(site), ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a build wrote it
    assert client.get("/sok/?q=hud").status_code == 503


def test_an_unavailable_search_is_not_kept_nor_public(
    demo_site: Path, tmp_path: Path, clock: Clock
) -> None:
    app = app_for(tmp_path / "no-site", ROOT / "content", tmp_path / "cases.sqlite3", CLOCK=clock)
    response = app.test_client().get("/sok/?q=hud")
    assert response.status_code == 503 and response.headers["Cache-Control"] == "no-store"


def test_each_app_warms_its_searcher_when_it_is_created(
    demo_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suggestion vocabulary (the slowest part of a first search) is built once, at start."""
    built: list[int] = []

    class Counting(reader.Suggester):
        def __init__(self, names: Iterable[str], places: Iterable[str]) -> None:
            built.append(1)
            super().__init__(names, places)

    monkeypatch.setattr(reader, "Suggester", Counting)
    app = app_for(demo_site, ROOT / "content", tmp_path / "cases.sqlite3")
    assert built == [1]
    html = app.test_client().get("/sok/?q=storgardns").get_data(as_text=True)
    assert "Menade du" in html and built == [1]


# The WSGI layer alone, in front of a made-up app --------------------------------------------------

Answer = tuple[str, list[tuple[str, str]], bytes]


def layer(answers: Callable[[dict[str, Any]], Answer], **limits: int) -> tuple[SearchPageCache, list[str]]:
    calls: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        calls.append(environ["QUERY_STRING"])
        status, headers, body = answers(environ)
        start_response(status, headers)
        return [body]

    moment = datetime.datetime(2026, 12, 1, 9, 0, 30, tzinfo=datetime.UTC)
    return SearchPageCache(app, lambda at: 1, lambda: moment, **limits), calls  # type: ignore[arg-type]


def get(cache: SearchPageCache, query: str, cookie: str = "") -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.update(status=status, headers=dict(headers))

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sok/", "QUERY_STRING": query, "HTTP_COOKIE": cookie}
    body = b"".join(cache(environ, start_response))  # type: ignore[arg-type]
    return seen["status"], seen["headers"], body


def page(environ: dict[str, Any]) -> Answer:
    body = f"<h1>{environ['QUERY_STRING']}</h1>".encode()
    return "200 OK", [("Content-Type", "text/html"), ("Cache-Control", "no-store"), ("Vary", "Cookie")], body


def test_the_layer_keeps_at_most_its_entries_and_bytes_the_oldest_going_first() -> None:
    cache, calls = layer(page, max_entries=2)
    for query in ("q=a", "q=b", "q=a", "q=c", "q=a", "q=b"):
        get(cache, query)
    assert calls == ["q=a", "q=b", "q=c", "q=b"]  # c pushed out b (a was used more recently)
    small, calls = layer(page, max_bytes=2 * len(b"<h1>q=a</h1>") + 2 * len("Content-Type" + "text/html"))
    for query in ("q=a", "q=b", "q=c", "q=a"):
        get(small, query)
    assert calls == ["q=a", "q=b", "q=c", "q=a"]


def test_the_layer_passes_on_and_never_keeps_answers_with_a_cookie_or_another_status() -> None:
    def personal(environ: dict[str, Any]) -> Answer:
        if environ.get("HTTP_COOKIE"):
            return "200 OK", [("Cache-Control", "no-store"), ("Set-Cookie", "__Host-session=x")], b"refreshed"
        return "503 SERVICE UNAVAILABLE", [("Cache-Control", "no-store")], b"later"

    cache, calls = layer(personal)
    for _ in range(2):
        status, headers, body = get(cache, "q=a", cookie="__Host-session=x")
        assert (status, body, headers["Cache-Control"], headers["Set-Cookie"]) == (
            "200 OK", b"refreshed", "no-store", "__Host-session=x"
        )
        status, headers, body = get(cache, "q=a")
        assert (status, headers["Cache-Control"]) == ("503 SERVICE UNAVAILABLE", "no-store")
    assert len(calls) == 4


def test_the_layer_answers_kept_pages_public_without_varying_by_cookie() -> None:
    cache, calls = layer(page)
    for _ in range(2):
        status, headers, body = get(cache, "q=a")
        assert status == "200 OK" and body == b"<h1>q=a</h1>"
        assert headers["Cache-Control"] == "public, max-age=30" and "Vary" not in headers
    assert calls == ["q=a"]
