"""Staff for the fixture mottagningar, an app with a clock that can move, and helpers to drive both sides."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forms.store.db import AccessLogEntry, Case
from tests.forms.conftest import DEMO, NOW, csrf_token, intyg_to_check, login, reference_of, send_form_data

BASE = "/e-tjanster"
CLINIC = "testmottagningen"
OTHER = "andra-mottagningen"
RECEIVER = "SE0000000000-R001"
HANDLER = "SE0000000000-H001"
HANDLER2 = "SE0000000000-H002"
BOTH = "SE0000000000-B001"  # receiver and handler here, handler at the other mottagning too
ADMIN = "SE0000000000-A001"
AUDITOR = "SE0000000000-G001"
OTHER_STAFF = "SE0000000000-O001"  # every role but granskare (kept apart), at the other mottagning

STAFF = f"""
staff:
  - {{hsa_id: {RECEIVER}, name: Rita Mottagare, title: Undersköterska, roles: {{{CLINIC}: [arendemottagare]}}}}
  - {{hsa_id: {HANDLER}, name: Hugo Hanterare, title: Läkare, roles: {{{CLINIC}: [arendehanterare]}}}}
  - {{hsa_id: {HANDLER2}, name: Hanna Hanterare, title: Sjuksköterska, roles: {{{CLINIC}: [arendehanterare]}}}}
  - {{hsa_id: {BOTH}, name: Berit Båda, title: Distriktssköterska,
     roles: {{{CLINIC}: [arendemottagare, arendehanterare], {OTHER}: [arendehanterare]}}}}
  - {{hsa_id: {ADMIN}, name: Adam Admin, title: Verksamhetschef, roles: {{{CLINIC}: [lokal-administrator]}}}}
  - {{hsa_id: {AUDITOR}, name: Greta Granskare, title: Granskare, roles: {{{CLINIC}: [granskare]}}}}
  - {{hsa_id: {OTHER_STAFF}, name: Otto Annan, title: Läkare,
     roles: {{{OTHER}: [arendemottagare, arendehanterare, lokal-administrator]}}}}
standardsvar:
  - {{clinic: {CLINIC}, title: Intyget skickas, text: "Hej! Ditt intyg skickas med post inom två veckor."}}
  - {{clinic: {OTHER}, title: Annan mottagnings svar, text: "Hej från andra mottagningen."}}
  - {{clinic: {CLINIC}, title: Receptet är förnyat, text: "Hej! Ditt recept är förnyat.", eservices: [fornya-recept]}}
"""


@dataclass
class Clock:
    now: datetime.datetime = NOW

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture(scope="session")
def staff_demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("staffdemo") / "demo.yaml"
    path.write_text(DEMO + STAFF, encoding="utf-8")
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def staff_app(make_app: Callable[..., Flask], staff_demo_file: Path, clock: Clock) -> Flask:
    return make_app(FORMS_DEMO_DATA=str(staff_demo_file), CLOCK=clock)


def staff_login(client: FlaskClient, hsa_id: str) -> Any:
    page = client.get(f"{BASE}/personal/logga-in/")
    assert page.status_code == 200
    return client.post(f"{BASE}/personal/logga-in/", data={"csrf_token": csrf_token(page.text), "hsa_id": hsa_id})


def send_case(client: FlaskClient, personnummer: str) -> str:
    """Log in as the citizen, send an intyg case at testmottagningen, return its reference."""
    login(client, personnummer)
    check = intyg_to_check(client)
    sent = client.post(f"{BASE}/{CLINIC}/begar-intyg/skicka/", data=send_form_data(check))
    return reference_of(sent.headers["Location"])


def case_url(reference: str, clinic: str = CLINIC) -> str:
    return f"{BASE}/personal/{clinic}/arenden/{reference}/"


def version_of(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no action form on the page"
    return match.group(1)


# Each text of the case page's one form has its action's name (the answer's "svar").
TEXT_FIELD = {"svara": "svar", "delsvar": "delsvar", "anteckning": "anteckning"}


def act(client: FlaskClient, reference: str, action: str, clinic: str = CLINIC, **data: Any) -> Any:
    """Open the case page for its token and version, then post the action (`text`: its text, in
    the action's own field)."""
    page = client.get(case_url(reference, clinic))
    assert page.status_code == 200, page.status_code
    if "text" in data:
        data[TEXT_FIELD[action]] = data.pop("text")
    form = {"csrf_token": csrf_token(page.text), "version": version_of(page.text), **data}
    return client.post(f"{case_url(reference, clinic)}{action}/", data=form)


LIST = f"{BASE}/personal/{CLINIC}/arenden/"  # the case list of CLINIC


def engine_of(app: Flask) -> Any:
    return app.extensions["hittavard_forms"].store.engine


def access_log(app: Flask) -> list[Any]:
    """The access log's rows, oldest first."""
    with engine_of(app).connect() as connection:
        return list(connection.execute(select(AccessLogEntry).order_by(AccessLogEntry.id)).all())


def case_row(app: Flask, reference: str) -> Any:
    with engine_of(app).connect() as connection:
        return connection.execute(select(Case).where(Case.reference == reference)).one()
