"""Rate limits on logging in and on sending, counted in one storage that every worker shares.

Flask-Limiter does the limiting: parsing "10 per minute", fixed windows, the 429, Retry-After.
What it needs from us is a storage that all gunicorn workers see, because a counter in each
worker's memory lets an attacker multiply every limit by the number of workers. Production names
one with FORMS_RATELIMIT_STORAGE_URL (Redis: `redis://host:6379/0`). Without it the counters live
in the app's own database, in the `rate_limits` table: `DatabaseStorage` below is a `limits`
storage backend of one atomic upsert per hit, so it is shared by every worker and every machine
that shares the case store, and needs no other server. It is registered under the scheme
`hittavard+db://`; `memory://` is there for a single process (development) only.

The limits:
- logging in (`auth.login`, POST): every attempt per client address;
- sending (`eservice.send` and the booking confirmations, POST): every send per logged-in person
  (per address when nobody is logged in), double clicks and repeats included.

Every POST is counted as it arrives, in one atomic step that also decides: counting only failed
logins afterwards would let an attacker with many parallel connections past the limit.

Who is counted is stored as a keyed hash (HMAC with the app's secret key), never as a
personnummer or address, so neither the counter table, Redis nor the limiter's log lines hold
personal data. The limits are attached here to the views by endpoint name when the app is built,
so each app (tests build many) has its own limiter and settings.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import Engine, case, delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from forms.platform.audit import security_event
from forms.platform.citizen import current_citizen
from forms.store.db import RateLimitCounter
from forms.store.engine import writing

DATABASE_SCHEME = "hittavard+db"
DATABASE_STORAGE = f"{DATABASE_SCHEME}://"  # the app's own database; the default

EXTENSION = "hittavard_limiter"
LIMITED = "hittavard_limited_endpoints"  # the endpoints whose POSTs the limiter's hooks run for


class DatabaseStorage(Storage):
    """Fixed-window counters in the case store (SQLite or PostgreSQL), shared by all workers.

    `incr` is one INSERT … ON CONFLICT DO UPDATE … RETURNING: atomic on both databases without a
    read-then-write race, and a window that has expired starts again from the same statement.
    """

    STORAGE_SCHEME = [DATABASE_SCHEME]  # noqa: RUF012 - the limits library's registry reads it

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        engine: Engine | None = None,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        if engine is None:
            raise ConfigurationError("DatabaseStorage needs the app's engine (storage option 'engine')")
        if engine.dialect.name not in {"sqlite", "postgresql"}:
            raise ConfigurationError(
                f"Rate limits in the database work on SQLite and PostgreSQL, not {engine.dialect.name}: "
                "set FORMS_RATELIMIT_STORAGE_URL to a Redis server"
            )
        self.engine = engine
        self._writer = writing(engine)
        self._clock = clock

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def _insert(self) -> Any:
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(RateLimitCounter)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = self._clock()
        table = RateLimitCounter.__table__.c
        expired = table.expires_at <= now
        statement = (
            self._insert()
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[table.key],
                set_={
                    "count": case((expired, amount), else_=table.count + amount),
                    "expires_at": case((expired, now + expiry), else_=table.expires_at),
                },
            )
            .returning(table.count)
        )
        with self._writer.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def get(self, key: str) -> int:
        table = RateLimitCounter.__table__.c
        with self.engine.connect() as connection:
            count = connection.execute(
                select(table.count).where(table.key == key, table.expires_at > self._clock())
            ).scalar_one_or_none()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        table = RateLimitCounter.__table__.c
        with self.engine.connect() as connection:
            expires = connection.execute(select(table.expires_at).where(table.key == key)).scalar_one_or_none()
        return float(expires) if expires is not None else self._clock()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._writer.begin() as connection:
            count = connection.execute(select(func.count()).select_from(RateLimitCounter)).scalar_one()
            connection.execute(delete(RateLimitCounter))
        return int(count)

    def clear(self, key: str) -> None:
        with self._writer.begin() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


# Who is counted -----------------------------------------------------------------------------------


def _digest(kind: str, value: str) -> str:
    """A keyed hash: the same person or address gives the same key in every worker, and no data."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def client_key() -> str:
    """The client's address (as ProxyFix gives it behind FORMS_TRUSTED_PROXIES), hashed."""
    return "addr-" + _digest("addr", request.remote_addr or "unknown")


def person_key() -> str:
    """The logged-in person, hashed; the client's address when nobody is logged in."""
    citizen = current_citizen()
    if citizen is None:
        return client_key()
    return "person-" + _digest("person", citizen.actor.personnummer)


# The 429 page -------------------------------------------------------------------------------------

# Booking confirmations count as sends (FORMS_RATELIMIT_SEND: "cases, bookings, answers").
BOOKING_SENDS = ("booking.check", "tidbok_change.omboka_check", "tidbok_change.avboka_comment")
KINDS = {"auth.login": "login", "eservice.send": "send", **dict.fromkeys(BOOKING_SENDS, "send")}


