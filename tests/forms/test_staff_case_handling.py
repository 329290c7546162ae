"""A case on its way through the mottagning, in the test client: distributed, answered (with
signature and notice), replied to by the citizen, noted, closed, and every refusal on the way
with the typed text kept.

The login, the session, the list and the access log are in test_staff_access.py.
"""

from __future__ import annotations

import datetime
import re

import pytest
from sqlalchemy import func, select

from forms.notices import contacts as contact_store
from forms.notices.contacts import Contacts
from forms.notices.outbox import ANSWER_TEXT
from forms.store.db import Notice
from tests.forms.conftest import ADULT, NOW, csrf_token, login
from tests.forms.staff_support import (
    BASE,
    BOTH,
    HANDLER,
    HANDLER2,
    LIST,
    RECEIVER,
    act,
    case_row,
    case_url,
    engine_of,
    send_case,
    staff_login,
)


@pytest.fixture
def reference(staff_app) -> str:
    return send_case(staff_app.test_client(), ADULT)


def test_a_receiver_distributes_and_the_handler_answers_with_signature_and_notice(staff_app, reference) -> None:
    contact_store.store(engine_of(staff_app), ADULT, Contacts(email="vera@example.se", mobile="+46701234567"), NOW)
    receiver = staff_app.test_client()
    staff_login(receiver, RECEIVER)
    assert act(receiver, reference, "fordela", handler=HANDLER).status_code == 303
    assert case_row(staff_app, reference).status == "Fördelad"
    handler = staff_app.test_client()
    staff_login(handler, HANDLER)
    assert reference in handler.get(LIST).text
    page = act(handler, reference, "standardsvar", standardsvar="1")
    assert "Hej! Ditt intyg skickas med post inom två veckor.</textarea>" in page.text  # started from the standardsvar
    answered = act(handler, reference, "svara", text="Hej! Ditt intyg skickas med post.", asks_reply="1")
    assert answered.status_code == 303
    row = case_row(staff_app, reference)
    assert (row.status, row.handler, row.version) == ("Besvarad", HANDLER, 3)
    with engine_of(staff_app).connect() as connection:
        notices = connection.execute(select(Notice.channel, Notice.text, Notice.personnummer)).all()
    assert sorted(notices) == [("email", ANSWER_TEXT, ADULT), ("sms", ANSWER_TEXT, ADULT)]
    citizen = staff_app.test_client()
    login(citizen, ADULT)
    inbox = citizen.get(f"{BASE}/inkorg/").text
    assert "Besvarad" in inbox
    case_page = citizen.get(f"{BASE}/inkorg/{reference}/").text
    assert "Hej! Ditt intyg skickas med post." in case_page and "Hugo Hanterare, Läkare" in case_page


def test_the_citizen_replies_once_and_the_case_returns_to_its_handler(staff_app, reference) -> None:
    handler = staff_app.test_client()
    staff_login(handler, BOTH)
    act(handler, reference, "svara", text="Hur länge har du haft besvären?", asks_reply="1")
    citizen = staff_app.test_client()
    login(citizen, ADULT)
    page = citizen.get(f"{BASE}/inkorg/{reference}/")
    assert "Svara mottagningen" in page.text
    empty = citizen.post(f"{BASE}/inkorg/{reference}/svara/", data={"csrf_token": csrf_token(page.text), "text": " "})
    assert empty.status_code == 422 and "Fel: " in empty.text
    sent = citizen.post(
        f"{BASE}/inkorg/{reference}/svara/", data={"csrf_token": csrf_token(page.text), "text": "Sedan i måndags."}
    )
    assert sent.status_code == 303
    assert (case_row(staff_app, reference).status, case_row(staff_app, reference).handler) == ("Fördelad", BOTH)
    again = citizen.post(
        f"{BASE}/inkorg/{reference}/svara/", data={"csrf_token": csrf_token(page.text), "text": "Och en sak till."}
    )
    assert again.status_code == 409 and "Och en sak till." in again.text
    assert "Sedan i måndags." in handler.get(case_url(reference)).text


def test_an_internal_note_never_reaches_the_citizen(staff_app, reference) -> None:
    contact_store.store(engine_of(staff_app), ADULT, Contacts(email="vera@example.se"), NOW)
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    act(client, reference, "anteckning", text="Ring patienten om diabetesprovet")
    assert "Ring patienten om diabetesprovet" in client.get(case_url(reference)).text
    citizen = staff_app.test_client()
    login(citizen, ADULT)
    assert "diabetesprovet" not in citizen.get(f"{BASE}/inkorg/{reference}/").text
    with engine_of(staff_app).connect() as connection:
        assert connection.execute(select(func.count()).select_from(Notice)).scalar_one() == 0


