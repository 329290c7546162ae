"""A small content tree and demo file of our own, and helpers to drive the app as a browser would.

The flow tests must not depend on the demo content's wording, so they run on this fixture: one
mottagning with an intyg form (options_from, a `when` page), a repeat, a prescriptions question
without `fields` (the default hand-typed fields), a form with every other question type, and a
local ärendetyp. The clock is fixed, so ages and the five-year limit never drift.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms import create_app
from forms.identity.personnummer import luhn_ok
from tests.forms.gunicorn_run import hidden_fields
from tests.forms.search_support import demo_site, search_app  # noqa: F401 - fixtures of the search tests
from tests.forms.storage import (  # noqa: F401 - fixtures of the storage tests
    database_url,
    module_database_url,
    postgres_server,
)

TODAY = datetime.date(2026, 6, 1)
NOW = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)


def personnummer(birth: str, serial: str) -> str:
    """A Luhn-valid personnummer for a birth date YYYYMMDD and a three-digit serial."""
    for check in "0123456789":
        if luhn_ok(birth[2:] + serial + check):
            return f"{birth}-{serial}{check}"
    raise AssertionError("no check digit")  # pragma: no cover


ADULT = personnummer("19700101", "123")  # guardian of CHILD and of OLDER_CHILD
CHILD = personnummer("20180202", "238")  # 8 years old
OLDER_CHILD = personnummer("20130101", "456")  # 13 on TODAY: too old to be acted for
TEEN = personnummer("20101224", "789")  # 15 on TODAY
OTHER_ADULT = personnummer("19800505", "321")
OTHER_GUARDIAN = personnummer("19820303", "654")  # guardian of CHILD too

SITE = """\
name: Hitta vård
region: Region Test
base_url: https://hittavard.test.se/
forms_url: /e-tjanster/
"""

INTYG = """\
name: Begär intyg
category: fornya
villkor: |
  Här kan du begära ett intyg.

  - Vissa intyg kostar pengar.
pages:
  - title: Vilket intyg gäller det?
    questions:
      - id: intyg
        type: choice
        label: Vilket intyg vill du ha?
        options_from: intyg_types
      - id: renewal
        type: choice
        label: Är det ett nytt intyg eller en förnyelse?
        options: [Nytt intyg, Förnyelse]
  - title: Ditt nuvarande intyg
    when: {renewal: Förnyelse}
    questions:
      - {id: issued_by, type: text, label: "Vem utfärdade ditt nuvarande intyg?", max_length: 100}
      - {id: valid_until, type: date, label: "Till och med vilket datum gäller det?"}
  - title: Något mer?
    questions:
      - {id: message, type: textarea, label: "Vill du berätta något mer?", optional: true, max_length: 500}
"""

HJALPMEDEL = """\
name: Förnya hjälpmedel
category: fornya
villkor: Förnya dina hjälpmedel.
pages:
  - title: Vilka hjälpmedel vill du förnya?
    questions:
      - id: products
        type: repeat
        label: Hjälpmedel
        min: 1
        max: 3
        fields:
          - {id: product, type: text, label: Produktnamn, max_length: 100}
          - {id: size, type: text, label: Storlek, optional: true, max_length: 20}
          - {id: per_day, type: number, label: "Hur många använder du per dygn?", min: 0, max: 50}
          - {id: packages, type: number, label: "Hur många förpackningar vill du ha?", min: 1, max: 20}
"""

RECEPT = """\
name: Förnya recept
category: fornya
villkor: Förnya dina recept.
pages:
  - title: Vilka läkemedel vill du förnya?
    questions:
      - id: medicines
        type: prescriptions
        label: Välj de läkemedel du vill förnya
        max: 4
"""

ALLT = """\
name: Allt på en gång
category: kontakt
villkor: Ett formulär med alla sorters frågor.
pages:
  - title: Om dig
    questions:
      - {id: name, type: text, label: Ditt namn}
      - {id: story, type: textarea, label: Beskriv dina besvär}
      - {id: when_started, type: date, label: "När började besvären?"}
      - {id: how_much, type: number, label: "Hur ont gör det?", min: 1, max: 10}
      - {id: days, type: choices, label: "Vilka dagar passar dig?", options: [Måndag, Tisdag, Onsdag], min: 1, max: 2}
      - {id: contact, type: choice, label: "Hur vill du bli kontaktad?", options: [Telefon, Inkorg]}
      - {id: phone, type: text, label: Telefonnummer, optional: true}
  - title: Telefon
    when: {contact: [Telefon]}
    questions:
      - {id: call_time, type: choices, label: "När kan vi ringa?", options: [Förmiddag, Eftermiddag], optional: true}
