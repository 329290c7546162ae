"""The application factory: settings, content, store and blueprints, put together once.

Content is loaded and validated at start: a broken content folder stops the app with the same
located errors the site build gives, instead of failing for the first citizen who opens a form.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from forms.account import contact, saml_views
from forms.account import views as auth
from forms.booking import book as booking_book
from forms.booking import change as booking_change
from forms.booking import kallelse_views as booking_kallelse
from forms.booking import manage as booking_manage
from forms.booking import overview as booking_overview
from forms.booking import where as booking_where  # noqa: F401 - its view joins booking_book.bp
from forms.booking.setup import install_tidbok
from forms.cases import inbox
from forms.cases import views as eservice
from forms.identity.demo_data import load_demo_data
from forms.identity.providers import DemoIdentityProvider, IdentityProvider
from forms.identity.records import DemoRecordSystem, RecordSystem
from forms.platform import audit, digits, ratelimit, rendering, samlweb, security, sessions
from forms.platform.clock import configured_clock
from forms.platform.content import app_content, site_dir
from forms.platform.errors import FormsFlask, guard_debug
from forms.platform.services import Services
from forms.platform.sessions import COOKIE_NAME
from forms.platform.settings import PREFIX, Settings
from forms.search import init_app as init_search
from forms.staff import setup as staff
from forms.store.cases import Store
from forms.store.engine import make_engine
from sitegen.site.theme import Theme

MAX_REQUEST_BYTES = 512 * 1024  # far more than any form needs; more is refused with 413

# Keys of the config dict that are objects for the app, not Flask settings.
_OBJECT_KEYS = {"IDENTITY_PROVIDER", "RECORD_SYSTEM", "CLOCK", "THEME", "STAFF_IDENTITY_PROVIDER", "TIDBOK"}


def _flask_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Flask's own settings from the config dict: anything that is not a FORMS_ setting or object."""
    ours = {
        "CONTENT_DIR", "DATABASE_URL", "DEMO_DATA", "TEST_LOGIN", "SECRET_KEY", "LOGIN_URL", "SITE_ROOT",
        "TRUSTED_PROXIES", "SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS", "CSRF_MINUTES",
        "RATELIMIT_STORAGE_URL", "RATELIMIT_LOGIN", "RATELIMIT_SEND", "NOW", "STAFF_LOGIN_URL", "SITE_DIR",
        "PUBLIC_URL", "SAML_IDP_METADATA", "SAML_METADATA_CERT", "SAML_SP_KEY", "SAML_SP_CERT",
        "STAFF_SAML_IDP_METADATA", "STAFF_SAML_SP_KEY", "STAFF_SAML_SP_CERT", "SAML_ACCEPT_COORDINATION_NUMBER",
    }
    return {
        key: value
        for key, value in config.items()
        if not key.startswith(PREFIX) and key not in ours and key not in _OBJECT_KEYS
    }


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The forms app. With no argument every setting comes from FORMS_* environment variables."""
    config = dict(config or {})
    settings = Settings.read(config)
    theme: Theme = config.get("THEME") or Theme()
    app = FormsFlask(
        "forms", static_folder=None, template_folder=str(theme.templates), root_path=str(Path(__file__).parent)
    )
    digits.install(app)  # before the blueprints: `<int:…>` takes ASCII digits only
    # Before anything touches app.jinja_env: strict about undefined names.
    app.jinja_options = {**app.jinja_options, "undefined": StrictUndefined, "trim_blocks": True, "lstrip_blocks": True}
    content = app_content(settings.content_dir, site_dir(config))  # the build's snapshot when current
    forms_url = content.site.forms_url
    prefix = urlsplit(forms_url).path or "/"
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    site_root = config.get("SITE_ROOT") or os.environ.get(PREFIX + "SITE_ROOT")
    if not site_root:
        site_root = "/" if not urlsplit(forms_url).netloc else content.site.base_url

    app.config.update(
        SECRET_KEY=settings.secret_key or os.urandom(32).hex(),
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_PARTS=2000,
        PREFERRED_URL_SCHEME="https",
        JSON_AS_ASCII=False,
    )
    app.config.update(_flask_config(config))
    guard_debug(app, development=settings.test_login)  # FLASK_DEBUG or DEBUG only with the test login

    database_url = settings.database_url
    if database_url is None:
        os.makedirs(app.instance_path, exist_ok=True)
        database_url = f"sqlite:///{Path(app.instance_path) / 'forms.sqlite3'}"
    store = Store(audit.quiet(make_engine(database_url)))  # SQL logs never quote values: they are answers

    identity: IdentityProvider | None = config.get("IDENTITY_PROVIDER")
    records: RecordSystem | None = config.get("RECORD_SYSTEM")
    demo_identity = identity is None  # the demo file's people: then its tidbok seeds the standalone one
    if identity is None or records is None:
        demo = load_demo_data(settings.demo_data)
        identity = identity or DemoIdentityProvider(demo)
        records = records or DemoRecordSystem(demo)

    app.extensions["hittavard_forms"] = Services(
        settings=settings,
        content=content,
        theme=theme,
        store=store,
        identity=identity,
        records=records,
        prefix=prefix,
        site_root=site_root,
        login_url=config.get("LOGIN_URL") or os.environ.get(PREFIX + "LOGIN_URL") or None,
        clock=config.get("CLOCK") or configured_clock(config, settings.test_login),
    )
    audit.init_app(store.engine)
    sessions.init_app(app, store)  # its timeout check runs before the CSRF check
    security.init_app(app)
    samlweb.init_app(app, config, prefix)  # the SAML SPs, when FORMS_SAML_* configure them; the CSP for their IdP
    rendering.init_app(app)
    url_prefix = prefix.rstrip("/")
    # A record system's tidbok (config TIDBOK) or the standalone one, seeded from the demo file.
    install_tidbok(
        app, config.get("TIDBOK"), store.engine, settings.demo_data if demo_identity else None,
        app.extensions["hittavard_forms"].now,
    )
    blueprints = (
        saml_views.bp, auth.bp, contact.bp, booking_book.bp, booking_kallelse.bp, booking_change.bp,
        booking_manage.bp, booking_overview.bp, eservice.bp, inbox.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint, url_prefix=url_prefix)
    init_search(app)  # /sok/, at the site's root
    # Login and send limited, counted where every worker sees the counts (the database by default).
    ratelimit.init_app(
        app, store.engine, settings.ratelimit_storage_url, settings.ratelimit_login, settings.ratelimit_send
    )
    staff.init_app(app, app.extensions["hittavard_forms"], config, url_prefix)
    if settings.trusted_proxies:
        # Behind a TLS-terminating proxy: take scheme, host and client address from the proxy's
        # X-Forwarded-* headers, trusting exactly as many hops as configured (never more).
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app
