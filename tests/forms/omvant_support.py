"""An app with a standalone tidbok (booking_support's content), case staff at its mottagningar and
their mallar, and helpers to send a message to a citizen as staff (omvänt ärendeflöde)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forms.app import create_app
from forms.store.db import AccessLogEntry, Case, MessageTemplate
from tests.forms.booking_support import (
    ADULT,
    BASE,
    config,
    submit,
    times_offered,
    token,
    write_booking_content,
    write_demo,
)
from tests.forms.conftest import personnummer

VC = "vardcentralen-test"
SPEC = "specialisten"
P = f"{BASE}/personal/{VC}"
NEW = f"{P}/meddelande/"
SENDER = "SE0000000000-M001"  # arendemottagare and arendehanterare at Vårdcentralen Test
HANDLER = "SE0000000000-M002"  # arendehanterare there only
ADMIN = "SE0000000000-M003"  # lokal-administrator there
AUDITOR = "SE0000000000-M004"  # granskare there
ELSEWHERE = "SE0000000000-M005"  # every case role, at Specialisten only
UNKNOWN_PERSON = personnummer("19500505", "500")  # valid, and not in the demo file

STAFF = f"""
staff:
  - {{hsa_id: {SENDER}, name: Siv Sändare, title: Sjuksköterska, roles: {{{VC}: [arendemottagare, arendehanterare]}}}}
  - {{hsa_id: {HANDLER}, name: Hans Hanterare, title: Läkare, roles: {{{VC}: [arendehanterare]}}}}
  - {{hsa_id: {ADMIN}, name: Alma Admin, title: Chef, roles: {{{VC}: [lokal-administrator]}}}}
  - {{hsa_id: {AUDITOR}, name: Gun Granskare, title: Granskare, roles: {{{VC}: [granskare]}}}}
  - {{hsa_id: {ELSEWHERE}, name: Eva Annanstans, title: Läkare,
     roles: {{{SPEC}: [arendemottagare, arendehanterare, lokal-administrator]}}}}
mallar:
  - {{clinic: {VC}, title: Dags för kontroll, text: "Hej! Det är dags för din kontroll."}}
  - {{clinic: {SPEC}, title: Specialistens mall, text: "Hej från Specialisten."}}
"""



def make_omvant_app(tmp_path: Path, database_url: str | None = None, **overrides: Any) -> Flask:
    root = write_booking_content(tmp_path / "content")
    demo = write_demo(tmp_path / "demo.yaml")
    demo.write_text(demo.read_text(encoding="utf-8") + STAFF, encoding="utf-8")
    url = database_url or f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return create_app(config(root, demo, url) | overrides)


def staff_client(app: Flask, hsa_id: str) -> FlaskClient:
    client = app.test_client()
    page = client.get(f"{BASE}/personal/logga-in/")
    response = client.post(f"{BASE}/personal/logga-in/", data={"csrf_token": token(page.text), "hsa_id": hsa_id})
    assert response.status_code == 303
    return client


def form_of(html: str) -> dict[str, str]:
    """The message form's hidden fields (CSRF token and the form's key)."""
    key = re.search(r'name="key" value="([^"]*)"', html)
    assert key, "no message form on the page"
    return {"csrf_token": token(html), "key": key.group(1)}


def send_message(client: FlaskClient, clinic: str = VC, **fields: str) -> Any:
    """Open "Nytt meddelande till invånare" and send it with these fields."""
    page = client.get(f"{BASE}/personal/{clinic}/meddelande/")
    assert page.status_code == 200, page.status_code
    data = {"personnummer": ADULT, "amne": "Provsvar", "text": "Hej! Dina prover ser bra ut.", "do": "skicka"}
    return client.post(f"{BASE}/personal/{clinic}/meddelande/", data=form_of(page.text) | data | fields)


def reference_from(response: Any) -> str:
    match = re.search(r"/arenden/([^/]+)/", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def engine_of(app: Flask) -> Any:
    return app.extensions["hittavard_forms"].store.engine


def case_row(app: Flask, reference: str) -> Any:
    with engine_of(app).connect() as connection:
        return connection.execute(select(Case).where(Case.reference == reference)).one()


def log_rows(app: Flask, action: str | None = None) -> list[Any]:
    statement = select(AccessLogEntry).order_by(AccessLogEntry.id)
    if action:
        statement = statement.where(AccessLogEntry.action == action)
    with engine_of(app).connect() as connection:
        return list(connection.execute(statement))


def mall_id(app: Flask, clinic: str) -> int:
    with engine_of(app).connect() as connection:
        return int(connection.execute(select(MessageTemplate.id).where(MessageTemplate.clinic == clinic)).scalar_one())


BOKA = f"{BASE}/{VC}/tidbok/boka/"


def kallelse_link_in(client: FlaskClient, reference: str) -> str:
    """The one kallelse link on the citizen's case page."""
    page = client.get(f"{BASE}/inkorg/{reference}/")
    found = re.findall(r'href="([^"]*/tidbok/kallelse/[^"]+)"', page.text)
    assert len(found) == 1, page.text
    return found[0]


def book_through(client: FlaskClient, link: str) -> str:
    """Follow the link through Boka tid to the check page; its HTML."""
    opened = client.get(link)
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/tidbok/boka/")
    approved = submit(client, BOKA, {"approve": "yes"})
    assert approved.headers["Location"].endswith("/boka/tid/")  # the type is the invited one: no choice
    day = client.get(f"{BOKA}tid/")
    assert "Vaccination" in day.text
    chosen = times_offered(day.text)[0]
    assert client.post(f"{BOKA}tid/", data={"csrf_token": token(day.text), "tid": chosen}).status_code == 303
    check = client.get(f"{BOKA}kontrollera/")
    assert check.status_code == 200 and "Vaccination" in check.text
    return check.text
