"""A content tree and demo file with web booking, for the booking tests; and helpers to drive it.

The clock stands at Tuesday 1 December 2026 08:00 in Stockholm (07:00 UTC). Vårdcentralen Test has
Läkarbesök (reason required), Provtagning (no reason, cancel_hours 2), Vaccination for adults only
and a BVC time for children up to 6; Specialisten has rebook: false and cancel_hours 72.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.forms.conftest import personnummer
from tests.forms.gunicorn_run import hidden_fields

NOW = datetime.datetime(2026, 12, 1, 7, 0, tzinfo=datetime.UTC)
BASE = "/e-tjanster"
VC = f"{BASE}/vardcentralen-test/tidbok/"
SPEC = f"{BASE}/specialisten/tidbok/"
TAKEN_TEXT = "Tiden hann bokas av någon annan. Välj en annan tid."

ADULT = personnummer("19700101", "123")
CHILD = personnummer("20180202", "238")  # 8: Läkarbesök yes, BVC no, Vaccination no
TODDLER = personnummer("20240303", "111")  # 2: BVC yes
OTHER = personnummer("19800505", "321")

SITE = """\
name: Hitta vård
region: Region Test
base_url: https://hittavard.test.se/
forms_url: /e-tjanster/
"""
ESERVICE = """\
name: Skicka meddelande
category: kontakt
villkor: Skriv till oss.
pages:
  - title: Ditt meddelande
    questions:
      - {id: message, type: textarea, label: Meddelande}
"""
VC_CLINIC = """\
name: Vårdcentralen Test
municipality: Teststad
phone: "010-555 10 00"
eservices:
  - use: skicka-meddelande
  - booking: avboka
    villkor: Villkor för att av- och omboka.
  - booking: boka
    villkor: Villkor för att boka.
"""
SPEC_CLINIC = """\
name: Specialisten
municipality: Teststad
eservices:
  - booking: boka
    name: Boka återbesök
    villkor: Specialistens villkor.
  - booking: avboka
    villkor: Specialistens avbokningsvillkor.
"""
DEMO = f"""\
people:
  - {{personnummer: "{ADULT}", name: Vera Vuxen, children: ["{CHILD}", "{TODDLER}"]}}
  - {{personnummer: "{CHILD}", name: Bo Barn}}
  - {{personnummer: "{TODDLER}", name: Liten Lina}}
  - {{personnummer: "{OTHER}", name: Olle Annan}}
tidbok:
  - clinic: vardcentralen-test
    time_types:
      - {{id: lakarbesok, name: Läkarbesök, minutes: 20, reason: required, cancel_hours: 24, rebook: true,
          info: Kom tio minuter före din tid.}}
      - {{id: provtagning, name: Provtagning, minutes: 10, reason: none, cancel_hours: 2}}
      - {{id: vaccination, name: Vaccination, minutes: 15, min_age: 18}}
      - {{id: bvc, name: BVC-besök, minutes: 30, reason: optional, max_age: 6}}
    schedule:
      - {{time_type: lakarbesok, days: [mån, tis, ons, tor, fre], start: "08:00", end: "11:00",
          from: 2026-11-01, until: 2027-03-31}}
      - {{time_type: provtagning, days: [tis], start: "13:00", end: "14:00", from: 2026-11-01}}
      - {{time_type: vaccination, days: [tor], start: "14:00", end: "15:00", from: 2026-11-01}}
      - {{time_type: bvc, days: [fre], start: "15:00", end: "16:00", from: 2026-11-01}}
    closed: [2026-12-24, 2026-12-25]
    bookings:
      - {{personnummer: "{OTHER}", time_type: lakarbesok, start: 2026-12-02T08:00, reason: Hosta}}
      - {{personnummer: "{ADULT}", time_type: lakarbesok, start: 2026-12-03T08:00, reason: Ont i ryggen}}
      - {{personnummer: "{ADULT}", time_type: provtagning, start: 2026-12-01T13:00}}
  - clinic: specialisten
    time_types:
      - {{id: aterbesok, name: Återbesök, minutes: 30, cancel_hours: 72, rebook: false}}
    schedule:
      - {{time_type: aterbesok, days: [mån, tis, ons, tor, fre], start: "09:00", end: "12:00", from: 2026-11-01}}
    bookings:
      - {{personnummer: "{ADULT}", time_type: aterbesok, start: 2026-12-10T09:00}}
      - {{personnummer: "{ADULT}", time_type: aterbesok, start: 2026-12-02T09:00}}
