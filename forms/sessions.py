"""Server-side sessions: the cookie is a random key, the session itself stays in the case store.

Flask's default session is a signed cookie that the browser holds: it cannot be revoked, so a
cookie copied before logout would keep working, and its content is readable. Here the cookie
carries only a random token; the store keeps its SHA-256 with the data. Logout deletes the row,
and login replaces the token, so neither a copied nor a planted cookie opens anything.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

if TYPE_CHECKING:
    from forms.store import Store

COOKIE_NAME = "__Host-session"  # __Host-: Secure, Path=/, no Domain; no subdomain can set it


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

    def regenerate(self) -> None:
        """Drop everything and take a new token: called on login, against session fixation."""
        self.clear()
        self.renew = True

    def destroy(self) -> None:
        """End the session for good: the row is deleted and the cookie removed (logout)."""
        self.clear()
        self.destroyed = True


class ServerSessionInterface(SessionInterface):
    """Keeps sessions in the Store; the cookie is `__Host-session=<random token>`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get_cookie_name(self, app: Flask) -> str:
        return str(app.config.get("SESSION_COOKIE_NAME") or COOKIE_NAME)

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if token and len(token) < 200:
            row = self.store.load_session(token_hash(token))
            if row is not None:
                return ServerSession(dict(row.data), token)
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
        if session.destroyed or session.renew:
            if session.token is not None:
                self.store.delete_session(token_hash(session.token))
            session.token = None
        if session.destroyed:
            response.delete_cookie(name, **cookie)  # type: ignore[arg-type]
            return
        if not session and session.token is None:
            return
        if session.token is None:
            session.token = secrets.token_urlsafe(32)
        elif not session.modified:
            return
        self.store.save_session(token_hash(session.token), dict(session))
        response.set_cookie(name, session.token, **cookie)  # type: ignore[arg-type]