"""

CLINIC = """\
name: Testmottagningen
municipality: Teststad
eservices:
  - use: begar-intyg
    options:
      intyg_types: [Körkortsintyg, Intyg om vapeninnehav]
  - use: fornya-hjalpmedel
  - use: fornya-recept
  - use: allt
  - local: egen-fraga
    name: Egen fråga
    category: kontakt
    villkor: Lokala villkor.
    pages:
      - title: Din fråga
        questions:
          - {id: question, type: textarea, label: "Vad vill du fråga?"}
  - borrow: lanad
    from: andra-mottagningen
"""

OTHER_CLINIC = """\
name: Andra mottagningen
municipality: Teststad
eservices:
  - local: lanad
    name: Lånad tjänst
    category: kontakt
    villkor: Lånade villkor.
    pages:
      - title: Lånad sida
        questions:
          - {id: anything, type: text, label: Något}
"""

DEMO = f"""\
people:
  - {{personnummer: "{ADULT}", name: Vera Vuxen, children: ["{CHILD}", "{OLDER_CHILD}"]}}
  - {{personnummer: "{CHILD}", name: Bo Barn}}
  - {{personnummer: "{OLDER_CHILD}", name: Ulla Trettonår}}
  - {{personnummer: "{TEEN}", name: Tea Tonåring}}
  - {{personnummer: "{OTHER_ADULT}", name: Olle Annan}}
  - {{personnummer: "{OTHER_GUARDIAN}", name: Gun Vårdnadshavare, children: ["{CHILD}"]}}
prescriptions:
  - {{personnummer: "{ADULT}", clinic: testmottagningen, name: Levaxin, strength: 50 mikrogram, form: tablett,
     dosage: 1 dagligen, prescribed: 2024-05-01, discontinued: null}}
  - {{personnummer: "{ADULT}", clinic: testmottagningen, name: Enalapril, strength: 10 mg, form: tablett,
     prescribed: 2021-06-01}}
  - {{personnummer: "{ADULT}", clinic: testmottagningen, name: Omeprazol, strength: 20 mg, form: kapsel,
     prescribed: 2021-05-31}}
  - {{personnummer: "{ADULT}", clinic: testmottagningen, name: Citalopram, strength: 20 mg, form: tablett,
     prescribed: 2025-01-15, discontinued: 2025-06-01}}
  - {{personnummer: "{ADULT}", clinic: andra-mottagningen, name: Salbutamol, strength: "0,1 mg", form: spray,
     prescribed: 2025-09-01}}
  - {{personnummer: "{TEEN}", clinic: testmottagningen, name: Desloratadin, strength: 5 mg, form: tablett,
     prescribed: 2025-04-01}}
  - {{personnummer: "{CHILD}", clinic: testmottagningen, name: Mometason, strength: 50 mikrogram, form: nässpray,
     prescribed: 2025-03-01}}