def test_a_delsvar_keeps_the_case_open_and_stops_it_being_late(staff_app, reference, clock) -> None:
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    act(client, reference, "delsvar", text="Vi återkommer i morgon.")
    assert case_row(staff_app, reference).status == "Ny"
    clock.now = NOW + datetime.timedelta(days=5)
    assert "Försenad" not in client.get(LIST).text
    citizen = staff_app.test_client()
    login(citizen, ADULT)
    assert "Vi återkommer i morgon." in citizen.get(f"{BASE}/inkorg/{reference}/").text


def test_closing_and_actions_that_do_not_fit_the_status_are_refused_with_a_message(staff_app, reference) -> None:
    client = staff_app.test_client()
    staff_login(client, BOTH)
    page = client.get(case_url(reference))
    token, version = csrf_token(page.text), re.search(r'name="version" value="(\d+)"', page.text).group(1)
    refused = client.post(f"{case_url(reference)}avsluta/", data={"csrf_token": token, "version": version})
    assert refused.status_code == 409 and "Bara ett fördelat eller besvarat ärende kan avslutas." in refused.text
    act(client, reference, "svara", text="Klart.")
    assert act(client, reference, "avsluta").status_code == 303
    assert case_row(staff_app, reference).status == "Avslutad"
    closed = client.get(case_url(reference)).text
    assert "Skicka svar" not in closed and "Fördela" not in closed


def test_an_empty_or_oversized_answer_is_refused_and_kept(staff_app, reference) -> None:
    client = staff_app.test_client()
    staff_login(client, BOTH)
    empty = act(client, reference, "svara", text="   ")
    assert empty.status_code == 422 and "<title>Fel: " in empty.text and "Skriv ett svar." in empty.text
    long = "å" * 5001
    too_long = act(client, reference, "svara", text=long)
    assert too_long.status_code == 422 and long in too_long.text
    assert case_row(staff_app, reference).status == "Ny"


def test_a_handler_of_another_mottagning_cannot_be_chosen(staff_app, reference) -> None:
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    response = act(client, reference, "fordela", handler="SE0000000000-O001")
    assert response.status_code == 422 and "Välj en ärendehanterare." in response.text
    assert case_row(staff_app, reference).status == "Ny"


def test_a_stale_version_gets_changed_by_someone_else_with_the_text_kept(staff_app, reference) -> None:
    first, second = staff_app.test_client(), staff_app.test_client()
    staff_login(first, BOTH)
    staff_login(second, RECEIVER)
    page = first.get(case_url(reference))
    token, version = csrf_token(page.text), re.search(r'name="version" value="(\d+)"', page.text).group(1)
    act(second, reference, "fordela", handler=HANDLER2)
    lost = first.post(
        f"{case_url(reference)}svara/", data={"csrf_token": token, "version": version, "svar": "Mitt svar"}
    )
    assert lost.status_code == 409
    assert "Ärendet har ändrats av någon annan" in lost.text and ">Mitt svar</textarea>" in lost.text
    assert case_row(staff_app, reference).status == "Fördelad"


def test_no_notice_carries_anything_about_the_case(staff_app, reference) -> None:
    from forms.notices.channels import SUBJECT, SmtpChannel
    from forms.notices.settings import NoticeSettings

    contact_store.store(engine_of(staff_app), ADULT, Contacts(email="vera@example.se", mobile="+46701234567"), NOW)
    client = staff_app.test_client()
    staff_login(client, BOTH)
    act(client, reference, "delsvar", text="Vi tittar på ditt körkortsintyg.")
    act(client, reference, "anteckning", text="Diabetes typ 2")
    act(client, reference, "svara", text="Ditt körkortsintyg är klart.")
    with engine_of(staff_app).connect() as connection:
        texts = [row.text for row in connection.execute(select(Notice.text))]
    assert len(texts) == 4 and set(texts) == {ANSWER_TEXT}
    message = SmtpChannel(NoticeSettings(smtp_host="localhost")).message(1, "vera@example.se", texts[0]).as_string()
    for secret in ("Testmottagningen", "Begär intyg", "körkort", "Diabetes", reference, ADULT):
        assert secret not in message and secret not in SUBJECT


def test_an_answer_posted_after_the_timeout_is_shown_back_and_not_stored(staff_app, reference, clock) -> None:
    client = staff_app.test_client()
    staff_login(client, BOTH)
    page = client.get(case_url(reference))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    clock.now = NOW + datetime.timedelta(minutes=45)
    late = client.post(
        f"{case_url(reference)}svara/",
        data={"csrf_token": csrf_token(page.text), "version": version, "svar": "Mitt långa svar"},
    )
    assert late.status_code == 401 and "Mitt långa svar" in late.text and "Det du skrev sparades inte" in late.text
    assert case_row(staff_app, reference).status == "Ny"
