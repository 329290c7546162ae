"""The tidsbokare and citizens on the web confirming one time at once, against gunicorn workers.

Each round, the tidsbokare's "Boka tiden" and three citizens' "Boka tiden" for the same free time
are released together through a barrier, on SQLite and PostgreSQL: exactly one booking, the
others told "Tiden hann bokas av någon annan" (the staff's page again with what was typed, 409;
the citizens' day again), never a 500, and the database holds one active booking on the time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.staff.session import COOKIE as STAFF_COOKIE
from forms.store.engine import make_engine
from tests.forms.booking_support import TAKEN_TEXT, VC
from tests.forms.gunicorn_run import Browser, gunicorn, hidden_fields, made_up_people, side_by_side
from tests.forms.test_booking_races import active_at, at_once, env_for, to_check, utc_of
from tests.forms.tidbok_staff_support import BOOKER, STAFF
from tests.forms.tidbok_staff_support import VC as CLINIC

WORKERS = 3
WEB = 3
TARGETS = ["2026-12-04T09:20:00+01:00", "2026-12-04T09:40:00+01:00", "2026-12-04T10:00:00+01:00"]
BOOK = f"/e-tjanster/personal/{CLINIC}/tidbok/boka/"


def staff_check(staff: Browser, caller: str, start: str) -> dict[str, str]:
    """The tidsbokare's check page for `caller` at `start`: the confirmation's form."""
    page = staff.get(f"{BOOK}?tid={start.replace('+', '%2B')}&typ=lakarbesok")
    assert page.status == 200, page.status
    check = staff.post(BOOK, {**hidden_fields(page.text), "personnummer": caller, "orsak": "Ringde",
                              "kommentar": "Tog samtalet"})
    assert check.status == 200 and "Kontrollera bokningen" in check.text, check.status
    return hidden_fields(check.text)


def test_the_tidsbokare_and_the_web_confirming_one_time_give_one_booking(database_url: str, tmp_path: Path) -> None:
    make_engine(database_url).dispose()
    people = made_up_people(WEB * len(TARGETS) + len(TARGETS))
    env = env_for(tmp_path, database_url, people)
    demo = Path(env["FORMS_DEMO_DATA"])
    demo.write_text(demo.read_text(encoding="utf-8") + STAFF, encoding="utf-8")
    engine = make_engine(database_url, migrate=False)
    winners = {"staff": 0, "web": 0}
    try:
        with gunicorn(env, workers=WORKERS, log=tmp_path / "gunicorn.log") as server:
            staff = Browser(server.base, cookie_name=STAFF_COOKIE)
            assert staff.submit("/e-tjanster/personal/logga-in/", {"hsa_id": BOOKER}).status == 303
            for number, target in enumerate(TARGETS):
                caller, *citizens = people[number * (WEB + 1):(number + 1) * (WEB + 1)]
                staff_form = staff_check(staff, caller, target)
                browsers = [Browser(server.base) for _ in citizens]
                walks = [lambda b=b, p=p, t=target: to_check(b, p, t) for b, p in zip(browsers, citizens, strict=True)]
                web_forms = side_by_side(walks, WORKERS)  # the walk to the check page; the race is at_once below
                responses = at_once([
                    lambda f=staff_form: staff.post(f"{BOOK}bekrafta/", f),
                    *[lambda b=b, f=f: b.post(f"{VC}boka/kontrollera/", f)
                      for b, f in zip(browsers, web_forms, strict=True)],
                ])
                staff_won = responses[0].status == 303
                web_won = [r for r in responses[1:] if r.status == 303 and "/tidbok/kvitto/" in r.location]
                assert int(staff_won) + len(web_won) == 1, [r.status for r in responses]
                if not staff_won:
                    assert responses[0].status == 409 and TAKEN_TEXT in responses[0].text
                    assert f'value="{caller}"' in responses[0].text and "Tog samtalet</textarea>" in responses[0].text
                told = [r for r in responses[1:] if r.status == 200 and TAKEN_TEXT in r.text]
                assert len(told) == WEB - len(web_won)
                winners["staff" if staff_won else "web"] += 1
                active = active_at(engine, utc_of(target))
                assert active == ([caller] if staff_won else [p for p in citizens if p in active]) and len(active) == 1
    finally:
        engine.dispose()
    assert sum(winners.values()) == len(TARGETS)


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