"""


@pytest.fixture(scope="session")
def content_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("content")
    (root / "eservices").mkdir()
    (root / "clinics").mkdir()
    (root / "site.yaml").write_text(SITE, encoding="utf-8")
    for name, text in {"begar-intyg": INTYG, "fornya-hjalpmedel": HJALPMEDEL, "fornya-recept": RECEPT, "allt": ALLT}.items():
        (root / "eservices" / f"{name}.yaml").write_text(text, encoding="utf-8")
    (root / "clinics" / "testmottagningen.yaml").write_text(CLINIC, encoding="utf-8")
    (root / "clinics" / "andra-mottagningen.yaml").write_text(OTHER_CLINIC, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.yaml"
    path.write_text(DEMO, encoding="utf-8")
    return path


@pytest.fixture
def make_app(content_dir: Path, demo_file: Path, tmp_path: Path) -> Callable[..., Flask]:
    """An app on the fixture content with its own database; keyword arguments override the config."""

    def factory(**overrides: Any) -> Flask:
        config: dict[str, Any] = {
            "FORMS_CONTENT_DIR": str(content_dir),
            "FORMS_DEMO_DATA": str(demo_file),
            "FORMS_DATABASE_URL": f"sqlite:///{tmp_path / 'cases.sqlite3'}",
            "FORMS_TEST_LOGIN": "1",
            "FORMS_SECRET_KEY": "test-secret-key",
            "CLOCK": lambda: NOW,
        }
        config.update(overrides)
        return create_app(config)

    return factory


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# Driving the app like a browser ------------------------------------------------------------------

BASE = "/e-tjanster"
INTYG_URL = f"{BASE}/testmottagningen/begar-intyg/"


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def submit(client: FlaskClient, url: str, data: dict[str, Any] | None = None, follow: bool = False) -> Any:
    """GET the page at `url` for its CSRF token, then POST `data` to it, as a browser does."""
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} gave {page.status_code}"
    return client.post(url, data={"csrf_token": csrf_token(page.text), **(data or {})}, follow_redirects=follow)


def login(client: FlaskClient, number: str, next_url: str | None = None) -> Any:
    url = f"{BASE}/logga-in/" + (f"?next={next_url}" if next_url else "")
    data = {"personnummer": number}
    if next_url:
        data["next"] = next_url
    return submit(client, url, data)


def act_for(client: FlaskClient, number: str | None) -> Any:
    return submit(client, f"{BASE}/ombud/", {"subject": number or "self"})


def approve(client: FlaskClient, url: str = INTYG_URL) -> Any:
    return submit(client, url, {"approve": "yes"})


def answer(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    return submit(client, url, data)


def intyg_to_check(client: FlaskClient, renewal: bool = True) -> str:
    """Approve and answer the intyg form up to the check page; return the check page's HTML."""
    approve(client)
    answer(client, f"{INTYG_URL}sida/1/", {"intyg": "Körkortsintyg", "renewal": "Förnyelse" if renewal else "Nytt intyg"})
    if renewal:
        answer(client, f"{INTYG_URL}sida/2/", {"issued_by": "Dr Berg", "valid_until": "2026-12-31"})
    answer(client, f"{INTYG_URL}sida/3/", {"message": "Till Transportstyrelsen"})
    check = client.get(f"{INTYG_URL}kontrollera/")
    assert check.status_code == 200, check.headers.get("Location")
    return check.text


def send_form_data(html: str) -> dict[str, str]:
    """What "Skicka" posts, as a browser would: every hidden field (the draft, the digest `visad`)."""
    assert re.search(r'name="draft" value="([^"]+)"', html), "no send form on the page"
    return hidden_fields(html)


def reference_of(location: str) -> str:
    match = re.search(r"/inkorg/(HV-\d{4}-[A-Z0-9]{6})/kvitto/", location)
    assert match, location
    return match.group(1)


def counts(app: Flask) -> tuple[int, int]:
    """(drafts, cases) in the app's store."""
    from sqlalchemy import func, select

    from forms.store.db import Case, Draft

    store = app.extensions["hittavard_forms"].store
    with store.engine.connect() as connection:
        drafts = connection.execute(select(func.count()).select_from(Draft)).scalar_one()
        cases = connection.execute(select(func.count()).select_from(Case)).scalar_one()
    return drafts, cases


# The staff side's fixtures (staff for these mottagningar, an app with a movable clock), for every test here.
# The SAML tests' fixtures: the local IdP in-process, and apps configured for it.
from tests.forms.saml_support import saml_app, saml_world, shared_saml_app  # noqa: E402, F401
from tests.forms.staff_support import clock, staff_app, staff_demo_file  # noqa: E402, F401


@pytest.fixture
def timed_app(make_app: Callable[..., Flask], clock: Any) -> Flask:  # noqa: F811 - the clock fixture
    """The app on the module's clock (`clock = pytest.fixture(token_clock)` where the CSRF tokens'
    time must move with it: tests.forms.security_support)."""
    return make_app(CLOCK=clock)
