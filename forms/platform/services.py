"""What the views share: settings, content, store, identity, records and the clock.

Built once by the application factory and kept on the Flask app, so a view asks for
`services()` instead of importing globals, and a test can give an app its own clock or its own
record system.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app

from forms.identity.providers import IdentityProvider
from forms.identity.records import RecordSystem
from forms.platform.settings import Settings
from forms.store.cases import Store
from sitegen.content.loader import Content
from sitegen.site.theme import Theme

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def system_clock() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass
class Services:
    settings: Settings
    content: Content
    theme: Theme
    store: Store
    identity: IdentityProvider
    records: RecordSystem
    prefix: str  # the path the app serves under, e.g. /e-tjanster/
    site_root: str  # where the static site is: "/" or the site's base_url
    login_url: str | None  # a production login in front of the app; None: the test login or none
    clock: Callable[[], datetime.datetime] = system_clock

    def now(self) -> datetime.datetime:
        """Now in UTC (aware)."""
        return self.clock()

    def today(self) -> datetime.date:
        """Today in Sweden: ages and the five-year limit follow the Swedish calendar."""
        return self.now().astimezone(STOCKHOLM).date()


def services() -> Services:
    return current_app.extensions["hittavard_forms"]  # type: ignore[no-any-return]
