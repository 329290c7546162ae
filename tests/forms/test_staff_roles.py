"""Who may give which role (issue 19 item 4).

A lokal administratör could give herself any role, granskare included, and so read the access log
of her own actions. Nobody changes their own roles (a second administrator does), and granskare is
never held together with a case role at one mottagning: on the Roller page, in the demo file's
seed, and when two administrators save one person's roles at once.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from forms import create_app
from forms.identity.demo_data import DemoDataInvalid
from forms.identity.staff import StaffPerson
from forms.staff import directory
from forms.staff.directory import RoleChangeRefused
from forms.store.db import AccessLogEntry, StaffMember, StaffRole
from forms.store.engine import make_engine, writing
from tests.forms.conftest import DEMO, NOW, csrf_token
from tests.forms.staff_support import ADMIN, AUDITOR, BASE, CLINIC, HANDLER, RECEIVER, staff_login

ROLES_URL = f"{BASE}/personal/{CLINIC}/roller/"
APART = "En granskare kan inte också vara ärendemottagare eller ärendehanterare på samma mottagning"


def _engine(app: Flask) -> Any:
    return app.extensions["hittavard_forms"].store.engine


def _roles(app: Flask, hsa_id: str) -> set[str]:
    with _engine(app).connect() as connection:
        statement = select(StaffRole.role).where(StaffRole.hsa_id == hsa_id, StaffRole.clinic == CLINIC)
        return {role for (role,) in connection.execute(statement)}


def _log(app: Flask, action: str) -> list[AccessLogEntry]:
    with _engine(app).connect() as connection:
        return list(connection.execute(select(AccessLogEntry).where(AccessLogEntry.action == action)).all())


def _save(client: FlaskClient, hsa_id: str, roles: list[str]) -> Any:
    page = client.get(ROLES_URL)
    assert page.status_code == 200
    return client.post(ROLES_URL, data={"csrf_token": csrf_token(page.text), "hsa_id": hsa_id, "role": roles})


@pytest.mark.parametrize(
    "roles",
    [
        ["lokal-administrator", "granskare"],
        ["lokal-administrator", "arendemottagare"],
        ["granskare"],
        [],
    ],
)
def test_an_administrator_cannot_change_her_own_roles_and_the_attempt_is_logged(
    staff_app: Flask, roles: list[str]
) -> None:
    admin = staff_app.test_client()
    staff_login(admin, ADMIN)
    refused = _save(admin, ADMIN.lower(), roles)
    assert refused.status_code == 422
    assert "Du kan inte ändra dina egna roller. Be en annan lokal administratör att göra det." in refused.text
    assert "<title>Fel: " in refused.text
    assert _roles(staff_app, ADMIN) == {"lokal-administrator"}
    [row] = _log(staff_app, "role_change_refused")
    assert row.hsa_id == ADMIN and row.clinic == CLINIC and "egna roller" in row.detail
    assert _log(staff_app, "role_change") == []


def test_the_roles_page_shows_her_own_roles_without_a_form_to_change_them(staff_app: Flask) -> None:
    admin = staff_app.test_client()
    staff_login(admin, ADMIN)
    page = admin.get(ROLES_URL).text
    assert "Dina egna roller ändras av en annan lokal administratör." in page
    assert f'name="hsa_id" value="{ADMIN}"' not in page and f'name="hsa_id" value="{RECEIVER}"' in page


def test_a_second_administrator_changes_the_first_ones_roles(staff_app: Flask) -> None:
    admin = staff_app.test_client()
    staff_login(admin, ADMIN)
    assert _save(admin, RECEIVER, ["arendemottagare", "lokal-administrator"]).status_code == 303
    second = staff_app.test_client()
    staff_login(second, RECEIVER)
    assert _save(second, ADMIN, ["lokal-administrator", "granskare"]).status_code == 303
    assert _roles(staff_app, ADMIN) == {"lokal-administrator", "granskare"}


@pytest.mark.parametrize(
    ("who", "roles"),
    [
        (HANDLER, ["arendehanterare", "granskare"]),
        (RECEIVER, ["arendemottagare", "granskare"]),
        (AUDITOR, ["granskare", "arendemottagare", "arendehanterare"]),
        (AUDITOR, ["granskare", "arendehanterare", "lokal-administrator"]),
    ],
)
def test_granskare_is_never_held_with_a_case_role_at_one_mottagning(
    staff_app: Flask, who: str, roles: list[str]
) -> None:
    before = _roles(staff_app, who)
    admin = staff_app.test_client()
    staff_login(admin, ADMIN)
    refused = _save(admin, who, roles)
    assert refused.status_code == 422 and APART in refused.text
    assert _roles(staff_app, who) == before
    [row] = _log(staff_app, "role_change_refused")
    assert row.hsa_id == ADMIN and who in row.detail and "granskare" in row.detail


def test_granskare_with_the_administrator_role_is_allowed(staff_app: Flask) -> None:
    admin = staff_app.test_client()
    staff_login(admin, ADMIN)
    assert _save(admin, AUDITOR, ["granskare", "lokal-administrator"]).status_code == 303
    assert _roles(staff_app, AUDITOR) == {"granskare", "lokal-administrator"}


def test_a_demo_entry_combining_granskare_and_a_case_role_is_refused_naming_it(tmp_path: Path, content_dir: Path) -> None:
    demo = tmp_path / "demo.yaml"
    demo.write_text(
        DEMO + "staff:\n  - {hsa_id: SE0000000000-X001, name: Xena Båda, "
        "roles: {testmottagningen: [arendehanterare, granskare]}}\n",
        encoding="utf-8",
    )
    config = {
        "FORMS_CONTENT_DIR": str(content_dir),
        "FORMS_DEMO_DATA": str(demo),
        "FORMS_DATABASE_URL": f"sqlite:///{tmp_path / 'cases.sqlite3'}",
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "test-secret-key",
        "CLOCK": lambda: NOW,
    }
    with pytest.raises(DemoDataInvalid) as refused:
        create_app(config)
    message = str(refused.value)
    assert str(demo) in message and "SE0000000000-X001 (Xena Båda)" in message and "testmottagningen" in message
    assert APART in message


def test_the_shipped_demo_file_keeps_granskare_apart() -> None:
    from forms.identity.demo_data import load_demo_data
    from forms.staff.seed import check_staff

    path = Path(__file__).resolve().parents[2] / "forms" / "identity" / "demo_data.yaml"
    check_staff(load_demo_data(path), str(path))


def test_two_administrators_saving_one_persons_roles_at_once_never_mix_them(database_url: str) -> None:
    """One administrator's transaction gives granskare (and holds the person, as set_roles does);
    meanwhile another saves ärendemottagare. The second must wait and then write exactly its own
    choice: without the lock it read no roles, added its own, and both ended up held."""
    engine = make_engine(database_url)
    person, clinic = "SE0000000000-Z001", "testmottagningen"
    with writing(engine).begin() as connection:
        connection.execute(insert(StaffMember).values(hsa_id=person, name="Zack", title=""))
    first = writing(engine).connect()
    first.begin()
    first.execute(select(StaffMember.hsa_id).where(StaffMember.hsa_id == person).with_for_update())
    first.execute(insert(StaffRole).values(hsa_id=person, clinic=clinic, role="granskare"))
    errors: list[BaseException] = []

    def second() -> None:
        try:
            directory.set_roles(
                engine, clinic=clinic, hsa_id=person, roles={"arendemottagare"},
                by=StaffPerson("SE0000000000-A002", "Andra Admin", ""), by_roles="lokal-administrator", at=NOW,
            )
        except (RoleChangeRefused, Exception) as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert not thread.is_alive() and errors == []
    with engine.connect() as connection:
        held = {r for (r,) in connection.execute(select(StaffRole.role).where(StaffRole.hsa_id == person))}
    assert held == {"arendemottagare"}
    engine.dispose()
