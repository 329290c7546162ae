"""Need-to-know: every staff URL tried by every role that may not use it, and by another mottagning's staff: 404."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forms.store.db import AccessLogEntry
from tests.forms.conftest import ADULT, csrf_token
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
    act,
    send_case,
    staff_login,
)

EVERYONE = [RECEIVER, HANDLER, HANDLER2, BOTH, ADMIN, AUDITOR, OTHER_STAFF]
P = f"{BASE}/personal/{CLINIC}"


@pytest.fixture
def setup(staff_app):
    """A case distributed to HANDLER, and a logged-in client per person (with a token of their own)."""
    reference = send_case(staff_app.test_client(), ADULT)
    receiver = staff_app.test_client()
    staff_login(receiver, RECEIVER)
    act(receiver, reference, "fordela", handler=HANDLER)
    clients = {}
    for hsa_id in EVERYONE:
        client = staff_app.test_client()
        staff_login(client, hsa_id)
        token = csrf_token(client.get(f"{BASE}/personal/logga-in/").text)
        clients[hsa_id] = (client, token)
    return reference, clients


def _urls(reference: str) -> list[tuple[str, str, set[str]]]:
    """(method, url, who may) for every staff page of the mottagning."""
    case_users = {RECEIVER, HANDLER, BOTH}
    urls = [
        ("GET", f"{P}/", {RECEIVER, HANDLER, HANDLER2, BOTH, ADMIN, AUDITOR}),
        ("GET", f"{P}/arenden/", {RECEIVER, HANDLER, HANDLER2, BOTH}),
        ("GET", f"{P}/arenden/{reference}/", case_users),
        ("GET", f"{P}/standardsvar/", {ADMIN}),
        ("GET", f"{P}/standardsvar/ny/", {ADMIN}),
        ("GET", f"{P}/standardsvar/1/", {ADMIN}),
        ("POST", f"{P}/standardsvar/ny/", {ADMIN}),
        ("POST", f"{P}/standardsvar/1/", {ADMIN}),
        ("GET", f"{P}/mallar/", {ADMIN}),
        ("GET", f"{P}/mallar/ny/", {ADMIN}),
        ("POST", f"{P}/mallar/ny/", {ADMIN}),
        ("GET", f"{P}/meddelande/", {RECEIVER, HANDLER, HANDLER2, BOTH}),
        ("POST", f"{P}/meddelande/", {RECEIVER, HANDLER, HANDLER2, BOTH}),
        ("GET", f"{P}/roller/", {ADMIN}),
        ("POST", f"{P}/roller/", {ADMIN}),
        ("GET", f"{P}/logg/", {AUDITOR}),
        ("POST", f"{P}/logg/", {AUDITOR}),
        ("POST", f"{P}/logg.csv", {AUDITOR}),
        ("GET", f"{P}/tidbok/", {RECEIVER, HANDLER, HANDLER2, BOTH, ADMIN}),  # not the granskare: the log is hers
        ("GET", f"{P}/tidbok/vecka/", {RECEIVER, HANDLER, HANDLER2, BOTH, ADMIN}),
        ("GET", f"{P}/tidbok/tidstyper/", {ADMIN}),
        ("GET", f"{P}/tidbok/tidstyper/ny/", {ADMIN}),
        ("POST", f"{P}/tidbok/tidstyper/ny/", {ADMIN}),
        ("GET", f"{P}/tidbok/schema/", {ADMIN}),
        ("POST", f"{P}/tidbok/schema/", {ADMIN}),
        ("GET", f"{P}/tidbok/stangda-dagar/", {ADMIN}),
        ("POST", f"{P}/tidbok/stangda-dagar/", {ADMIN}),
    ]
    for action in ("fordela", "delsvar", "svara", "anteckning", "avsluta"):
        urls.append(("POST", f"{P}/arenden/{reference}/{action}/", case_users))
    return urls


def test_every_staff_url_is_404_for_everyone_who_may_not_use_it(setup, staff_app) -> None:
    reference, clients = setup
    checked = 0
    for method, url, allowed in _urls(reference):
        for hsa_id in EVERYONE:
            if hsa_id in allowed:
                continue
            client, token = clients[hsa_id]
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token, "version": "2", "svar": "x", "text": "x", "title": "x"})
            assert response.status_code == 404, (hsa_id, method, url, response.status_code)
            assert reference not in response.text
            checked += 1
    assert checked > 60
    with staff_app.extensions["hittavard_forms"].store.engine.connect() as connection:
        refused = connection.execute(select(AccessLogEntry).where(AccessLogEntry.action == "refused")).all()
    assert len(refused) == checked
    assert {row.hsa_id for row in refused} == set(EVERYONE)


def test_the_allowed_ones_do_get_the_pages(setup) -> None:
    reference, clients = setup
    for method, url, allowed in _urls(reference):
        if method != "GET":
            continue
        for hsa_id in allowed:
            response = clients[hsa_id][0].get(url)
            assert response.status_code in (200, 303), (hsa_id, url, response.status_code)


def test_a_case_is_not_found_through_another_mottagnings_address(setup) -> None:
    reference, clients = setup
    client = clients[BOTH][0]  # handler at the other mottagning
    assert client.get(f"{BASE}/personal/{OTHER}/arenden/{reference}/").status_code == 404
    assert reference not in client.get(f"{BASE}/personal/{OTHER}/arenden/").text


def test_another_mottagnings_receiver_does_not_find_the_case_through_their_own_address(setup, staff_app) -> None:
    """A receiver sees every case of their own mottagning: only the case's mottagning keeps this one from them."""
    reference, clients = setup
    client, token = clients[OTHER_STAFF]
    assert client.get(f"{BASE}/personal/{OTHER}/arenden/{reference}/").status_code == 404
    answer = {"csrf_token": token, "version": "2", "svar": "Hej"}
    assert client.post(f"{BASE}/personal/{OTHER}/arenden/{reference}/svara/", data=answer).status_code == 404
    assert reference not in client.get(f"{BASE}/personal/{OTHER}/arenden/?status=alla").text
    with staff_app.extensions["hittavard_forms"].store.engine.connect() as connection:
        rows = connection.execute(select(AccessLogEntry).where(AccessLogEntry.hsa_id == OTHER_STAFF)).all()
    assert [row.action for row in rows if row.action != "login"] == ["refused", "refused", "list"]
    assert not any(row.case_reference == reference for row in rows)


def test_a_guessed_reference_is_404_like_a_forbidden_one(setup) -> None:
    _reference, clients = setup
    page = clients[RECEIVER][0].get(f"{P}/arenden/HV-2026-ZZZZZZ/")
    assert page.status_code == 404


def test_a_handler_sees_only_the_cases_distributed_to_them_in_the_list(setup) -> None:
    reference, clients = setup
    assert reference in clients[HANDLER][0].get(f"{P}/arenden/").text
    listing = clients[HANDLER2][0].get(f"{P}/arenden/").text
    assert reference not in listing and re.search(r"\b0 öppna ärenden", listing)
