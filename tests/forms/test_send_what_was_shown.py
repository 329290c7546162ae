""""Skicka" sends only what "Kontrollera dina svar" showed (issue 19, the class of item 5).

The draft is one per citizen and e-service, so a second window can change an answer while the
first window shows the check page. The first window's "Skicka" must then send nothing and show
the answers as they now are; sending from that page sends them.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forms.store.db import Case
from tests.forms.conftest import (
    ADULT,
    INTYG_URL,
    answer,
    counts,
    intyg_to_check,
    login,
    reference_of,
    send_form_data,
)


def test_skicka_from_a_page_whose_answers_another_window_changed_sends_nothing_and_shows_them(
    app: Flask, client: FlaskClient
) -> None:
    login(client, ADULT)
    first_window = send_form_data(intyg_to_check(client))
    answer(client, f"{INTYG_URL}sida/3/", {"message": "Till Försäkringskassan"})  # the second window

    before = counts(app)
    again = client.post(f"{INTYG_URL}skicka/", data=first_window)
    assert again.status_code == 200
    assert "Du har ändrat svaren i ett annat fönster" in again.text
    assert "Till Försäkringskassan" in again.text and "Till Transportstyrelsen" not in again.text
    assert counts(app) == before  # nothing sent

    sent = client.post(f"{INTYG_URL}skicka/", data=send_form_data(again.text))
    assert sent.status_code == 303
    with app.extensions["hittavard_forms"].store.engine.connect() as connection:
        answers = connection.execute(
            select(Case.answers).where(Case.reference == reference_of(sent.headers["Location"]))
        ).scalar_one()
    assert answers["message"] == "Till Försäkringskassan"


def test_skicka_without_the_digest_of_what_was_shown_sends_nothing(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    form = send_form_data(intyg_to_check(client))
    before = counts(app)
    refused = client.post(f"{INTYG_URL}skicka/", data={key: form[key] for key in ("csrf_token", "draft")})
    assert refused.status_code == 200 and "Du har ändrat svaren" in refused.text
    assert counts(app) == before
