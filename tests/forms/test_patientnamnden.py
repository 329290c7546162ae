"""Lämna synpunkter och klagomål to Patientnämnden (CONTRACT section 9): the question before the
e-service's pages, the case stored at the unit site.yaml names, shown there with "Gäller: …", and
never on the mottagning's side (lists, case page, uppföljning)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from forms.staff import followup
from forms.store.db import AccessLogEntry
from tests.forms.conftest import ADULT, NOW, OTHER_ADULT, login, submit
from tests.forms.pn_support import (
    PN_AND_CLINIC,
    PN_STAFF,
    SYNPUNKTER_URL,
    UNIT,
    send_synpunkt,
    stored,
    write_pn_content,
    write_pn_demo,
)
from tests.forms.staff_support import BASE, BOTH, CLINIC, OTHER_STAFF, RECEIVER, case_url, staff_login

QUESTION = "Vem vill du lämna dina synpunkter till?"


@pytest.fixture
def pn_app(make_app: Callable[..., Flask], content_dir: Path, tmp_path: Path, database_url: str) -> Flask:
    """On SQLite and on PostgreSQL: the routing and the unit's "Gäller" are queries of their own."""
    content = write_pn_content(content_dir, tmp_path / "pn-content")
    return make_app(
        FORMS_CONTENT_DIR=str(content),
        FORMS_DEMO_DATA=str(write_pn_demo(tmp_path / "pn-demo.yaml")),
        FORMS_DATABASE_URL=database_url,
    )


