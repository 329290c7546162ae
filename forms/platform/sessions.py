"""Server-side sessions: the cookie is a random key, the session itself stays in the case store.

Flask's default session is a signed cookie that the browser holds: it cannot be revoked, so a
cookie copied before logout would keep working, and its content is readable. Here the cookie
carries only a random token; the store keeps its SHA-256 with the data. Logout deletes the row,
and login replaces the token, so neither a copied nor a planted cookie opens anything.

A logged-in session also ends by itself (OWASP ASVS V7.3): after `session_idle_minutes` without a
request (someone walked away from a shared computer) and `session_max_hours` after logging in
(a stolen session cannot be kept alive). The times come from the app's clock, so tests move time
instead of sleeping. The citizen then sees a page that says why, and their draft, which is stored
under their personnummer and not under the session, is there when they log in again.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import threading
from typing import TYPE_CHECKING, Any, Literal

from flask import Flask, Request, Response, current_app, redirect, render_template, request, session, url_for
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from forms.platform.audit import security_event
from forms.platform.services import services

if TYPE_CHECKING:
    from forms.store.cases import Store

COOKIE_NAME = "__Host-session"  # __Host-: Secure, Path=/, no Domain; no subdomain can set it
ACTOR_KEY = "actor"  # who logged in (forms.platform.citizen reads it); its presence means "logged in"
LOGIN_AT_KEY = "login_at"  # ISO time of login, for the absolute timeout
SEEN_AT_KEY = "seen_at"  # ISO time of the last request, for the idle timeout
SEEN_RESOLUTION = datetime.timedelta(seconds=60)  # write seen_at at most once a minute
# Pages that work without a session and need no "you were logged out" page in front of them (the
# search is a public page of the site, the same for everyone).
OPEN_ENDPOINTS = {
    "assets.stylesheet", "auth.login", "auth.logged_out", "auth.logout", "search.search",
    "saml.saml_metadata", "saml.saml_login", "saml.saml_acs", "saml.saml_slo",
}
# Form fields that are not what the citizen typed, left out when showing what was not saved.
CONTROL_FIELDS = {"csrf_token", "action", "draft", "approve", "next", "subject"}

Expiry = Literal["idle", "absolute"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """A session whose data lives server-side under `token`."""

    def __init__(self, data: dict[str, Any] | None = None, token: str | None = None) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.token = token
        self.modified = False
        self.renew = False
        self.destroyed = False
        self.previous_token: str | None = None

    def regenerate(self) -> None:
        """Drop everything and take a new token at once: called on login, against session fixation.

        The new token exists from here on, so the login can be logged under the session it starts;
        the old one's row is deleted when the response is saved.
        """
        self.clear()
        self.renew = True
        self.previous_token = self.token
        self.token = secrets.token_urlsafe(32)

    def destroy(self) -> None:
        """End the session for good: the row is deleted and the cookie removed (logout)."""
        self.clear()
        self.destroyed = True


class Touches:
    """When this process last wrote each session's `seen_at`, so that it writes it once a minute.

    `seen_at` is refreshed when the stored one is a minute old. Without this memo, every request
    that read the row before the first refresh committed saw it stale and wrote the whole row
    again: with many connections on one session (a page refreshed by a load test, a browser's
    parallel requests), a burst of serialized write transactions, each an fsync on SQLite, once a
    minute. With it a process writes a session's `seen_at` at most once per SEEN_RESOLUTION, so a
    server writes it at most once per worker; the idle timeout keeps its one-minute resolution.
    """

    LIMIT = 50_000  # sessions remembered; beyond that the stale ones are forgotten

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, datetime.datetime] = {}

    def claim(self, key: str, now: datetime.datetime) -> bool:
        """True when this request should write `seen_at`: nobody in this process has in the last minute."""
        with self._lock:
            last = self._last.get(key)
            if last is not None and last <= now < last + SEEN_RESOLUTION:
                return False
            if len(self._last) >= self.LIMIT:
                cutoff = now - SEEN_RESOLUTION
                self._last = {k: v for k, v in self._last.items() if cutoff < v <= now}
                if len(self._last) >= self.LIMIT:
                    self._last.clear()
            self._last[key] = now
            return True


class ServerSessionInterface(SessionInterface):
    """Keeps sessions in the Store; the cookie is `__Host-session=<random token>`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.touches = Touches()

    def get_cookie_name(self, app: Flask) -> str:
        return str(app.config.get("SESSION_COOKIE_NAME") or COOKIE_NAME)

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if token and len(token) < 200:
            data = self.store.load_session(token_hash(token))
            if data is not None:
                return ServerSession(data, token)
        return ServerSession()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:  # type: ignore[override]
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        cookie = {
            "path": "/",
            "secure": True,
            "httponly": True,
            "samesite": "Lax",
        }
        if session.accessed:
            response.vary.add("Cookie")
        if session.renew and session.previous_token is not None:
            self.store.delete_session(token_hash(session.previous_token))
            session.previous_token = None
        if session.destroyed:
            if session.token is not None:
                self.store.delete_session(token_hash(session.token))
            session.token = None
            response.delete_cookie(name, **cookie)  # type: ignore[arg-type]
            return
        if not session and session.token is None:
            return
        if session.token is None:
            session.token = secrets.token_urlsafe(32)
        elif not session.modified and not session.renew:
            return
        self.store.save_session(token_hash(session.token), dict(session))
        response.set_cookie(name, session.token, **cookie)  # type: ignore[arg-type]


