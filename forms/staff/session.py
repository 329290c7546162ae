"""The staff session: separate from any citizen's, with the same protections.

Its own cookie (`__Host-staff`: Secure, HttpOnly, SameSite=Lax, Path=/), holding only a random
token; the data is server-side in `web_sessions` under the token's SHA-256 (as the citizen's,
forms.platform.sessions), so logout really ends it. The token is replaced at login (no session
fixation), and the session ends by itself after FORMS_SESSION_IDLE_MINUTES without a request and
FORMS_SESSION_MAX_HOURS after login, by the app's clock. A citizen logged in in the same browser
is a different session with a different cookie: neither opens the other.

CSRF: every staff form carries a token signed with the app's secret key over a random value kept
in this session (itsdangerous, timed by FORMS_CSRF_MINUTES), checked before any staff POST runs.
The citizen's CSRF (Flask-WTF, bound to the citizen session) does not apply to staff views.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

from flask import current_app, g, request
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from forms.identity.staff import StaffPerson
from forms.platform.services import services
from forms.platform.sessions import expiry
from forms.platform.tokens import signed_tokens
from forms.staff.reads import request_connection
from forms.store import plain
from forms.store.db import StaffMember, StaffRole, WebSession

COOKIE = "__Host-staff"
KIND = "staff"
SALT = "hittavard-staff-csrf"
SEEN_RESOLUTION = datetime.timedelta(seconds=60)

CsrfState = Literal["ok", "missing", "invalid", "expired"]


def _hash(token: str) -> str:
    return "staff:" + hashlib.sha256(token.encode()).hexdigest()[:58]


@dataclass
class StaffSession:
    token: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    modified: bool = False
    previous: str | None = None
    destroyed: bool = False
    # The person and their roles (mottagning slug → roles) as read with the session, for the
    # HSA-id it held then (`known_for`); None when the person is unknown.
    known: tuple[StaffPerson, dict[str, frozenset[str]]] | None = None
    known_for: str | None = None

    @property
    def hsa_id(self) -> str | None:
        value = self.data.get("hsa_id")
        return value if isinstance(value, str) else None


def current() -> StaffSession:
    found = g.get("staff_session")
    if found is None:
        found = open_session()
        g.staff_session = found
    return found  # type: ignore[no-any-return]


_SESSIONS = WebSession.__table__
_MEMBERS = StaffMember.__table__
_ROLES = StaffRole.__table__
# The staff session, the person it is logged in as and their roles: one statement, one row per
# role, built once (building a statement costs more than running a cached one). Every staff
# request starts here; reading the three in three statements and through the ORM was most of the
# cost of a request's set-up.
_SESSION_AND_STAFF = (
    select(_SESSIONS.c.data, _MEMBERS.c.hsa_id, _MEMBERS.c.name, _MEMBERS.c.title, _ROLES.c.clinic, _ROLES.c.role)
    .select_from(
        _SESSIONS.outerjoin(_MEMBERS, _MEMBERS.c.hsa_id == _SESSIONS.c.data["hsa_id"].as_string()).outerjoin(
            _ROLES, _ROLES.c.hsa_id == _MEMBERS.c.hsa_id
        )
    )
    .where(_SESSIONS.c.token_hash == bindparam("token_hash"))
)


def open_session() -> StaffSession:
    token = request.cookies.get(COOKIE)
    if token and len(token) < 200:
        # On the request's connection, left open: a logged read goes on in this transaction.
        rows = plain.rows(request_connection(), _SESSION_AND_STAFF, {"token_hash": _hash(token)})
        data = rows[0].data if rows else None
        if isinstance(data, dict) and data.get("kind") == KIND:
            session = StaffSession(token, dict(data))
            session.known_for = session.hsa_id
            first = rows[0]
            if first.hsa_id is not None and first.hsa_id == session.hsa_id:
                roles: dict[str, set[str]] = {}
                for row in rows:
                    if row.clinic is not None:
                        roles.setdefault(row.clinic, set()).add(row.role)
                person = StaffPerson(first.hsa_id, first.name, first.title)
                session.known = (person, {clinic: frozenset(found) for clinic, found in roles.items()})
            return session
    return StaffSession()


def log_in(hsa_id: str) -> None:
    """Start a fresh staff session for a verified HSA-id (the old token is thrown away)."""
    session = current()
    now = services().now().isoformat()
    session.previous = session.token
    session.token = secrets.token_urlsafe(32)
    session.data = {"kind": KIND, "hsa_id": hsa_id, "login_at": now, "seen_at": now, "csrf": secrets.token_hex(16)}
    session.modified = True


def log_out() -> None:
    session = current()
    session.data = {}
    session.destroyed = True


def timed_out() -> str | None:
    """ "idle" or "absolute" when the logged-in session has ended by itself (and end it), else None."""
    session = current()
    if session.hsa_id is None:
        return None
    svc = services()
    now = svc.now()
    reason = expiry(
        session.data,  # type: ignore[arg-type]
        now,
        datetime.timedelta(minutes=svc.settings.session_idle_minutes),
        datetime.timedelta(hours=svc.settings.session_max_hours),
    )
    if reason is not None:
        log_out()
        return reason
    seen = session.data.get("seen_at")
    try:
        seen_at = datetime.datetime.fromisoformat(seen) if isinstance(seen, str) else None
    except ValueError:
        seen_at = None
    if seen_at is None or now - seen_at >= SEEN_RESOLUTION:
        session.data["seen_at"] = now.isoformat()
        session.modified = True
    return None


def save(response: Response) -> Response:
    """After a staff request: store the session and set (or remove) its cookie."""
    session = g.get("staff_session")
    if session is None:
        return response
    store = services().store
    cookie: dict[str, Any] = {"path": "/", "secure": True, "httponly": True, "samesite": "Lax"}
    response.vary.add("Cookie")
    if session.previous:
        store.delete_session(_hash(session.previous))
        session.previous = None
    if session.destroyed:
        if session.token:
            store.delete_session(_hash(session.token))
        response.delete_cookie(COOKIE, **cookie)
        return response
    if session.modified and session.data:
        if not session.token:
            session.token = secrets.token_urlsafe(32)  # an anonymous session: the login form's CSRF secret
        store.save_session(_hash(session.token), session.data)
        response.set_cookie(COOKIE, session.token, **cookie)
    return response


# CSRF -------------------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)  # type: ignore[arg-type]


def csrf_token() -> str:
    """The token for this page's staff forms (a Jinja global on staff pages).

    Signed once per request: a case page has up to six forms, and each signature (an HMAC and a
    zlib pass) cost about half a millisecond of the page's time; and reused on the session's pages
    for up to a minute (`forms.platform.tokens`, as the citizens' token).
    """
    session = current()
    secret = session.data.get("csrf")
    if not isinstance(secret, str):
        secret = secrets.token_hex(16)
        session.data["kind"] = KIND
        session.data["csrf"] = secret
        session.modified = True
    signed = g.get("staff_csrf_signed")
    if signed is None or signed[0] != secret:
        key = (SALT, current_app.secret_key, secret)
        lifetime = services().settings.csrf_minutes * 60
        signed = (secret, signed_tokens.get(key, lambda: str(_serializer().dumps(secret)), lifetime))
        g.staff_csrf_signed = signed
    return signed[1]


def csrf_state(token: str | None) -> CsrfState:
    if not token:
        return "missing"
    own = current().data.get("csrf")
    limit = services().settings.csrf_minutes * 60
    try:
        value = _serializer().loads(token, max_age=limit)
    except SignatureExpired:
        _valid, value = _serializer().loads_unsafe(token)  # the signature held; only the time ran out
        if isinstance(own, str) and isinstance(value, str) and hmac.compare_digest(own, value):
            return "expired"
        return "invalid"
    except BadData:
        return "invalid"
    if isinstance(own, str) and isinstance(value, str) and hmac.compare_digest(own, value):
        return "ok"
    return "invalid"
