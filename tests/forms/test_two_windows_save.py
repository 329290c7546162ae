"""Two windows saving different pages of one draft keep both answers (issue 19).

The draft is one per citizen and e-service, so two windows of one session can each read it and
then save a different page. Each save merges only its own page into the draft as stored by then,
inside one write transaction, so neither answer is lost. Here the two saves are interleaved by
hand (the second request is served the draft as it was before the first one saved); the same with
real gunicorn workers racing on SQLite and PostgreSQL is tests/forms/test_two_windows_save_race.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms import create_app
from forms.booking.book import ESERVICE
from forms.store.cases import Owner
from forms.store.db import Draft
from tests.forms import booking_support as booking
from tests.forms.conftest import ADULT, INTYG_URL, answer, csrf_token, intyg_to_check, login

OWNER = Owner(ADULT, ADULT)
NINE, TEN = "2026-12-04T09:00:00+01:00", "2026-12-04T10:00:00+01:00"


def stored_draft(app: Flask) -> Draft:
    draft = app.extensions["hittavard_forms"].store.open_draft(OWNER, "testmottagningen", "begar-intyg")
    assert draft is not None
    return draft


def post_having_read(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, snapshot: Draft, url: str, data: dict[str, str]
) -> Any:
    """POST `data` to the page at `url` (shown earlier) as a request that read the draft as
    `snapshot`, that is before the other window saved (a request reads the draft, then writes)."""
    store = app.extensions["hittavard_forms"].store
    real = store.open_draft
    served: list[bool] = []

    def once(*args: Any) -> Draft | None:
        if served:
            return real(*args)
        served.append(True)
        return snapshot

    monkeypatch.setattr(store, "open_draft", once)
    response = client.post(url, data=data)
    assert served, "the request did not read the draft"
    return response


def test_two_windows_saving_different_pages_keep_both_answers(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, ADULT)
    intyg_to_check(client)
    before = stored_draft(app)  # what both windows read
    token = csrf_token(client.get(f"{INTYG_URL}sida/2/").text)  # window B shows page 2

    window_a = answer(client, f"{INTYG_URL}sida/3/", {"message": "Från fönster A"})
    window_b = post_having_read(app, client, monkeypatch, before, f"{INTYG_URL}sida/2/",
                                {"csrf_token": token, "issued_by": "Dr Fönster B", "valid_until": "2026-12-31"})

    assert (window_a.status_code, window_b.status_code) == (303, 303)
    raw = stored_draft(app).raw
    assert raw["2"]["message"] == ["Från fönster A"]
    assert raw["1"]["issued_by"] == ["Dr Fönster B"]
    assert raw["0"]["intyg"] == ["Körkortsintyg"]  # the page neither window touched
    check = client.get(f"{INTYG_URL}kontrollera/").text
    assert "Från fönster A" in check and "Dr Fönster B" in check


def test_a_page_made_inapplicable_by_the_other_window_is_dropped_from_the_merged_draft(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Window A answers "Nytt intyg", so page 2 no longer applies; window B, which read the draft
    before that, saves page 2: what applies is judged on the merged answers, not on B's old read."""
    login(client, ADULT)
    intyg_to_check(client)
    before = stored_draft(app)
    token = csrf_token(client.get(f"{INTYG_URL}sida/2/").text)  # window B shows page 2

    answer(client, f"{INTYG_URL}sida/1/", {"intyg": "Körkortsintyg", "renewal": "Nytt intyg"})
    window_b = post_having_read(app, client, monkeypatch, before, f"{INTYG_URL}sida/2/",
                                {"csrf_token": token, "issued_by": "Dr Fönster B", "valid_until": "2026-12-31"})
    assert window_b.status_code == 303

    raw = stored_draft(app).raw
    assert raw["0"]["renewal"] == ["Nytt intyg"]
    assert "1" not in raw
    assert raw["2"]["message"] == ["Till Transportstyrelsen"]


def test_two_windows_of_a_booking_choosing_the_time_and_the_reason_keep_both(tmp_path: Path) -> None:
    """The booking journeys keep their answers in a draft too (forms.booking.common.save_changes)."""
    app = create_app(booking.config(booking.write_booking_content(tmp_path / "content"),
                                    booking.write_demo(tmp_path / "demo.yaml"), f"sqlite:///{tmp_path / 'store.sqlite3'}"))
    client = app.test_client()
    booking.login(client, booking.ADULT)
    booking.book_to_check(client, start=NINE, reason="Ont i halsen")
    store = app.extensions["hittavard_forms"].store
    owner = Owner(booking.ADULT, booking.ADULT)
    before = store.open_draft(owner, "vardcentralen-test", ESERVICE)
    assert before is not None
    time_page = f"{booking.VC}boka/tid/?dag={TEN[:10]}"
    token = csrf_token(client.get(time_page).text)  # window B shows the times

    assert booking.submit(client, f"{booking.VC}boka/orsak/", {"orsak": "Något annat"}).status_code == 303
    with pytest.MonkeyPatch.context() as monkeypatch:
        window_b = post_having_read(app, client, monkeypatch, before, time_page, {"csrf_token": token, "tid": TEN})
    assert window_b.status_code == 303

    after = store.open_draft(owner, "vardcentralen-test", ESERVICE)
    assert after is not None
    assert (after.raw["start"], after.raw["reason"]) == (TEN, "Något annat")
