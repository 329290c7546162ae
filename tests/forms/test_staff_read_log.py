"""Every response that shows a case to staff writes exactly one read row (issue 19 item 3).

The case page shows the answers, the personnummer and the history. It used to be written to the
access log only by the GET view: an action's error paths (empty text, no handler, text too long, a
refused action, a conflict, a stale token) showed the whole case again unlogged, so a receiver who
posted an empty note to a case she never opened read it without a trace. Each case here posts
straight to the action (no GET first, as such a receiver would) and counts the rows.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forms.staff import session as staff_session
from forms.store.db import AccessLogEntry, Case
from tests.forms.conftest import ADULT, csrf_token
from tests.forms.staff_support import (
    BASE,
    BOTH,
    CLINIC,
    HANDLER,
    HANDLER2,
    RECEIVER,
    TEXT_FIELD,
    act,
    case_url,
    send_case,
    staff_login,
)


def _engine(app: Flask) -> Any:
    return app.extensions["hittavard_forms"].store.engine


def _reads(app: Flask, hsa_id: str) -> list[AccessLogEntry]:
    with _engine(app).connect() as connection:
        statement = select(AccessLogEntry).where(AccessLogEntry.action == "read", AccessLogEntry.hsa_id == hsa_id)
        return list(connection.execute(statement).all())


def _set_status(app: Flask, reference: str, status: str, handler: str | None) -> None:
    with _engine(app).begin() as connection:
        connection.execute(update(Case).where(Case.reference == reference).values(status=status, handler=handler))


def _token(client: FlaskClient) -> str:
    """A valid staff token from a page that shows no case (the login page redirects when logged in)."""
    return csrf_token(client.get(f"{BASE}/personal/{CLINIC}/tidbok/").text)


TOO_LONG = "å" * 5001
TEXTS = {"svar": "Hej", "delsvar": "Hej", "anteckning": "Hej"}  # the case page's form posts all three
# (action, error kind, who posts, the case's status first, what is posted, the status code)
ERRORS = [
    ("fordela", "no handler", RECEIVER, None, {"handler": ""}, 422),
    ("fordela", "handler elsewhere", RECEIVER, None, {"handler": "SE0000000000-O001"}, 422),
    *((a, "empty", BOTH, None, {TEXT_FIELD[a]: "  \r\n "}, 422) for a in ("delsvar", "svara", "anteckning")),
    *((a, "too long", BOTH, None, {TEXT_FIELD[a]: TOO_LONG}, 422) for a in ("delsvar", "svara", "anteckning")),
    ("avsluta", "refused", BOTH, None, {}, 409),
    ("fordela", "refused", RECEIVER, "Avslutad", {"handler": HANDLER}, 409),
    ("delsvar", "refused", RECEIVER, "Avslutad", {"delsvar": "Hej"}, 409),
    ("svara", "refused", BOTH, "Avslutad", {"svar": "Hej"}, 409),
    ("svara", "not allowed", RECEIVER, None, {"svar": "Hej"}, 409),
    *((a, "conflict", BOTH, None, {**TEXTS, "handler": HANDLER, "version": "0"}, 409)
      for a in ("fordela", "delsvar", "svara", "anteckning", "avsluta")),
    *((a, "stale token", BOTH, None, {**TEXTS, "handler": HANDLER}, 400)
      for a in ("fordela", "delsvar", "svara", "anteckning", "avsluta")),
]


@pytest.mark.parametrize(
    ("action", "kind", "who", "status", "posted", "code"), ERRORS, ids=[f"{e[0]}-{e[1]}" for e in ERRORS]
)
def test_every_error_path_of_an_action_that_shows_the_case_writes_exactly_one_read_row(
    staff_app: Flask, monkeypatch: pytest.MonkeyPatch, action: str, kind: str, who: str, status: str | None,
    posted: dict[str, str], code: int,
) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    if status:
        _set_status(staff_app, reference, status, BOTH)
    client = staff_app.test_client()
    staff_login(client, who)
    form = {"csrf_token": _token(client), "version": "1", **posted}
    if kind == "stale token":
        monkeypatch.setattr(staff_session, "csrf_state", lambda _token: "expired")
    assert _reads(staff_app, who) == []  # she never opened it
    response = client.post(f"{case_url(reference)}{action}/", data=form)
    assert response.status_code == code, response.status_code
    assert ADULT in response.text and reference in response.text  # the whole case is shown again
    rows = _reads(staff_app, who)
    assert len(rows) == 1, [(r.action, r.detail) for r in rows]
    assert (rows[0].personnummer, rows[0].case_reference, rows[0].clinic) == (ADULT, reference, CLINIC)
    assert action in rows[0].detail


def test_opening_the_case_page_writes_exactly_one_read_row_per_page(staff_app: Flask) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    for shown in (1, 2):
        assert ADULT in client.get(case_url(reference)).text
        assert len(_reads(staff_app, RECEIVER)) == shown


def test_a_done_action_is_logged_as_itself_and_its_page_after_as_one_read(staff_app: Flask) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    client = staff_app.test_client()
    staff_login(client, BOTH)
    done = act(client, reference, "anteckning", text="Notering")  # one GET, then the post
    assert done.status_code == 303 and len(_reads(staff_app, BOTH)) == 1
    client.get(done.headers["Location"])
    assert len(_reads(staff_app, BOTH)) == 2


def test_a_case_lost_to_someone_else_shows_only_the_text_and_writes_no_read_row(staff_app: Flask) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    receiver, handler = staff_app.test_client(), staff_app.test_client()
    staff_login(receiver, RECEIVER)
    act(receiver, reference, "fordela", handler=HANDLER)
    staff_login(handler, HANDLER)
    page = handler.get(case_url(reference)).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    act(receiver, reference, "fordela", handler=HANDLER2)  # no longer Hugo's
    before = len(_reads(staff_app, HANDLER))
    lost = handler.post(
        f"{case_url(reference)}svara/", data={"csrf_token": csrf_token(page), "version": version, "svar": "  "}
    )
    assert lost.status_code == 409 and ADULT not in lost.text and reference not in lost.text
    assert len(_reads(staff_app, HANDLER)) == before