def _parse(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


def expiry(
    data: SessionMixin, now: datetime.datetime, idle: datetime.timedelta, maximum: datetime.timedelta
) -> Expiry | None:
    """Why a logged-in session has ended by itself, or None while it is still good.

    A session without a readable login time is treated as too old: it cannot prove otherwise.
    """
    login_at = _parse(data.get(LOGIN_AT_KEY))
    if login_at is None or now - login_at >= maximum:
        return "absolute"
    seen_at = _parse(data.get(SEEN_AT_KEY)) or login_at
    if now - seen_at >= idle:
        return "idle"
    return None


def mark_login(data: SessionMixin, now: datetime.datetime) -> None:
    """Start both clocks of a session that has just logged in."""
    data[LOGIN_AT_KEY] = now.isoformat()
    data[SEEN_AT_KEY] = now.isoformat()


def here() -> str:
    """The current path and query, to come back to after logging in."""
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


def _continue_url() -> str | None:
    """Where "Logga in igen" should bring the citizen back to: the page they were on."""
    if request.method == "GET":
        return here()
    view_args = request.view_args or {}
    if request.endpoint == "eservice.send":
        return url_for("eservice.check", **view_args)
    if request.endpoint in {"eservice.villkor", "eservice.page", "auth.choose"}:
        return here()
    return None


def _unsaved_text() -> list[str]:
    """What the citizen had typed in the POST that arrived too late: shown, so it can be copied.

    Only the requester's own POST body is shown back to them, so nothing is revealed; nothing of
    it is stored, since the session that could have stored it has ended.
    """
    if request.method != "POST":
        return []
    values = []
    for key, value in request.form.items(multi=True):
        if key not in CONTROL_FIELDS and value.strip():
            values.append(value.strip())
    return values[:100]


def first_touch(key: str, now: datetime.datetime) -> bool:
    """Whether this request writes the idle clock of session `key` (citizen's or staff's): see Touches."""
    interface = current_app.session_interface
    return not isinstance(interface, ServerSessionInterface) or interface.touches.claim(key, now)


def enforce_timeouts() -> tuple[str, int] | Response | None:
    """Before every request: end a logged-in session that has idled or lived too long.

    Registered before the CSRF check, so a form posted into an ended session gets the page that
    explains it rather than a token error. The "Du har blivit utloggad" page stores nothing.
    """
    current = session._get_current_object()  # type: ignore[attr-defined]
    if not isinstance(current, ServerSession) or ACTOR_KEY not in current:
        return None
    svc = services()
    now = svc.now()
    idle = datetime.timedelta(minutes=svc.settings.session_idle_minutes)
    maximum = datetime.timedelta(hours=svc.settings.session_max_hours)
    reason = expiry(current, now, idle, maximum)
    if reason is None:
        seen_at = _parse(current.get(SEEN_AT_KEY))
        stale = seen_at is None or now - seen_at >= SEEN_RESOLUTION
        if stale and first_touch(token_hash(current.token or ""), now):
            current[SEEN_AT_KEY] = now.isoformat()
        return None
    security_event("session_timeout", reason=reason)
    current.destroy()
    if request.endpoint == "auth.logout":
        return redirect(url_for("auth.logged_out"), code=303)  # already done: no token check to fail
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    page = render_template(
        "forms/session_expired.html",
        reason=reason,
        idle_minutes=svc.settings.session_idle_minutes,
        max_hours=svc.settings.session_max_hours,
        login_url=url_for("auth.login", next=_continue_url()),
        unsaved=_unsaved_text(),
    )
    return page, 401


def init_app(app: Flask, store: Store) -> None:
    """Install the server-side sessions and their timeouts (before the CSRF check is installed)."""
    app.session_interface = ServerSessionInterface(store)
    app.before_request(enforce_timeouts)
