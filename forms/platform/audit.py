"""Security events and server errors as JSON lines, through the standard logging module.

Operators need to see logins, refusals and attacks (OWASP ASVS V16) without the log becoming a
second store of health data. So an event names what happened, when (UTC) and in which session,
and nothing the citizen typed: the session is a short hash of its token (the token itself would
let a log reader take over the session), the person a keyed hash of the personnummer (enough to
see that one person failed ten times, useless to anyone without the app's secret key).

Other modules call `security_event(name, **fields)`; the fields must be codes and counts, never
answers or personnummer. `server_error` logs an unhandled exception by type and stack frames only:
an exception's message can quote input (SQLAlchemy's quotes the statement's parameters).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import secrets
import sys
import traceback
from typing import Any

from flask import current_app, has_app_context, has_request_context, request, session
from sqlalchemy import Engine

LOGGER_NAME = "forms.platform.audit"
log = logging.getLogger(LOGGER_NAME)

# Events that mean something was refused: logged at WARNING, the rest (login, logout) at INFO.
WARNING_EVENTS = frozenset(
    {"login_failed", "csrf_failure", "authorisation_failure", "rate_limited", "session_timeout", "debug_refused",
     "logout_refused"}
)
# Keys an event may never carry, whatever a caller passes: they would put personal data in the log.
FORBIDDEN_FIELDS = frozenset({"personnummer", "answers", "answer", "raw", "form", "data", "name", "token", "cookie"})


def _now() -> datetime.datetime:
    """The app's clock (tests fix it) when there is an app, else the system's; always UTC."""
    if has_app_context():
        svc = current_app.extensions.get("hittavard_forms")
        if svc is not None:
            return svc.now().astimezone(datetime.UTC)  # type: ignore[no-any-return]
    return datetime.datetime.now(datetime.UTC)


def session_ref(token: str | None) -> str | None:
    """A session as the log names it: the first 16 hex digits of the SHA-256 of its token.

    The store keys sessions under the same SHA-256, so an operator can find the session row of a
    log line; the token, which is what a browser presents, cannot be recovered from it.
    """
    if not token:
        return None
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def person_ref(personnummer: str | None) -> str | None:
    """A keyed hash of a personnummer: the same person gives the same value, nobody can reverse it.

    Personnummer are few enough to try them all, so a plain hash would be no protection; the key
    is the app's secret key, which the log never contains.
    """
    if not personnummer:
        return None
    key = str(current_app.config.get("SECRET_KEY") or "") if has_app_context() else ""
    return hmac.new(key.encode(), b"person:" + personnummer.encode(), hashlib.sha256).hexdigest()[:16]


def _request_fields() -> dict[str, Any]:
    if not has_request_context():
        return {}
    fields: dict[str, Any] = {"method": request.method, "path": request.path, "ip": request.remote_addr}
    token = getattr(session, "token", None)
    fields["session"] = session_ref(token if isinstance(token, str) else None)
    actor = session.get("actor") if session else None
    fields["user"] = person_ref(actor if isinstance(actor, str) else None)
    return fields


def _emit(name: str, level: int, fields: dict[str, Any]) -> dict[str, Any]:
    clean = {key: value for key, value in fields.items() if key not in FORBIDDEN_FIELDS}
    record = {"time": _now().isoformat(timespec="seconds").replace("+00:00", "Z"), "event": name}
    record.update(_request_fields())
    record.update(clean)
    log.log(level, json.dumps(record, ensure_ascii=False, sort_keys=True, default=str), extra={"event": record})
    return record


def security_event(name: str, **fields: Any) -> dict[str, Any]:
    """Log one security event (e.g. "login", "rate_limited") as a JSON line; return what was logged.

    Time, session hash, person hash, method, path and client address are added here; pass only
    codes and counts (`reason="unknown_person"`, `limit="5/minute"`), never what was typed.
    """
    level = logging.WARNING if name in WARNING_EVENTS else logging.INFO
    return _emit(name, level, fields)


def new_error_id() -> str:
    """A short code shown on the error page and logged with the error, to find one in the other."""
    return secrets.token_hex(4).upper()


def server_error(error: BaseException, error_id: str) -> dict[str, Any]:
    """Log an unhandled exception: its type and where it happened, never its message or locals."""
    frames = [
        f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(error.__traceback__)
    ]
    return _emit(
        "server_error",
        logging.ERROR,
        {"error_id": error_id, "exception": f"{type(error).__module__}.{type(error).__qualname__}", "stack": frames},
    )


def quiet(engine: Engine) -> Engine:
    """The engine, set never to quote SQL parameters in its log lines and exceptions; returned.

    Call it before anything derives engines from it (`execution_options` copies the flag then).
    """
    engine.hide_parameters = True
    return engine


class _NoResultRows(logging.Filter):
    """Drops SQLAlchemy's DEBUG records: they are result rows, that is drafts and cases."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def init_app(engine: Engine) -> None:
    """Keep answers out of every log, and make sure the events reach stderr (gunicorn).

    SQLAlchemy logs statements with their parameters at INFO and result rows at DEBUG when its
    logger is on, and quotes parameters in its exceptions; both would be answers and personnummer.
    So the engine hides parameters and the engine logger drops DEBUG, whatever level an operator
    sets. A configured root logger (an operator's logging config, or pytest) is left alone;
    otherwise the events get a handler of their own, one JSON object a line.
    """
    quiet(engine)
    engine_log = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(existing, _NoResultRows) for existing in engine_log.filters):
        engine_log.addFilter(_NoResultRows())
    root = logging.getLogger()
    if not root.handlers and not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
