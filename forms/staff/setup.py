"""Putting the staff side into the app: its blueprint, identity provider, rate limit and demo seed.

Called by the application factory after the rate limiter is installed. Staff views are exempt
from the citizen's CSRF check because they have their own (forms.staff.session), bound to the
staff session instead of the citizen's.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flask import Flask

from forms.booking.common import EXTENSION as TIDBOK
from forms.booking.interface import Tidbok
from forms.identity.demo_data import load_demo_data
from forms.identity.staff import DemoStaffProvider, StaffIdentityProvider
from forms.platform.ratelimit import EXTENSION as LIMITER
from forms.platform.ratelimit import client_key, limit_view
from forms.platform.services import Services
from forms.platform.settings import PREFIX
from forms.platform.workdays import due_text
from forms.staff import (  # noqa: F401 - they add the views
    admin_views,
    auth_views,
    case_list,
    case_views,
    followup_views,
    log_views,
    mall_views,
    outgoing_views,
    saml_views,
    seed,
    seed_history,
    tidbok_booking,
    tidbok_change,
    tidbok_day,
    tidbok_views,
    tidbok_week,
    tidbok_week_times,
)
from forms.staff.web import EXTENSION, StaffServices, bp


def _time_types(app: Flask) -> Callable[[str], list[str]]:
    """The type ids a mottagning's tidbok has, for checking the demo file's mallar: the tidbok the
    app runs (installed before the staff side), standalone or a record system's."""
    tidbok: Tidbok | None = app.extensions.get(TIDBOK)
    return lambda clinic: [t.id for t in tidbok.time_types(clinic)] if tidbok is not None else []


def init_app(app: Flask, svc: Services, config: dict[str, Any], url_prefix: str) -> None:
    provider: StaffIdentityProvider | None = config.get("STAFF_IDENTITY_PROVIDER")
    demo = load_demo_data(svc.settings.demo_data)
    if provider is None:
        provider = DemoStaffProvider(demo)
    login_url = config.get("STAFF_LOGIN_URL") or os.environ.get(PREFIX + "STAFF_LOGIN_URL") or None
    app.extensions[EXTENSION] = StaffServices(provider=provider, login_url=login_url)
    app.register_blueprint(bp, url_prefix=url_prefix)
    app.register_blueprint(saml_views.bp, url_prefix=url_prefix)
    app.jinja_env.filters["due_time"] = due_text
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("staff."):
            view._csrf_exempt = True  # checked by forms.staff.web.before instead
    if LIMITER in app.extensions:
        limit_view(app, "staff.login", svc.settings.ratelimit_login, client_key)
    engine = svc.store.engine
    now = svc.now()
    seed.check_mallar(demo, _time_types(app), str(svc.settings.demo_data))
    seed.seed_staff(engine, demo, now, source=str(svc.settings.demo_data))
    if svc.settings.demo_cases:
        seed.seed_demo_cases(engine, svc.content, demo, now)
        seed_history.seed_history(engine, svc.content, now)
