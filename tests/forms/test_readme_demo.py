"""The README's walk-through on the demo data (issue 20, item 12): the demo starts, the mottagning the
README books at has staff who see its tidbok, and the demo lokal administratör has a tidbok to keep."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from flask import Flask
from sqlalchemy import select

from forms.identity.demo_data import load_demo_data
from forms.store.db import Case, MessageTemplate, StaffRole, StandardAnswer
from tests.forms.staff_support import BASE, case_url, staff_login

DEMO = Path(__file__).resolve().parents[2] / "forms" / "identity" / "demo_data.yaml"
README_CLINIC = "asviks-vardcentral"  # "To book a time: … Åsviks vårdcentral"
CONTENT = Path(__file__).resolve().parents[2] / "content"
MALIN, ANNA = "SE2321000016-P0016", "SE2321000016-P0001"  # the README's Patientnämnden and Storgården
UNIT, STORGARDEN = "patientnamnden", "storgardens-vardcentral"


def test_the_demo_file_seeds_its_staff_standardsvar_and_mallar(make_app: Callable[..., Flask]) -> None:
    """The demo file's mallar were seeded with the standardsvar's e-service column and the app did not start."""
    app = make_app(FORMS_DEMO_DATA=str(DEMO))
    with app.extensions["hittavard_forms"].store.engine.connect() as connection:
        roles = {(r.hsa_id, r.clinic, r.role) for r in connection.execute(select(StaffRole))}
        assert connection.execute(select(MessageTemplate)).first() is not None
        assert connection.execute(select(StandardAnswer)).first() is not None
    assert {"arendemottagare", "arendehanterare"} <= {role for _, clinic, role in roles if clinic == README_CLINIC}


def test_the_readme_clinic_has_staff_and_every_lokal_administrator_a_tidbok_somewhere() -> None:
    demo = load_demo_data(DEMO)
    with_tidbok = {entry["clinic"] for entry in yaml.safe_load(DEMO.read_text(encoding="utf-8"))["tidbok"]}
    assert README_CLINIC in with_tidbok
    assert any({"arendemottagare", "arendehanterare"} & set(p.roles.get(README_CLINIC, [])) for p in demo.staff)
    keeper = next(p for p in demo.staff if p.name == "Karin Holm")  # the README's lokal administratör
    assert any("lokal-administrator" in roles and clinic in with_tidbok for clinic, roles in keeper.roles.items())


def test_the_demo_has_a_complaint_to_patientnamnden_that_malin_sees_and_storgarden_does_not(
    make_app: Callable[..., Flask],
) -> None:
    """The README sends a newcomer to Malin Ekberg for Patientnämnden: the run command's demo cases
    must give her a complaint about Storgården to see, which Storgården's Anna never sees."""
    app = make_app(FORMS_CONTENT_DIR=str(CONTENT), FORMS_DEMO_DATA=str(DEMO), FORMS_DEMO_CASES="1")
    with app.extensions["hittavard_forms"].store.engine.connect() as connection:
        at_unit = connection.execute(select(Case.reference, Case.clinic_name).where(Case.clinic == UNIT)).all()
    about_storgarden = [
        r.reference for r in at_unit if r.clinic_name == "Patientnämnden (gäller Storgårdens vårdcentral)"
    ]
    assert about_storgarden
    reference = about_storgarden[0]
    malin = app.test_client()
    assert staff_login(malin, MALIN).headers["Location"].endswith(f"/personal/{UNIT}/arenden/")
    listing = malin.get(f"{BASE}/personal/{UNIT}/arenden/").text
    assert reference in listing and "Gäller: Storgårdens vårdcentral" in listing
    assert malin.get(case_url(reference, UNIT)).status_code == 200
    anna = app.test_client()
    staff_login(anna, ANNA)
    assert reference not in anna.get(f"{BASE}/personal/{STORGARDEN}/arenden/").text
    assert anna.get(case_url(reference, STORGARDEN)).status_code == 404
    assert anna.get(case_url(reference, UNIT)).status_code == 404
