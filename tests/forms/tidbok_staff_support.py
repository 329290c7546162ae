"""An app with both a standalone tidbok (booking_support's content) and staff at its mottagningar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from forms.app import create_app
from tests.forms.booking_support import BASE, config, token, write_booking_content, write_demo

VC = "vardcentralen-test"
SPEC = "specialisten"
P = f"{BASE}/personal/{VC}"
ADMIN = "SE0000000000-T001"  # lokal-administrator at Vårdcentralen Test
RECEIVER = "SE0000000000-T002"  # arendemottagare there: sees the day view, not the admin pages
AUDITOR = "SE0000000000-T003"  # granskare there
SPEC_ADMIN = "SE0000000000-T004"  # lokal-administrator at Specialisten only
BOOKER = "SE0000000000-T005"  # tidsbokare at Vårdcentralen Test
SPEC_BOOKER = "SE0000000000-T006"  # tidsbokare at Specialisten only

STAFF = f"""
staff:
  - {{hsa_id: {ADMIN}, name: Alma Admin, title: Verksamhetschef, roles: {{{VC}: [lokal-administrator]}}}}
  - {{hsa_id: {RECEIVER}, name: Rut Mottagare, title: Undersköterska, roles: {{{VC}: [arendemottagare]}}}}
  - {{hsa_id: {AUDITOR}, name: Gun Granskare, title: Granskare, roles: {{{VC}: [granskare]}}}}
  - {{hsa_id: {SPEC_ADMIN}, name: Sam Specialist, title: Chef, roles: {{{SPEC}: [lokal-administrator]}}}}
  - {{hsa_id: {BOOKER}, name: Tora Tidsbokare, title: Medicinsk sekreterare, roles: {{{VC}: [tidsbokare]}}}}
  - {{hsa_id: {SPEC_BOOKER}, name: Tim Tidsbokare, title: Sekreterare, roles: {{{SPEC}: [tidsbokare]}}}}
"""


def make_tidbok_staff_app(tmp_path: Path) -> Flask:
    root = write_booking_content(tmp_path / "content")
    demo = write_demo(tmp_path / "demo.yaml")
    demo.write_text(demo.read_text(encoding="utf-8") + STAFF, encoding="utf-8")
    return create_app(config(root, demo, f"sqlite:///{tmp_path / 'store.sqlite3'}"))


def staff_client(app: Flask, hsa_id: str) -> FlaskClient:
    client = app.test_client()
    page = client.get(f"{BASE}/personal/logga-in/")
    response = client.post(f"{BASE}/personal/logga-in/", data={"csrf_token": token(page.text), "hsa_id": hsa_id})
    assert response.status_code == 303
    return client


def post_form(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return client.post(url, data={"csrf_token": token(page.text), **data})
