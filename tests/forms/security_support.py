"""Helpers shared by the security tests: a clock that tests move, and a recorder of every response.

Timeouts are tested by moving the app's clock (`CLOCK`), never by sleeping. The recorder wraps the
WSGI app, so it sees each response exactly as a browser would: error pages, redirects and the
stylesheet included, after every hook has set its headers.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

from tests.forms.conftest import NOW


class Clock:
    """The app's clock; `advance(minutes=31)` is how a test lets time pass."""

    def __init__(self, start: datetime.datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)

    def drive_token_time(self, monkeypatch: Any) -> Clock:
        """Let Flask-WTF's CSRF tokens (signed with itsdangerous's timestamps) age with this clock."""
        import itsdangerous.timed

        start, real = self.now, time.time
        monkeypatch.setattr(
            itsdangerous.timed, "time", SimpleNamespace(time=lambda: real() + (self.now - start).total_seconds())
        )
        return self


@dataclass
class Recorded:
    method: str
    path: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    @property
    def is_html(self) -> bool:
        return (self.header("Content-Type") or "").startswith("text/html")


@dataclass
class Recorder:
    """WSGI middleware keeping every response the app gives."""

    app: Callable[..., Iterable[bytes]]
    responses: list[Recorded] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        captured: dict[str, Any] = {}

        def recording_start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            captured["status"] = int(status.split()[0])
            captured["headers"] = list(headers)
            return start_response(status, headers, *args)

        body = b"".join(self.app(environ, recording_start))
        self.responses.append(
            Recorded(environ["REQUEST_METHOD"], environ["PATH_INFO"], captured["status"], captured["headers"], body)
        )
        yield body


class InlineFinder(HTMLParser):
    """Finds what a CSP without script and inline style would block: script, style, on* handlers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.found.append(f"<{tag}>")
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"{tag} {name}=")
        if tag == "link" and dict(attrs).get("rel") == "stylesheet" and not (dict(attrs).get("href") or "").startswith("/"):
            self.found.append("stylesheet from elsewhere")


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def token_clock(monkeypatch: Any) -> Clock:
    """A module's `clock` fixture (`clock = pytest.fixture(token_clock)`): the app's clock, driving
    the CSRF tokens' time too, so a test that moves it ages the tokens as well."""
    return Clock().drive_token_time(monkeypatch)
