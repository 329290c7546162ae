"""Content and staff with a Patientnämnden unit, and a citizen sending Lämna synpunkter och klagomål."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.forms.conftest import DEMO, login, reference_of, send_form_data, submit
from tests.forms.staff_support import BASE, CLINIC, STAFF

UNIT = "patientnamnden"
PN_STAFF = "SE0000000000-P001"  # ärendemottagare and ärendehanterare at the unit only
PN_AND_CLINIC = "SE0000000000-P002"  # ärendehanterare at the unit and at the mottagning
SYNPUNKTER_URL = f"{BASE}/{CLINIC}/lamna-synpunkter-och-klagomal/"

SYNPUNKTER = """\
name: Lämna synpunkter och klagomål
category: synpunkter
villkor: Tyck till om vården.
pages:
  - title: Vad hände?
    questions:
      - {id: description, type: textarea, label: Beskriv vad som hände}
  - title: Patientnämnden
    when: {recipient: Patientnämnden}
    questions:
      - {id: records_consent, type: choice, label: Får Patientnämnden läsa din journal?, options: [Ja, Nej]}
"""

PN_STAFF_LINES = f"""\
  - {{hsa_id: {PN_STAFF}, name: Petra Nämnd, title: Handläggare, roles: {{{UNIT}: [arendemottagare, arendehanterare]}}}}
  - {{hsa_id: {PN_AND_CLINIC}, name: Per Båda, title: Läkare, roles: {{{UNIT}: [arendehanterare], {CLINIC}: [arendehanterare]}}}}
"""


def write_pn_content(content_dir: Path, target: Path) -> Path:
    """The forms tests' content, with the e-service at testmottagningen and the unit in site.yaml."""
    shutil.copytree(content_dir, target)
    site = target / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + f"patientnamnden: {UNIT}\n", encoding="utf-8")
    (target / "eservices" / "lamna-synpunkter-och-klagomal.yaml").write_text(SYNPUNKTER, encoding="utf-8")
    clinic = target / "clinics" / f"{CLINIC}.yaml"
    clinic.write_text(
        clinic.read_text(encoding="utf-8").replace("eservices:\n", "eservices:\n  - use: lamna-synpunkter-och-klagomal\n", 1),
        encoding="utf-8",
    )
    return target


def write_pn_demo(path: Path) -> Path:
    path.write_text(DEMO + STAFF.replace("standardsvar:", PN_STAFF_LINES + "standardsvar:", 1), encoding="utf-8")
    return path


def send_synpunkt(client: FlaskClient, personnummer: str, to: str, text: str = "Jag fick vänta länge.") -> str:
    """Log in, answer "Vem vill du lämna dina synpunkter till?" with `to`, send; the reference."""
    login(client, personnummer)
    assert submit(client, SYNPUNKTER_URL, {"approve": "yes"}).status_code == 303
    assert submit(client, f"{SYNPUNKTER_URL}sida/1/", {"recipient": to}).status_code == 303
    assert submit(client, f"{SYNPUNKTER_URL}sida/2/", {"description": text}).status_code == 303
    if to == "Patientnämnden":
        assert submit(client, f"{SYNPUNKTER_URL}sida/3/", {"records_consent": "Nej"}).status_code == 303
    check = client.get(f"{SYNPUNKTER_URL}kontrollera/")
    assert check.status_code == 200, check.headers.get("Location")
    sent = client.post(f"{SYNPUNKTER_URL}skicka/", data=send_form_data(check.text))
    return reference_of(sent.headers["Location"])


def stored(engine: Any, reference: str) -> tuple[str, str]:
    """The case's clinic and clinic name as stored."""
    from sqlalchemy import select

    from forms.store.db import Case

    with engine.connect() as connection:
        row = connection.execute(select(Case.clinic, Case.clinic_name).where(Case.reference == reference)).one()
    return row.clinic, row.clinic_name
