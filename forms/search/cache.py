"""Whole /sok/ responses kept per process: the same search is the same page for every visitor.

The search page shows nobody's name and carries no form token (forms/search/views.py renders it
without the personal header), so what a GET of /sok/ answers depends only on the search's
parameters as the page reads them (SearchParams: the same query string in another order, or with
parameters the page ignores, is the same page) and on the searcher's state: the version of the
index, and which mottagningar are open now ("Öppet nu", worked out per minute of the app's clock,
Europe/Stockholm). Most minutes nobody opens or closes, and the state stays the same.

This sits in front of the Flask app (a WSGI layer that init_app installs), so a kept page is
answered without opening a session or running the app's per-request hooks: like a static page,
which also has no login state. The first answer for a key is the app's own, with every header the
app sets; it is kept only if it is a 200 without Set-Cookie (a logged-in visitor's session may be
refreshed on the way: that answer is passed on as it is, with its `no-store`, and not kept).
What is kept, and what the app's answer becomes when it can be kept, says `Cache-Control: public,
max-age=N` with N the seconds left of the minute, and no longer varies by Cookie.

Everything kept belongs to one state: the first request after a new index, or after a minute in
which a mottagning opened or closed, empties the cache. It is bounded by entries and bytes besides
(the oldest go first). Browsers and proxies are told only about the current minute, since the next
change of state is not worked out.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from forms.search.params import SearchParams

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PATH = "/sok/"
MOMENT_KEY = "hittavard.search.moment"  # the moment the page is computed for, set by the cache for the view
MAX_ENTRIES = 2000
MAX_BYTES = 32 * 1024 * 1024
_DROPPED = {"cache-control", "pragma", "set-cookie", "date", "vary"}


@dataclass(frozen=True)
class Kept:
    status: str
    headers: list[tuple[str, str]]  # without Cache-Control, Pragma and Vary: Cookie (set per answer)
    body: bytes
    vary: str  # what the app's Vary said besides Cookie ("" for nothing)


def seconds_left(moment: datetime.datetime) -> int:
    """Seconds until the minute of `moment` ends: how long its page stays true (at least 1)."""
    return max(1, 60 - moment.second)


def cache_headers(kept: Kept, moment: datetime.datetime) -> list[tuple[str, str]]:
    headers = [*kept.headers, ("Cache-Control", f"public, max-age={seconds_left(moment)}")]
    return [*headers, ("Vary", kept.vary)] if kept.vary else headers


class SearchPageCache:
    """The WSGI layer in front of the app that answers repeated GETs of /sok/ from memory."""

    def __init__(
        self,
        app: WSGIApplication,
        state: Callable[[datetime.datetime], Any],
        clock: Callable[[], datetime.datetime],
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.app = app
        self.state = state  # the searcher's state at a moment; raises when there is no index: nothing kept
        self.clock = clock
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._era: Any = None
        self._pages: OrderedDict[tuple[Any, ...], Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH:
            return self.app(environ, start_response)
        moment = self.clock()
        try:
            era = self.state(moment)
        except Exception:  # no index (or an unreadable one): the app answers, and says so
            return self.app(environ, start_response)
        params = SearchParams.read(Request(environ).args)
        key = (environ.get("SCRIPT_NAME", ""), params.q, params.kommun, params.etjanst, params.open_now,
               params.page, tuple(params.notes))  # fmt: skip
        with self._lock:
            if self._era != era:
                self._era, self._pages, self._bytes = era, OrderedDict(), 0
            kept = self._pages.get(key)
            if kept is not None:
                self._pages.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
        if kept is not None:
            start_response(kept.status, cache_headers(kept, moment))
            return [kept.body]
        environ[MOMENT_KEY] = moment
        return self._answer_and_keep(environ, start_response, era, key, moment)

    def _answer_and_keep(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        era: Any,
        key: tuple[Any, ...],
        moment: datetime.datetime,
    ) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
            answer.update(status=status, headers=headers)
            return lambda data: None  # the app returns its body; nothing here writes directly

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, headers = answer["status"], answer["headers"]
        names = {name.lower() for name, _ in headers}
        if not status.startswith("200 ") or "set-cookie" in names:
            start_response(status, headers)  # as the app said, no-store and all
            return [body]
        vary = ", ".join(
            part.strip()
            for name, value in headers
            if name.lower() == "vary"
            for part in value.split(",")
            if part.strip() and part.strip().lower() != "cookie"
        )
        kept = Kept(status, [(n, v) for n, v in headers if n.lower() not in _DROPPED], body, vary)
        self._keep(era, key, kept)
        start_response(status, cache_headers(kept, moment))
        return [body]

    def _keep(self, era: Any, key: tuple[Any, ...], kept: Kept) -> None:
        size = len(kept.body) + sum(len(name) + len(value) for name, value in kept.headers)
        if size > self.max_bytes:
            return
        with self._lock:
            if self._era != era:
                return  # a new state began while this page was made
            previous = self._pages.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous.body) + sum(len(n) + len(v) for n, v in previous.headers)
            self._pages[key] = kept
            self._bytes += size
            while self._pages and (len(self._pages) > self.max_entries or self._bytes > self.max_bytes):
                _, oldest = self._pages.popitem(last=False)
                self._bytes -= len(oldest.body) + sum(len(n) + len(v) for n, v in oldest.headers)
