"""The forms app's settings: environment variables with the prefix FORMS_, or a dict in tests.

The names of CONTRACT section 4 are fixed (FORMS_CONTENT_DIR, FORMS_DATABASE_URL, FORMS_DEMO_DATA,
FORMS_TEST_LOGIN, FORMS_SECRET_KEY). A config dict given to `create_app` wins over the environment;
its keys may be written with or without the FORMS_ prefix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from limits import parse_many

from forms.identity.demo_data import DEFAULT_DEMO_DATA

PREFIX = "FORMS_"
_TRUE = {"1", "true", "yes", "on", "ja"}


class SettingsError(RuntimeError):
    """The configuration cannot start the app; the message says which variable to set."""


def _count(name: str, raw: Any) -> int:
    if raw is None or raw == "":
        return 0
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} ska vara ett heltal (antalet proxyservrar framför appen), inte {raw!r}") from None
    if number < 0:
        raise SettingsError(f"{name} kan inte vara negativt")
    return number


def positive_int(name: str, raw: Any, default: int) -> int:
    """A whole number setting (a time limit, a port); unset means the default, zero or less is refused."""
    if raw is None or raw == "":
        return default
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} ska vara ett heltal, inte {raw!r}") from None
    if number <= 0:
        raise SettingsError(f"{name} ska vara större än noll")
    return number


def env_positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    """`positive_int` of FORMS_`name` in `environ`, for the settings of the jobs (worker, purge)."""
    return positive_int(PREFIX + name, environ.get(PREFIX + name, "").strip(), default)


def _limits(name: str, raw: Any, default: str) -> str:
    """Rate limits as Flask-Limiter writes them ("10 per minute;50 per hour"), checked at start."""
    if raw is None or str(raw).strip() == "":
        return default
    try:
        parse_many(str(raw))
    except ValueError:
        raise SettingsError(f"{name} ska vara gränser som '10 per minute;50 per hour', inte {raw!r}") from None
    return str(raw)


def _truthy(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.strip().lower() in _TRUE)


@dataclass(frozen=True)
class Settings:
    content_dir: Path
    database_url: str | None  # None: a SQLite file in the instance folder
    demo_data: Path
    test_login: bool
    secret_key: str | None  # None is only allowed with the test login on
    trusted_proxies: int = 0  # FORMS_TRUSTED_PROXIES: reverse proxies in front whose X-Forwarded-* to trust
    session_idle_minutes: int = 30  # FORMS_SESSION_IDLE_MINUTES: logged out after this long without a request
    session_max_hours: int = 12  # FORMS_SESSION_MAX_HOURS: logged out this long after logging in, active or not
    csrf_minutes: int = 60  # FORMS_CSRF_MINUTES: how long a page's form token is accepted
    ratelimit_storage_url: str | None = None  # FORMS_RATELIMIT_STORAGE_URL: None counts in the database
    ratelimit_login: str = "20 per minute;100 per hour"  # FORMS_RATELIMIT_LOGIN: login attempts per address
    ratelimit_send: str = "30 per minute;200 per day"  # FORMS_RATELIMIT_SEND: sends per person
    site_dir: Path = Path("build")  # FORMS_SITE_DIR: the built site, whose search index /sok/ reads
    demo_cases: bool = False  # FORMS_DEMO_CASES: the run command's demo also gets cases of every status

    @classmethod
    def read(cls, config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `config` first, then `environ` (default os.environ), then defaults."""
        config = config or {}
        environ = os.environ if environ is None else environ

        def value(name: str) -> Any:
            for key in (PREFIX + name, name):
                if key in config and config[key] is not None:
                    return config[key]
            return environ.get(PREFIX + name) or None

        enabled = _truthy(value("TEST_LOGIN"))
        secret = value("SECRET_KEY")
        if not secret and not enabled:
            raise SettingsError(
                "FORMS_SECRET_KEY saknas: sätt en lång slumpad nyckel (till exempel från "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`), eller slå på "
                "testinloggningen med FORMS_TEST_LOGIN=1 vid utveckling."
            )
        return cls(
            content_dir=Path(value("CONTENT_DIR") or "content"),
            database_url=str(value("DATABASE_URL")) if value("DATABASE_URL") else None,
            demo_data=Path(value("DEMO_DATA") or DEFAULT_DEMO_DATA),
            test_login=enabled,
            secret_key=str(secret) if secret else None,
            trusted_proxies=_count("FORMS_TRUSTED_PROXIES", value("TRUSTED_PROXIES")),
            session_idle_minutes=positive_int("FORMS_SESSION_IDLE_MINUTES", value("SESSION_IDLE_MINUTES"), 30),
            session_max_hours=positive_int("FORMS_SESSION_MAX_HOURS", value("SESSION_MAX_HOURS"), 12),
            csrf_minutes=positive_int("FORMS_CSRF_MINUTES", value("CSRF_MINUTES"), 60),
            ratelimit_storage_url=str(value("RATELIMIT_STORAGE_URL") or "") or None,
            ratelimit_login=_limits("FORMS_RATELIMIT_LOGIN", value("RATELIMIT_LOGIN"), cls.ratelimit_login),
            ratelimit_send=_limits("FORMS_RATELIMIT_SEND", value("RATELIMIT_SEND"), cls.ratelimit_send),
            site_dir=Path(value("SITE_DIR") or "build"),
            # Only the demo data file's tidbok and staff lists seed a database (the contract); the
            # made-up cases that show the staff side at work are the run command's, asked for by name.
            demo_cases=enabled and _truthy(value("DEMO_CASES")),
        )
