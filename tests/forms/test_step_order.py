"""Order of steps (issue 6 item 3): nothing later is reachable by POST before what comes before it.

Every fixture e-service is walked step by step. At each point every later page, the check page and
send are posted with valid answers; each must send the citizen to the first missing step and store
nothing. Fields the app never asks for (`status=`, `personnummer=`, `case_id=` ...) change nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forms.cases.engine.context import EngineContext
from forms.store.db import Case, Draft
from sitegen.site.resolve import find_form
from tests.forms.conftest import ADULT, BASE, CHILD, OTHER_ADULT, counts, csrf_token, login, send_form_data
from tests.forms.test_all_eservices import valid_value

CLINIC = "testmottagningen"
EXTRAS = {
    "status": "sent",
    "personnummer": ADULT,
    "case_id": "1",
    "id": "1",
    "actor": ADULT,
    "subject": CHILD,
    "owner": ADULT,
    "reference": "HV-2026-AAAAAA",
    "villkor_sha256": "0" * 64,
    "villkor_approved_at": "2000-01-01T00:00:00",
    "sent_at": "2000-01-01T00:00:00",
    "clinic": "andra-mottagningen",
    "eservice": "lanad",
    "key": "planted",
    "draft_id": "1",
    "idempotency_key": "planted",
    "answers": '{"x": 1}',
}
# Answers that open every conditional page, so the walk passes through all of them.
OPENING = {("begar-intyg", "renewal"): "Förnyelse", ("allt", "contact"): "Telefon"}


def eservice_ids(app: Flask) -> list[str]:
    content = app.extensions["hittavard_forms"].content
    found = []
    for entry in content.clinics[CLINIC].eservices:
        eservice_id = getattr(entry, "use", None) or getattr(entry, "local", None)
        if eservice_id and find_form(content, CLINIC, eservice_id) is not None:
            found.append(eservice_id)
    return found


def page_answers(app: Flask, eservice_id: str, number: int) -> dict[str, Any]:
    resolved = find_form(app.extensions["hittavard_forms"].content, CLINIC, eservice_id)
    assert resolved is not None and resolved.form is not None
    context = EngineContext(options=resolved.options)
    data: dict[str, Any] = {}
    for question in resolved.form.pages[number - 1].questions:
        data.update(valid_value(question, context, question.id))
        if (eservice_id, question.id) in OPENING:
            data[question.id] = OPENING[(eservice_id, question.id)]
    return data


def page_count(app: Flask, eservice_id: str) -> int:
    resolved = find_form(app.extensions["hittavard_forms"].content, CLINIC, eservice_id)
    assert resolved is not None and resolved.form is not None
    return len(resolved.form.pages)


def stored(app: Flask) -> list[tuple[Any, ...]]:
    """Everything the store holds about drafts and cases, to compare before and after a request."""
    store = app.extensions["hittavard_forms"].store
    with store._begin() as db:
        drafts = [(d.id, d.status, json.dumps(d.raw, sort_keys=True), d.villkor_sha256) for d in db.scalars(select(Draft))]
        cases = [(c.id, c.reference) for c in db.scalars(select(Case))]
    return [*drafts, *cases]


def probe_everything_later(
    app: Flask, client: FlaskClient, base: str, eservice_id: str, current: int | None, expected: str
) -> None:
    """POST valid answers to every step after `current` (None: before the villkor); all go to `expected`."""
    token = csrf_token(client.get(f"{BASE}/inkorg/").text)
    later = range((current or 0) + 1, page_count(app, eservice_id) + 1)
    before = stored(app)
    targets = [(f"{base}sida/{n}/", page_answers(app, eservice_id, n)) for n in later]
    targets += [(f"{base}kontrollera/", {}), (f"{base}skicka/", {"draft": "whatever"})]
    for url, data in targets:
        response = client.post(url, data={**data, **EXTRAS, "csrf_token": token})
        assert response.status_code == 303, (url, response.status_code)
        assert response.headers["Location"] == expected, (url, response.headers["Location"], expected)
        assert stored(app) == before, url


@pytest.mark.parametrize("eservice_id", ["begar-intyg", "fornya-hjalpmedel", "fornya-recept", "allt", "egen-fraga"])
def test_every_later_step_posted_too_early_goes_to_the_first_missing_one(app: Flask, eservice_id: str) -> None:
    assert eservice_id in eservice_ids(app)
    client = app.test_client()
    login(client, OTHER_ADULT)
    base = f"{BASE}/{CLINIC}/{eservice_id}/"
    probe_everything_later(app, client, base, eservice_id, None, base)
    assert counts(app) == (0, 0)

    villkor = client.get(base).text
    location = client.post(base, data={"csrf_token": csrf_token(villkor), "approve": "yes"}).headers["Location"]
    pages_seen = 0
    while not location.endswith("/kontrollera/"):
        number = int(location.rstrip("/").rsplit("/", 1)[1])
        probe_everything_later(app, client, base, eservice_id, number, location)
        page = client.get(location).text
        answered = client.post(location, data={**page_answers(app, eservice_id, number), "csrf_token": csrf_token(page)})
        assert answered.status_code == 303, answered.text[:500]
        location = answered.headers["Location"]
        pages_seen += 1
    assert pages_seen == page_count(app, eservice_id)  # the opening answers reached every page
    check = client.get(location)
    assert check.status_code == 200
    sent = client.post(f"{base}skicka/", data=send_form_data(check.text))
    assert "/kvitto/" in sent.headers["Location"]


def test_extra_fields_on_every_step_change_nothing(app: Flask) -> None:
    client = app.test_client()
    login(client, OTHER_ADULT)
    base = f"{BASE}/{CLINIC}/allt/"
    villkor = client.get(base).text
    client.post(base, data={"csrf_token": csrf_token(villkor), "approve": "yes", **EXTRAS})
    for number in (1, 2):
        url = f"{base}sida/{number}/"
        page = client.get(url).text
        answered = client.post(url, data={**page_answers(app, "allt", number), **EXTRAS, "csrf_token": csrf_token(page)})
        assert answered.status_code == 303
    check = client.get(f"{base}kontrollera/").text
    sent = client.post(f"{base}skicka/", data={**EXTRAS, **send_form_data(check)})
    assert "/kvitto/" in sent.headers["Location"]
    assert "HV-2026-AAAAAA" not in sent.headers["Location"]

    store = app.extensions["hittavard_forms"].store
    with store._begin() as db:
        case = db.scalars(select(Case)).one()
        draft = db.scalars(select(Draft)).one()
    assert (case.actor, case.subject, case.clinic, case.eservice) == (OTHER_ADULT, OTHER_ADULT, CLINIC, "allt")
    assert case.reference != "HV-2026-AAAAAA" and case.idempotency_key == draft.key != "planted"
    assert case.villkor_sha256 != "0" * 64 and case.villkor_approved_at.year == 2026
    assert case.sent_at.year == 2026
    assert set(case.answers) == {"name", "story", "when_started", "how_much", "days", "contact", "phone", "call_time"}
    everything = json.dumps([case.answers, case.summary, draft.raw], ensure_ascii=False)
    for value in ("planted", "HV-2026-AAAAAA", "andra-mottagningen", "lanad", ADULT, CHILD, "2000-01-01"):
        assert value not in everything, value


def test_someone_elses_draft_key_posted_to_send_sends_nothing_of_theirs(app: Flask) -> None:
    victim = app.test_client()
    login(victim, ADULT)
    base = f"{BASE}/{CLINIC}/egen-fraga/"
    victim.post(base, data={"csrf_token": csrf_token(victim.get(base).text), "approve": "yes"})
    page = victim.get(f"{base}sida/1/").text
    victim.post(f"{base}sida/1/", data={"csrf_token": csrf_token(page), "question": "Min fråga"})
    victim_key = send_form_data(victim.get(f"{base}kontrollera/").text)["draft"]

    attacker = app.test_client()
    login(attacker, OTHER_ADULT)
    token = csrf_token(attacker.get(f"{BASE}/inkorg/").text)
    response = attacker.post(f"{base}skicka/", data={"csrf_token": token, "draft": victim_key})
    assert response.status_code == 303 and response.headers["Location"] == base
    assert counts(app) == (1, 0)