def wait_text(seconds: float) -> str:
    """How long to wait, in words: "en minut", "5 minuter", "2 timmar", "ett dygn"."""
    seconds = max(seconds - 2, 0)  # the limiter's reset time is rounded up to a whole second
    if seconds <= 60:
        return "en minut"
    if seconds <= 59 * 60:
        return f"{math.ceil(seconds / 60)} minuter"
    hours = math.ceil(seconds / 3600)
    if hours >= 24:
        return "ett dygn"
    return "en timme" if hours == 1 else f"{hours} timmar"


def _rate_limited(_error: RateLimitExceeded) -> tuple[str, int]:
    limiter: Limiter = current_app.extensions[EXTENSION]
    current = limiter.current_limit
    seconds = max(current.reset_at - time.time(), 1) if current is not None else 60
    html = render_template("forms/rate_limited.html", kind=KINDS.get(request.endpoint or ""), wait=wait_text(seconds))
    return html, 429


def _on_breach(limit: RequestLimit) -> None:
    """Log the refusal as a security event: which limit on which endpoint, hashed session and person."""
    security_event("rate_limited", endpoint=request.endpoint, limit=str(limit.limit))


# Wiring -------------------------------------------------------------------------------------------


def _on_post(limited: Callable[..., Any], view: Callable[..., Any]) -> Callable[..., Any]:
    """The limited view on POST, the plain one otherwise: the limiter's wrapper checks on every call."""

    @functools.wraps(view)  # the limiter finds a view's limits by its qualified name
    def either(*args: Any, **kwargs: Any) -> Any:
        return (limited if request.method == "POST" else view)(*args, **kwargs)

    return either


def _only_where_limited(app: Flask, added: tuple[int, int, int], limited: set[str]) -> None:
    """Run the limiter's request hooks (added to `app` after the `added` counts) only on a limited POST.

    Flask-Limiter hooks every request of the app: before it (resolve and filter the limits), after
    it (headers) and at its end (its context), about a tenth of a light page's work. Every limit
    here is on POST to a few endpoints, so on any other request those hooks find nothing to do.
    `limited` is read at each request, so an endpoint limited later (limit_view) is included.
    """

    def applies() -> bool:
        return request.method == "POST" and request.endpoint in limited

    def guard_before(hook: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: hook() if applies() else None

    def guard_after(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda response: hook(response) if applies() else response

    def guard_teardown(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda error: hook(error) if applies() else None

    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    for funcs, before, guard in zip(hooks, added, (guard_before, guard_after, guard_teardown), strict=True):
        chain = funcs[None]
        chain[before:] = [guard(hook) for hook in chain[before:]]  # type: ignore[operator]


def limit_view(app: Flask, endpoint: str, limit: str, key: Callable[[], str]) -> None:
    """Limit the POSTs to `endpoint` (after init_app, for a part that adds its views later).

    Every limit goes through here so that the limiter's hooks, which run only for the endpoints
    named here, also run for it: a limit added beside them was still counted by its view wrapper,
    but its 429 lost Retry-After (the after-request hook), as the staff login's did.
    """
    view = app.view_functions[endpoint]  # a KeyError here: a limited view was renamed
    decorate = app.extensions[EXTENSION].limit(limit, key_func=key, methods=["POST"])
    app.view_functions[endpoint] = _on_post(decorate(view), view)
    app.extensions[LIMITED].add(endpoint)


def init_app(app: Flask, engine: Engine, storage_url: str | None, login_limit: str, send_limit: str) -> Limiter:
    """Limit logging in and sending on `app`, counting in `storage_url` (default: the database)."""
    uri = storage_url or DATABASE_STORAGE
    options: dict[str, Any] = {"engine": engine} if uri.startswith(DATABASE_SCHEME + ":") else {}
    limiter = Limiter(
        key_func=client_key,
        storage_uri=uri,
        storage_options=options,
        strategy="fixed-window",
        headers_enabled=True,  # Retry-After on the 429 (and X-RateLimit-* on limited pages)
        swallow_errors=True,  # a storage that is down must not stop citizens from sending
        on_breach=_on_breach,
    )
    counts = tuple(len(funcs.get(None, [])) for funcs in
                   (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs))
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    limited: dict[str, tuple[str, Callable[[], str]]] = {
        "auth.login": (login_limit, client_key),
        "eservice.send": (send_limit, person_key),
        **{endpoint: (send_limit, person_key) for endpoint in BOOKING_SENDS},
    }
    app.extensions[LIMITED] = set()
    for endpoint, (limit, key) in limited.items():
        limit_view(app, endpoint, limit, key)
    _only_where_limited(app, counts, app.extensions[LIMITED])
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    return limiter
