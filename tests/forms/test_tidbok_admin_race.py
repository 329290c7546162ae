"""Two lokal administratörer creating the same time-type id at once (issue 19, found by reading).

Real gunicorn workers, SQLite and PostgreSQL: one creates the type, the other gets the form again
with a Swedish message and what they typed; never a 500, and never the first type overwritten.
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
TAKEN = "Det finns redan en tidstyp med det id:t. Välj ett annat."
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


def test_two_admins_creating_one_time_type_id_at_once_get_one_type_and_one_message(
    database_url: str, tmp_path: Path
) -> None:
    make_engine(database_url).dispose()
    with gunicorn(env_for(tmp_path, database_url), workers=2, log=tmp_path / "gunicorn.log") as server:
        admins = [staff_browser(server.base, ADMIN), staff_browser(server.base, SECOND_ADMIN)]
        responses = []
        for round_number in range(ROUNDS):
            forms = [
                {"csrf_token": csrf_token(admin.get(NEW_TYPE).text), "type_id": f"samtal-{round_number}",
                 "name": f"Samtal av {index}", "minutes": "30", "reason": "optional", "min_age": "", "max_age": "",
                 "cancel_hours": "12", "info": ""}
                for index, admin in enumerate(admins)
            ]
            pair = at_once([lambda a=a, f=f: a.post(NEW_TYPE, f) for a, f in zip(admins, forms, strict=True)])
            responses.append(pair)
            statuses = sorted(r.status for r in pair)
            assert statuses == [303, 422], (round_number, statuses, server.log.read_text(errors="replace")[-2000:])
            loser = next(index for index, r in enumerate(pair) if r.status == 422)
            assert TAKEN in pair[loser].text and "<title>Fel: " in pair[loser].text
            assert f'value="Samtal av {loser}"' in pair[loser].text  # what they typed is kept
            engine = make_engine(database_url, migrate=False)
            try:
                with engine.connect() as connection:
                    names = connection.execute(select(TimeTypeRow.name).where(
                        TimeTypeRow.clinic == VC, TimeTypeRow.type_id == f"samtal-{round_number}")).scalars().all()
            finally:
                engine.dispose()
            assert names == [f"Samtal av {1 - loser}"]  # the winner's type, not overwritten by the loser