"""


def write_booking_content(root: Path) -> Path:
    (root / "eservices").mkdir(parents=True)
    (root / "clinics").mkdir()
    (root / "site.yaml").write_text(SITE, encoding="utf-8")
    (root / "eservices" / "skicka-meddelande.yaml").write_text(ESERVICE, encoding="utf-8")
    (root / "clinics" / "vardcentralen-test.yaml").write_text(VC_CLINIC, encoding="utf-8")
    (root / "clinics" / "specialisten.yaml").write_text(SPEC_CLINIC, encoding="utf-8")
    return root


def write_demo(path: Path, extra_people: list[str] | None = None) -> Path:
    text = DEMO
    if extra_people:
        lines = "".join(f'  - {{personnummer: "{p}", name: Testperson {i}}}\n' for i, p in enumerate(extra_people))
        text = text.replace("tidbok:\n", lines + "tidbok:\n", 1)
    path.write_text(text, encoding="utf-8")
    return path


def config(root: Path, demo: Path, database_url: str, now: datetime.datetime = NOW) -> dict[str, Any]:
    return {
        "FORMS_CONTENT_DIR": str(root),
        "FORMS_DEMO_DATA": str(demo),
        "FORMS_DATABASE_URL": database_url,
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "booking-tests",
        "CLOCK": lambda: now,
    }


def token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def submit(client: FlaskClient, url: str, data: dict[str, Any] | None = None) -> Any:
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} gave {page.status_code} {page.headers.get('Location')}"
    return client.post(url, data={"csrf_token": token(page.text), **(data or {})})


def login(client: FlaskClient, number: str) -> None:
    response = submit(client, f"{BASE}/logga-in/", {"personnummer": number})
    assert response.status_code == 303


def times_offered(html: str) -> list[str]:
    return re.findall(r'name="tid" value="([^"]+)"', html)


def draft_key(html: str) -> str:
    match = re.search(r'name="draft" value="([^"]+)"', html)
    assert match, "no draft on the page"
    return match.group(1)


def book_to_check(client: FlaskClient, time_type: str = "lakarbesok", start: str | None = None,
                  base: str = VC, reason: str | None = "Ont i halsen") -> str:
    """Approve, choose type and time (the first offered, or `start`) and reason; the check page's HTML."""
    assert submit(client, f"{base}boka/", {"approve": "yes"}).status_code == 303
    assert submit(client, f"{base}boka/typ/", {"typ": time_type}).status_code == 303
    day = client.get(f"{base}boka/tid/" + (f"?dag={start[:10]}" if start else ""))
    chosen = start or times_offered(day.text)[0]
    response = client.post(f"{base}boka/tid/", data={"csrf_token": token(day.text), "tid": chosen})
    assert response.status_code == 303, response.text[:2000]
    if response.headers["Location"].endswith("/orsak/"):
        assert submit(client, f"{base}boka/orsak/", {"orsak": reason or ""}).status_code == 303
    check = client.get(f"{base}boka/kontrollera/")
    assert check.status_code == 200, check.headers.get("Location")
    return check.text


def confirm(client: FlaskClient, check_html: str, base: str = VC) -> Any:
    return client.post(f"{base}boka/kontrollera/", data=hidden_fields(check_html))


def fieldless_get_forms(html: str) -> list[str]:
    """The actions of GET forms with no named field: pressing one leaves an empty "?" on the
    address (Omboka opened `…/omboka/?`). A link is what such a control is."""
    forms = re.findall(r'<form method="get"[^>]*action="([^"]*)"[^>]*>(.*?)</form>', html, re.S)
    return [action for action, body in forms if not re.search(r'\sname="[^"]+"', body)]