def engine_of(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["hittavard_forms"].store.engine


def test_the_question_comes_first_after_the_villkor_and_must_be_answered(pn_app: Flask) -> None:
    client = pn_app.test_client()
    login(client, ADULT)
    approved = submit(client, SYNPUNKTER_URL, {"approve": "yes"})
    assert approved.headers["Location"].endswith("/lamna-synpunkter-och-klagomal/sida/1/")
    page = client.get(f"{SYNPUNKTER_URL}sida/1/").text
    assert QUESTION in page
    assert re.findall(r'name="recipient"[^>]*value="([^"]+)"', page) == ["Mottagningen", "Patientnämnden"]
    empty = submit(client, f"{SYNPUNKTER_URL}sida/1/", {})
    assert empty.status_code == 200 and "<title>Fel: " in empty.text
    assert client.get(f"{SYNPUNKTER_URL}sida/2/").headers["Location"].endswith("/sida/1/")


def test_a_case_to_patientnamnden_arrives_at_the_unit_with_the_mottagning_it_concerns(pn_app: Flask) -> None:
    reference = send_synpunkt(pn_app.test_client(), ADULT, "Patientnämnden")
    assert stored(engine_of(pn_app), reference) == (UNIT, "Patientnämnden (gäller Testmottagningen)")
    staff = pn_app.test_client()
    landed = staff_login(staff, PN_STAFF)
    assert landed.headers["Location"].endswith(f"/personal/{UNIT}/arenden/")  # one unit: straight to its list
    listing = staff.get(f"{BASE}/personal/{UNIT}/arenden/").text
    assert reference in listing and "Gäller: Testmottagningen" in listing
    assert "<span>Patientnämnden</span>" in listing  # the unit's name in the staff header
    page = staff.get(case_url(reference, UNIT))
    assert page.status_code == 200 and "Gäller: Testmottagningen" in page.text
    assert "Jag fick vänta länge." in page.text
    with engine_of(pn_app).connect() as connection:
        reads = connection.execute(
            select(AccessLogEntry.clinic, AccessLogEntry.action).where(AccessLogEntry.case_reference == reference)
        ).all()
    assert (UNIT, "read") in [tuple(r) for r in reads]


def test_the_mottagning_never_sees_a_case_to_patientnamnden(pn_app: Flask) -> None:
    to_unit = send_synpunkt(pn_app.test_client(), ADULT, "Patientnämnden")
    to_clinic = send_synpunkt(pn_app.test_client(), OTHER_ADULT, "Mottagningen")
    assert stored(engine_of(pn_app), to_clinic) == (CLINIC, "Testmottagningen")
    for hsa_id in (RECEIVER, BOTH, PN_AND_CLINIC):
        staff = pn_app.test_client()
        staff_login(staff, hsa_id)
        listing = staff.get(f"{BASE}/personal/{CLINIC}/arenden/?status=alla").text
        assert to_unit not in listing, hsa_id
        assert staff.get(case_url(to_unit, CLINIC)).status_code == 404, hsa_id
    receiver = pn_app.test_client()
    staff_login(receiver, RECEIVER)
    assert to_clinic in receiver.get(f"{BASE}/personal/{CLINIC}/arenden/").text
    # The uppföljning counts the mottagning's own case, not Patientnämnden's.
    figures = followup.figures(engine_of(pn_app), CLINIC, followup.default_period(NOW.date()), NOW)
    assert figures.case_total().arrived == 1
    assert followup.figures(engine_of(pn_app), UNIT, followup.default_period(NOW.date()), NOW).case_total().arrived == 1


def test_the_unit_sees_only_its_own_cases_and_others_are_refused(pn_app: Flask) -> None:
    to_clinic = send_synpunkt(pn_app.test_client(), ADULT, "Mottagningen")
    to_unit = send_synpunkt(pn_app.test_client(), OTHER_ADULT, "Patientnämnden")
    unit_staff = pn_app.test_client()
    staff_login(unit_staff, PN_STAFF)
    assert to_clinic not in unit_staff.get(f"{BASE}/personal/{UNIT}/arenden/?status=alla").text
    assert unit_staff.get(case_url(to_clinic, UNIT)).status_code == 404
    assert unit_staff.get(case_url(to_clinic, CLINIC)).status_code == 404  # no role at the mottagning
    for hsa_id in (RECEIVER, OTHER_STAFF):  # no role at the unit
        staff = pn_app.test_client()
        staff_login(staff, hsa_id)
        assert staff.get(f"{BASE}/personal/{UNIT}/arenden/").status_code == 404, hsa_id
        assert staff.get(case_url(to_unit, UNIT)).status_code == 404, hsa_id


def test_the_choice_of_mottagning_names_the_unit(pn_app: Flask) -> None:
    staff = pn_app.test_client()
    landed = staff_login(staff, PN_AND_CLINIC)
    assert landed.headers["Location"].endswith("/personal/mottagningar/")
    choose = staff.get(f"{BASE}/personal/mottagningar/").text
    assert f'href="{BASE}/personal/{UNIT}/">Patientnämnden</a>' in choose
    assert f'href="{BASE}/personal/{CLINIC}/">Testmottagningen</a>' in choose


def test_the_citizen_sees_where_the_case_went(pn_app: Flask) -> None:
    client = pn_app.test_client()
    reference = send_synpunkt(client, ADULT, "Patientnämnden")
    receipt = client.get(f"{BASE}/inkorg/{reference}/kvitto/").text
    assert "till Patientnämnden (gäller Testmottagningen)" in receipt
    assert "Patientnämnden" in client.get(f"{BASE}/inkorg/").text


def test_the_receipt_says_who_answers(pn_app: Flask) -> None:
    """A complaint to Patientnämnden was told "Mottagningen svarar i inkorgen", the opposite of the
    question's own hint (the mottagning never sees it)."""
    client = pn_app.test_client()
    to_unit = client.get(f"{BASE}/inkorg/{send_synpunkt(client, ADULT, 'Patientnämnden')}/kvitto/").text
    assert "Patientnämnden svarar i inkorgen." in to_unit and "Mottagningen svarar" not in to_unit
    to_clinic = client.get(f"{BASE}/inkorg/{send_synpunkt(client, ADULT, 'Mottagningen')}/kvitto/").text
    assert "Mottagningen svarar i inkorgen." in to_clinic


def test_without_a_unit_in_site_yaml_the_question_is_not_asked(make_app: Callable[..., Flask], content_dir: Path,
                                                                 tmp_path: Path) -> None:
    content = write_pn_content(content_dir, tmp_path / "no-unit")
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(f"patientnamnden: {UNIT}\n", ""), encoding="utf-8")
    client = make_app(FORMS_CONTENT_DIR=str(content)).test_client()
    login(client, ADULT)
    submit(client, SYNPUNKTER_URL, {"approve": "yes"})
    assert QUESTION not in client.get(f"{SYNPUNKTER_URL}sida/1/").text
