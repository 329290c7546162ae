""" "Mina uppgifter": the citizen's e-mail and mobile number for notices, validated and optional."""

from __future__ import annotations

from forms.notices import contacts as contact_store
from forms.notices.contacts import Contacts
from tests.forms.conftest import ADULT, NOW, csrf_token, login

URL = "/e-tjanster/mina-uppgifter/"


def _engine(app):
    return app.extensions["hittavard_forms"].store.engine


def test_contact_details_need_a_login(client) -> None:
    assert "/logga-in/" in client.get(URL).headers["Location"]


def test_valid_details_are_saved_normalised_and_shown_again(app, client) -> None:
    login(client, ADULT)
    page = client.get(URL)
    assert "Mina uppgifter" in page.text and "(frivilligt)" in page.text
    saved = client.post(
        URL, data={"csrf_token": csrf_token(page.text), "email": "vera@example.se", "mobile": "070-123 45 67"}
    )
    assert saved.status_code == 303
    assert contact_store.load(_engine(app), ADULT) == Contacts(email="vera@example.se", mobile="+46701234567")
    again = client.get(saved.headers["Location"]).text
    assert "Dina uppgifter är sparade." in again
    assert "Vi skickar aviseringar till e-postadressen vera@example.se och mobilnumret 070-123 45 67." in again
    # Saved is said as done: "Ändra" as a secondary action, not the form's "Spara" still waiting.
    assert 'class="button button-secondary"' in again and ">Spara</button>" not in again
    assert 'value="070-123 45 67"' in client.get(URL).text  # "Ändra" opens the form with what was saved


def test_invalid_details_are_refused_kept_and_nothing_is_saved(app, client) -> None:
    login(client, ADULT)
    page = client.get(URL)
    refused = client.post(URL, data={"csrf_token": csrf_token(page.text), "email": "vera@", "mobile": "12345"})
    assert refused.status_code == 422
    assert "<title>Fel: " in refused.text and 'href="#email"' in refused.text and 'href="#mobile"' in refused.text
    assert 'value="vera@"' in refused.text and 'value="12345"' in refused.text
    assert contact_store.load(_engine(app), ADULT) is None


def test_emptying_both_fields_stops_notices(app, client) -> None:
    login(client, ADULT)
    contact_store.store(_engine(app), ADULT, Contacts(email="vera@example.se"), NOW)
    page = client.get(URL)
    client.post(URL, data={"csrf_token": csrf_token(page.text), "email": "", "mobile": ""})
    assert contact_store.load(_engine(app), ADULT) is None
