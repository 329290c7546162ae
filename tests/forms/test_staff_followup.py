"""The uppföljning page and its CSV: only the verksamhetschef of the mottagning, a period asked for
in GET fields (a bad one is a Swedish message, never a 500), and files Swedish Excel opens."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forms.store.db import AccessLogEntry
from tests.forms.conftest import ADULT, DEMO
from tests.forms.staff_support import (
    ADMIN,
    AUDITOR,
    BASE,
    BOTH,
    CLINIC,
    HANDLER,
    HANDLER2,
    OTHER,
    OTHER_STAFF,
    RECEIVER,
    STAFF,
    act,
    send_case,
    staff_login,
)

MANAGER = "SE0000000000-V001"
OTHER_MANAGER = "SE0000000000-V002"  # verksamhetschef, but at the other mottagning
PAGE = f"{BASE}/personal/{CLINIC}/uppfoljning/"
MANAGERS = f"""\
  - {{hsa_id: {MANAGER}, name: Vera Verksamhetschef, title: Verksamhetschef, roles: {{{CLINIC}: [verksamhetschef]}}}}
  - {{hsa_id: {OTHER_MANAGER}, name: Viktor Annan, title: Verksamhetschef, roles: {{{OTHER}: [verksamhetschef]}}}}
"""


@pytest.fixture(scope="module")
def followup_demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("followupdemo") / "demo.yaml"
    path.write_text(DEMO + STAFF.replace("standardsvar:\n", MANAGERS + "standardsvar:\n"), encoding="utf-8")
    return path


@pytest.fixture
def followup_app(make_app: Callable[..., Flask], followup_demo_file: Path) -> Flask:
    return make_app(FORMS_DEMO_DATA=str(followup_demo_file))


def logged_in(app: Flask, hsa_id: str) -> FlaskClient:
    client = app.test_client()
    staff_login(client, hsa_id)
    return client


def test_the_verksamhetschef_lands_on_the_uppfoljning_and_sees_no_case_or_tidbok(followup_app: Flask) -> None:
    client = followup_app.test_client()
    landed = staff_login(client, MANAGER)
    assert landed.status_code == 303 and landed.headers["Location"].endswith("/uppfoljning/")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert 'aria-current="page">Uppföljning</a>' in page.text
    assert ">Ärenden</a>" not in page.text and ">Tidbok</a>" not in page.text
    for path in ("arenden/", "tidbok/", "logg/", "standardsvar/", "roller/"):
        assert client.get(f"{BASE}/personal/{CLINIC}/{path}").status_code == 404, path


@pytest.mark.parametrize("hsa_id", [RECEIVER, HANDLER, HANDLER2, BOTH, ADMIN, AUDITOR, OTHER_STAFF, OTHER_MANAGER])
def test_every_other_role_and_another_mottagnings_verksamhetschef_get_404(followup_app: Flask, hsa_id: str) -> None:
    client = logged_in(followup_app, hsa_id)
    for path in ("", "arenden.csv", "bokningar.csv"):
        page = client.get(PAGE + path)
        assert page.status_code == 404, (hsa_id, path)
        assert "uppf" not in page.text.lower()


def test_a_refusal_is_written_to_the_access_log_and_a_read_of_figures_is_not(followup_app: Flask) -> None:
    """Figures are no patient data: like the lokal administratör's pages the read is not logged;
    a refused attempt is, as everywhere."""
    engine = followup_app.extensions["hittavard_forms"].store.engine
    logged_in(followup_app, MANAGER).get(PAGE)
    logged_in(followup_app, AUDITOR).get(PAGE)
    with engine.connect() as connection:
        rows = connection.execute(select(AccessLogEntry.hsa_id, AccessLogEntry.action, func.count()).where(
            AccessLogEntry.action != "login").group_by(AccessLogEntry.hsa_id, AccessLogEntry.action)).all()
    assert [tuple(row) for row in rows] == [(AUDITOR, "refused", 1)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?fran=2026-02-30", "Från och med: skriv datumet som år-månad-dag, till exempel 2027-01-31."),
        ("?till=igår", "Till och med: skriv datumet som år-månad-dag, till exempel 2027-01-31."),
        ("?fran=2026-06-01&till=2026-05-01", "Från och med-datumet är efter till och med-datumet."),
        ("?fran=2024-01-01&till=2026-06-01", "Perioden är för lång. Välj en period på högst två år (104 veckor)."),
        ("?fran=0001-01-01", "Från och med: välj ett datum mellan år 2000 och 2100."),
        ("?till=9999-12-31", "Till och med: välj ett datum mellan år 2000 och 2100."),
        ("?fran=" + "2" * 500, "Från och med: skriv datumet som år-månad-dag, till exempel 2027-01-31."),
    ],
)
def test_a_bad_period_is_a_swedish_message_and_no_figures(followup_app: Flask, query: str, message: str) -> None:
    client = logged_in(followup_app, MANAGER)
    for path in ("", "arenden.csv"):
        page = client.get(PAGE + path + query)
        assert page.status_code == 422
        assert message in page.text
        assert 'aria-invalid="true"' in page.text and "<svg" not in page.text


def test_the_default_period_is_the_12_weeks_up_to_this_one_and_two_years_are_allowed(followup_app: Flask) -> None:
    client = logged_in(followup_app, MANAGER)
    page = client.get(PAGE)  # the clock: Monday 1 June 2026, week 23
    assert "Visar vecka 12 2026 till vecka 23 2026" in page.text
    assert page.text.count('<th scope="row">v.\u00a0') == 12 * 3  # three tables of the weeks (no e-service yet)
    longest = client.get(PAGE + "?fran=2024-06-10&till=2026-06-01")
    assert longest.status_code == 200 and "Visar vecka 24 2024 till vecka 23 2026" in longest.text
    only_until = client.get(PAGE + "?till=2026-03-04")
    assert "Visar vecka 51 2025 till vecka 10 2026" in only_until.text


def test_the_page_shows_charts_with_title_and_desc_first_and_the_same_figures_in_a_table(followup_app: Flask) -> None:
    send_case(followup_app.test_client(), ADULT)
    reference = send_case(followup_app.test_client(), ADULT)
    act(logged_in(followup_app, BOTH), reference, "svara", text="Hej! Här är svaret.")
    page = logged_in(followup_app, MANAGER).get(PAGE).text
    assert page.count('<svg role="img"') == 4
    for chart in page.split('<svg role="img"')[1:]:
        inside = chart.split("</svg>")[0]
        body = inside.split(">", 1)[1].lstrip()
        assert body.startswith("<title id=") and "</title>\n<desc id=" in body
    assert "Flest ärenden kom vecka 23 (2)" in page
    assert "2 inkomna ärenden" in page
    assert '<th scope="row">Begär intyg</th><td data-label="Inkomna">2</td><td data-label="Besvarade i tid">1</td>' in page
    assert ADULT not in page and "Vera Vuxen" not in page


def test_the_csv_is_semicolon_separated_utf8_with_bom_and_swedish_headers(followup_app: Flask) -> None:
    send_case(followup_app.test_client(), ADULT)
    reference = send_case(followup_app.test_client(), ADULT)
    act(logged_in(followup_app, BOTH), reference, "svara", text="Hej! Här är svaret.")
    client = logged_in(followup_app, MANAGER)

    cases = client.get(PAGE + "arenden.csv")
    assert cases.status_code == 200
    assert cases.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="uppfoljning-arenden-testmottagningen-2026-03-16-2026-06-07.csv"' in cases.headers[
        "Content-Disposition"]
    assert cases.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(cases.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Vecka", "Veckan börjar", "E-tjänst", "Inkomna ärenden", "Besvarade i tid", "Försenade",
                       "Andel besvarade i tid (%)", "Mediantid till svar (timmar)"]
    assert rows[1:] == [["v. 23", "2026-06-01", "Begär intyg", "2", "1", "0", "100", "0"]]
    assert b";" in cases.data.splitlines()[0] and b"," not in cases.data.splitlines()[0]

    bookings = client.get(PAGE + "bokningar.csv?fran=2026-05-25")
    rows = list(csv.reader(io.StringIO(bookings.data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Vecka", "Veckan börjar", "Bokade på webben", "Bokade av mottagningen", "Ombokade", "Avbokade",
         "Mediantid i förväg (dagar)"],
        ["v. 22", "2026-05-25", "0", "0", "0", "0", "–"],
        ["v. 23", "2026-06-01", "0", "0", "0", "0", "–"],
    ]
    assert client.get(PAGE + "annat.csv").status_code == 404


def test_decimals_are_written_with_a_comma_as_swedish_excel_reads_them() -> None:
    from forms.staff.followup_views import decimal, percent

    assert decimal(4.5) == "4,5" and decimal(17.0) == "17" and decimal(None) == "–"
    assert percent(0.875) == "88\u00a0%" and percent(None) == "–"
