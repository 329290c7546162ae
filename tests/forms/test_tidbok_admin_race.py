"""Two lokal administratörer creating time types of the same name at once (issues 19 and 20).

The id is made from the name (issue 20.10), so both types get one: "samtal-0" and "samtal-0-2".
Real gunicorn workers, SQLite and PostgreSQL: both are stored, each with what its administrator
typed; never a 500, never one type overwritten by the other, never one id for two types.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from forms.staff.session import COOKIE as STAFF_COOKIE
from forms.store.engine import make_engine
from forms.store.tidbok import TimeTypeRow
from tests.forms.booking_support import write_booking_content, write_demo
from tests.forms.gunicorn_run import Browser, csrf_token, gunicorn
from tests.forms.test_booking_races import FORMS_NOW, at_once
from tests.forms.tidbok_staff_support import ADMIN, STAFF, VC

SECOND_ADMIN = "SE0000000000-T009"
ROUNDS = 6
NEW_TYPE = f"/e-tjanster/personal/{VC}/tidbok/tidstyper/ny/"


def env_for(tmp_path: Path, database_url: str) -> dict[str, str]:
    demo = write_demo(tmp_path / "demo.yaml")
    second = f"  - {{hsa_id: {SECOND_ADMIN}, name: Ada Admin, title: Chef, roles: {{{VC}: [lokal-administrator]}}}}\n"
    demo.write_text(demo.read_text(encoding="utf-8") + STAFF + second, encoding="utf-8")
    return {
        "FORMS_CONTENT_DIR": str(write_booking_content(tmp_path / "content")),
        "FORMS_DEMO_DATA": str(demo),
        "FORMS_DATABASE_URL": database_url,
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "race-test-key-shared-by-the-workers",
        "FORMS_NOW": FORMS_NOW,
    }


def staff_browser(base: str, hsa_id: str) -> Browser:
    browser = Browser(base, cookie_name=STAFF_COOKIE)
    assert browser.submit("/e-tjanster/personal/logga-in/", {"hsa_id": hsa_id}).status == 303
    return browser


def test_two_admins_creating_types_of_one_name_at_once_get_two_types_with_two_ids(
    database_url: str, tmp_path: Path
) -> None:
    make_engine(database_url).dispose()
    with gunicorn(env_for(tmp_path, database_url), workers=2, log=tmp_path / "gunicorn.log") as server:
        admins = [staff_browser(server.base, ADMIN), staff_browser(server.base, SECOND_ADMIN)]
        for round_number in range(ROUNDS):
            forms = [
                {"csrf_token": csrf_token(admin.get(NEW_TYPE).text), "name": f"Samtal {round_number}",
                 "minutes": "30", "reason": "optional", "min_age": "", "max_age": "", "cancel_hours": "12",
                 "info": f"Av administratör {index}"}
                for index, admin in enumerate(admins)
            ]
            pair = at_once([lambda a=a, f=f: a.post(NEW_TYPE, f) for a, f in zip(admins, forms, strict=True)])
            statuses = [r.status for r in pair]
            assert statuses == [303, 303], (round_number, statuses, server.log.read_text(errors="replace")[-2000:])
            engine = make_engine(database_url, migrate=False)
            try:
                with engine.connect() as connection:
                    stored = connection.execute(select(TimeTypeRow.type_id, TimeTypeRow.info).where(
                        TimeTypeRow.clinic == VC, TimeTypeRow.name == f"Samtal {round_number}")).all()
            finally:
                engine.dispose()
            assert sorted(type_id for type_id, _info in stored) == [f"samtal-{round_number}",
                                                                    f"samtal-{round_number}-2"]
            assert sorted(info for _type_id, info in stored) == ["Av administratör 0", "Av administratör 1"]
