"""The app's clock: the real one, or one standing still at FORMS_NOW (CONTRACT section 4).

FORMS_NOW makes tests and demos repeatable (a case's due time, a late case, a booking tomorrow).
It is honoured only while the test login is on, so a production app can never be told what time
it is by its environment. The notice worker reads the same variable the same way.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Mapping
from typing import Any

from forms.platform.settings import PREFIX, SettingsError

Clock = Callable[[], datetime.datetime]


def system_clock() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def fixed_clock(moment: datetime.datetime) -> Clock:
    def clock() -> datetime.datetime:
        return moment

    return clock


def parse_now(raw: str) -> datetime.datetime:
    """An ISO date-time with its offset, e.g. 2026-11-30T09:00:00+01:00, in UTC."""
    try:
        moment = datetime.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise SettingsError(f"FORMS_NOW ska vara en tidpunkt som 2026-11-30T09:00:00+01:00, inte {raw!r}") from None
    if moment.tzinfo is None:
        raise SettingsError("FORMS_NOW behöver en tidszon, till exempel 2026-11-30T09:00:00+01:00")
    return moment.astimezone(datetime.UTC)


def configured_clock(
    config: Mapping[str, Any], test_login: bool, environ: Mapping[str, str] | None = None
) -> Clock:
    """FORMS_NOW's clock when the test login is on and it is set, else the system clock."""
    environ = os.environ if environ is None else environ
    raw = config.get(PREFIX + "NOW") or config.get("NOW") or environ.get(PREFIX + "NOW")
    if not raw or not test_login:
        return system_clock
    return fixed_clock(raw if isinstance(raw, datetime.datetime) else parse_now(str(raw)))
