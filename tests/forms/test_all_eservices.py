"""Every e-service of the demo content with pages, central or local, runs from villkor to case.

Each page is answered with a valid answer for its question types and sent; every page on the way
is collected and checked once with the Nu Html Checker. A new question or e-service in content/
is covered here without writing a journey for it.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms import create_app
from forms.cases.engine.build import item_bounds, item_fields, options_of
from forms.cases.engine.context import EngineContext
from forms.cases.recipient import with_recipient
from sitegen.content.models import LocalEntry, Question, UseEntry
from sitegen.site.resolve import find_form
from tests.forms.conftest import csrf_token, reference_of, send_form_data

ROOT = Path(__file__).resolve().parents[2]
ADULT = "19850315-1238"
NOW = datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC)


def valid_value(question: Question, context: EngineContext, name: str) -> dict[str, Any]:
    """Form data answering `question` validly, under the form name `name`."""
    kind = question.type
    if kind in {"text", "textarea"}:
        return {name: "Svar"}
    if kind == "date":
        return {name: "2026-01-31"}
    if kind == "number":
        low = question.min if question.min is not None else 1
        return {name: str(int(low) if float(low).is_integer() else low)}
    options = options_of(question, context)
    if kind == "choice":
        return {name: options[0]}
    if kind == "choices":
        count = int(question.min) if question.min is not None else 1
        return {name: options[: max(count, 1)]}
    minimum, _ = item_bounds(question)
    prefix = name + ("-manual" if kind == "prescriptions" else "")
    data: dict[str, Any] = {}
    for index in range(max(minimum, 1)):
        for sub in item_fields(question):
            data.update(valid_value(sub, context, f"{prefix}-{index}-{sub.id}"))
    return data


def eservices(app: Flask) -> list[tuple[str, str]]:
    content = app.extensions["hittavard_forms"].content
    found = []
    for slug, clinic in content.clinics.items():
        for entry in clinic.eservices:
            if isinstance(entry, UseEntry) and content.eservices[entry.use].pages:
                found.append((slug, entry.use))
            elif isinstance(entry, LocalEntry) and entry.pages:
                found.append((slug, entry.local))
    return found


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app(
        {
            "FORMS_CONTENT_DIR": str(ROOT / "content"),
            "FORMS_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('all') / 'cases.sqlite3'}",
            "FORMS_TEST_LOGIN": "1",
            "FORMS_SECRET_KEY": "all-eservices",
            "FORMS_RATELIMIT_SEND": "1000 per minute",  # one person sends every e-service within seconds
            "CLOCK": lambda: NOW,
        }
    )


def run_eservice(client: FlaskClient, app: Flask, slug: str, eservice_id: str, pages: dict[str, str]) -> str:
    base = f"/e-tjanster/{slug}/{eservice_id}/"
    villkor = client.get(base)
    assert villkor.status_code == 200, (base, villkor.status_code)
    pages[base] = villkor.text
    location = client.post(base, data={"csrf_token": csrf_token(villkor.text), "approve": "yes"}).headers["Location"]
    content = app.extensions["hittavard_forms"].content
    resolved = find_form(content, slug, eservice_id)
    assert resolved is not None and resolved.form is not None
    resolved = with_recipient(resolved, content.site)  # the pages the app asks, its own question first
    context = EngineContext(options=resolved.options)
    for _ in range(len(resolved.form.pages) + 1):
        if location.endswith("/kontrollera/"):
            break
        page = client.get(location)
        assert page.status_code == 200, (location, page.status_code)
        pages[location] = page.text
        number = int(location.rstrip("/").rsplit("/", 1)[1])
        data: dict[str, Any] = {"csrf_token": csrf_token(page.text)}
        for question in resolved.form.pages[number - 1].questions:
            data.update(valid_value(question, context, question.id))
        answered = client.post(location, data=data)
        assert answered.status_code == 303, (location, answered.text[:2000])
        location = answered.headers["Location"]
    check = client.get(location)
    assert check.status_code == 200 and "Kontrollera dina svar" in check.text, location
    pages[location] = check.text
    sent = client.post(f"{base}skicka/", data=send_form_data(check.text))
    return reference_of(sent.headers["Location"])


def test_every_eservice_with_pages_runs_from_villkor_to_a_case(demo_app: Flask, documents: dict[str, str]) -> None:
    client = demo_app.test_client()
    login = client.get("/e-tjanster/logga-in/")
    client.post("/e-tjanster/logga-in/", data={"csrf_token": csrf_token(login.text), "personnummer": ADULT})
    pages: dict[str, str] = {}
    found = eservices(demo_app)
    assert len(found) >= 10
    references = set()
    for slug, eservice_id in found:
        reference = run_eservice(client, demo_app, slug, eservice_id, pages)
        case_page = client.get(f"/e-tjanster/inkorg/{reference}/")
        assert case_page.status_code == 200
        pages[f"/e-tjanster/inkorg/{reference}/"] = case_page.text
        references.add(reference)
    assert len(references) == len(found)
    inbox = client.get("/e-tjanster/inkorg/").text
    pages["/e-tjanster/inkorg/"] = inbox
    pages["404"] = client.get("/e-tjanster/finns/inte/alls/").text
    pages["/e-tjanster/ombud/ (no children)"] = client.get("/e-tjanster/ombud/", follow_redirects=True).text
    logged_out = client.post("/e-tjanster/logga-ut/", data={"csrf_token": csrf_token(inbox)}, follow_redirects=True)
    assert "Du är utloggad" in logged_out.text
    pages["/e-tjanster/utloggad/"] = logged_out.text
    documents.update(pages)  # checked with the Nu Html Checker at the end of the run
