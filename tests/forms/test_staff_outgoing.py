"""Omvänt ärendeflöde: staff send a message to a citizen; the citizen reads it and replies (section 9)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from forms.notices import contacts as contact_store
from forms.notices.contacts import Contacts
from forms.notices.outbox import ANSWER_TEXT
from forms.staff import casework
from forms.staff.outgoing_views import UNKNOWN
from forms.store.cases import CaseContent, Owner
from forms.store.db import Case, CaseEvent, MessageTemplate, Notice
from tests.forms.booking_support import NOW, OTHER, login, token
from tests.forms.omvant_support import (
    ADMIN,
    ADULT,
    AUDITOR,
    BASE,
    ELSEWHERE,
    HANDLER,
    NEW,
    SENDER,
    SPEC,
    UNKNOWN_PERSON,
    VC,
    P,
    case_row,
    engine_of,
    form_of,
    log_rows,
    make_omvant_app,
    mall_id,
    reference_from,
    send_message,
    staff_client,
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW  # Tuesday 1 December 2026, 08.00 in Stockholm

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tmp_path: Path, clock: Clock) -> Flask:
    return make_omvant_app(tmp_path, CLOCK=clock)


def _citizen(app: Flask, personnummer: str = ADULT):
    client = app.test_client()
    login(client, personnummer)
    return client


def _notices(app: Flask) -> list[tuple[str, str, str]]:
    with engine_of(app).connect() as connection:
        return [(n.personnummer, n.channel, n.text) for n in connection.execute(select(Notice))]


def test_a_message_asking_for_a_reply_reaches_the_inbox_with_the_notice_and_the_reply_is_due_by_the_rule(
    app: Flask, clock: Clock
) -> None:
    contact_store.store(engine_of(app), ADULT, Contacts(email="vera@example.se", mobile="+46701234567"), NOW)
    staff = staff_client(app, SENDER)
    sent = send_message(staff, amne="Dina provsvar", text="Hej! Hur mår du nu?", svar="1")
    assert sent.status_code == 303
    reference = reference_from(sent)
    case = case_row(app, reference)
    assert (case.direction, case.status, case.handler, case.due_at) == ("out", "Besvarad", SENDER, None)
    # The notice of section 6, on both channels, naming nothing.
    assert sorted(_notices(app)) == [(ADULT, "email", ANSWER_TEXT), (ADULT, "sms", ANSWER_TEXT)]
    page = staff.get(sent.headers["Location"])
    assert "Meddelandet är skickat till invånaren." in page.text and "Till invånare" in page.text
    # Sent, not arrived; and nothing is due on the mottagning's side until the citizen replies.
    assert "<dt>Skickat</dt>" in page.text and "<dt>Inkom</dt>" not in page.text
    assert "Besvaras senast" not in page.text

    citizen = _citizen(app)
    inbox = citizen.get(f"{BASE}/inkorg/")
    assert "Dina provsvar" in inbox.text and "Oläst" in inbox.text and "Från mottagningen" in inbox.text
    opened = citizen.get(f"{BASE}/inkorg/{reference}/")
    assert "Meddelande från mottagningen" in opened.text and "Hej! Hur mår du nu?" in opened.text
    assert "Siv Sändare, Sjuksköterska" in opened.text and 'name="text"' in opened.text

    clock.now = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)  # a Saturday
    citizen = _citizen(app)  # a new session: the clock has moved days
    opened = citizen.get(f"{BASE}/inkorg/{reference}/")
    replied = citizen.post(
        f"{BASE}/inkorg/{reference}/svara/", data={"csrf_token": token(opened.text), "text": "Mycket bättre, tack."}
    )
    assert replied.status_code == 303
    case = case_row(app, reference)
    # Arrived on a Saturday: counts as Monday, due by the end of Tuesday 8 December (Swedish time).
    assert case.due_at == datetime.datetime(2026, 12, 8, 23, 0)
    assert (case.status, case.handler, case.responded_at) == ("Fördelad", SENDER, None)
    assert 'name="text"' not in citizen.get(f"{BASE}/inkorg/{reference}/").text  # one reply only

    clock.now = datetime.datetime(2026, 12, 9, 8, 0, tzinfo=datetime.UTC)
    staff = staff_client(app, SENDER)
    listed = staff.get(f"{P}/arenden/")
    assert reference in listed.text and "Försenad" in listed.text and "Till invånare" in listed.text
    shown = staff.get(f"{P}/arenden/{reference}/")
    assert "Svar från invånaren" in shown.text and "Mycket bättre, tack." in shown.text
    assert "<dt>Besvaras senast</dt>" in shown.text  # the reply is due by the rule


def test_a_message_without_a_question_or_kallelse_is_closed_at_once_and_never_late(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    reference = reference_from(send_message(staff))
    case = case_row(app, reference)
    assert (case.status, case.due_at) == ("Avslutad", None)
    citizen = _citizen(app)
    page = citizen.get(f"{BASE}/inkorg/{reference}/")
    assert "Hej! Dina prover ser bra ut." in page.text and 'name="text"' not in page.text


def test_the_lists_show_each_case_with_its_direction(app: Flask) -> None:
    store = app.extensions["hittavard_forms"].store
    draft = store.approve_villkor(Owner(OTHER, OTHER), VC, "skicka-meddelande", "0" * 64, NOW.replace(tzinfo=None))
    incoming = store.send(draft, CaseContent("Vårdcentralen Test", "Skicka meddelande", {}, []), at=NOW)
    staff = staff_client(app, SENDER)
    outgoing = reference_from(send_message(staff, svar="1"))
    listed = staff.get(f"{P}/arenden/").text
    assert incoming.reference in listed and outgoing in listed
    row_of = {ref: listed[listed.index(ref):][:400] for ref in (incoming.reference, outgoing)}
    assert "Från invånare" in row_of[incoming.reference] and "Till invånare" in row_of[outgoing]
    assert case_row(app, incoming.reference).direction == "in"


def test_the_same_form_posted_twice_makes_one_case(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    page = staff.get(NEW)
    data = form_of(page.text) | {"personnummer": ADULT, "amne": "Ett", "text": "Två", "do": "skicka", "svar": "1"}
    first = staff.post(NEW, data=data)
    second = staff.post(NEW, data=data)
    assert first.headers["Location"] == second.headers["Location"]
    with engine_of(app).connect() as connection:
        assert connection.execute(select(Case).where(Case.direction == "out")).all().__len__() == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Skriv invånarens personnummer."),
        ("19700101-1234", "Personnumret stämmer inte. Kontrollera att alla siffror är rätt."),
        ("1970", "Skriv personnumret med 12 siffror, till exempel 19121212-1212."),
        (UNKNOWN_PERSON, UNKNOWN),
    ],
)
def test_a_bad_or_unknown_personnummer_is_refused_with_a_message_and_what_was_typed_kept(
    app: Flask, typed: str, message: str
) -> None:
    staff = staff_client(app, SENDER)
    page = send_message(staff, personnummer=typed, amne="Mitt ämne åäö", text="Min text som inte får försvinna")
    assert page.status_code == 422
    assert message in page.text and page.text.count(message) == 2  # in the summary and at the field
    assert "<title>Fel: " in page.text
    assert f'value="{typed}"' in page.text and 'value="Mitt ämne åäö"' in page.text
    assert "Min text som inte får försvinna" in page.text
    with engine_of(app).connect() as connection:
        assert connection.execute(select(Case)).all() == []
    refused = log_rows(app, "meddelande_nekat")
    assert [(r.personnummer, r.hsa_id) for r in refused] == ([(UNKNOWN_PERSON, SENDER)] if typed == UNKNOWN_PERSON else [])


def test_a_missing_subject_or_text_is_refused_with_a_message(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    page = send_message(staff, amne=" ", text="")
    assert page.status_code == 422 and "Skriv ett ämne." in page.text and "Skriv ett meddelande." in page.text
    assert f'value="{ADULT}"' in page.text


def test_a_mall_fills_the_subject_and_text_and_keeps_the_personnummer(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    page = staff.get(NEW)
    assert "Dags för kontroll" in page.text and "Specialistens mall" not in page.text
    # "Använd mallen" is the secondary button: it was styled as a second "Skicka" (no CSS for "secondary").
    assert 'class="button-secondary">Använd mallen</button>' in page.text
    filled = staff.post(NEW, data=form_of(page.text) | {
        "personnummer": ADULT, "mall": str(mall_id(app, VC)), "do": "mall", "svar": "1",
    })
    assert filled.status_code == 200
    assert 'value="Dags för kontroll"' in filled.text and "Hej! Det är dags för din kontroll." in filled.text
    assert f'value="{ADULT}"' in filled.text and 'id="svar" name="svar" value="1" checked' in filled.text


def test_a_mall_of_another_mottagning_is_404_and_logged(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    page = staff.get(NEW)
    refused = staff.post(NEW, data=form_of(page.text) | {"mall": str(mall_id(app, SPEC)), "do": "mall"})
    assert refused.status_code == 404
    assert [r.hsa_id for r in log_rows(app, "refused")] == [SENDER]
    admin = staff_client(app, ADMIN)
    assert admin.get(f"{P}/mallar/{mall_id(app, SPEC)}/").status_code == 404


def test_the_lokal_administrator_keeps_the_mallar_and_each_change_is_logged(app: Flask) -> None:
    admin = staff_client(app, ADMIN)
    listed = admin.get(f"{P}/mallar/")
    assert listed.status_code == 200 and "Dags för kontroll" in listed.text and "Specialistens mall" not in listed.text
    form = admin.get(f"{P}/mallar/ny/")
    empty = admin.post(f"{P}/mallar/ny/", data={"csrf_token": token(form.text), "title": "Ny", "text": ""})
    assert empty.status_code == 422 and "Skriv mallens text." in empty.text and 'value="Ny"' in empty.text
    saved = admin.post(f"{P}/mallar/ny/", data={"csrf_token": token(form.text), "title": "Ny", "text": "Hej!"})
    assert saved.status_code == 303 and "Mallen är sparad." in admin.get(saved.headers["Location"]).text
    with engine_of(app).connect() as connection:
        titles = sorted(connection.execute(select(MessageTemplate.title).where(MessageTemplate.clinic == VC)).scalars())
    assert titles == ["Dags för kontroll", "Ny"]
    assert [(r.hsa_id, r.clinic, r.detail[:8]) for r in log_rows(app, "mall")] == [(ADMIN, VC, "skapade ")]
    # The mallar are not standardsvar: the standardsvar page does not list them.
    assert "Dags för kontroll" not in admin.get(f"{P}/standardsvar/").text


@pytest.mark.parametrize("who", [ADMIN, AUDITOR, ELSEWHERE])
def test_the_message_page_is_404_for_other_roles_and_mottagningar(app: Flask, who: str) -> None:
    staff = staff_client(app, who)
    assert staff.get(NEW).status_code == 404
    assert staff.post(NEW, data={"personnummer": ADULT}).status_code in (400, 404)
    assert all(r.hsa_id == who for r in log_rows(app, "refused"))


@pytest.mark.parametrize("who", [SENDER, AUDITOR, ELSEWHERE])
def test_the_mallar_pages_are_404_for_everyone_but_the_lokal_administrator(app: Flask, who: str) -> None:
    staff = staff_client(app, who)
    assert staff.get(f"{P}/mallar/").status_code == 404
    assert staff.get(f"{P}/mallar/{mall_id(app, VC)}/").status_code == 404


def test_a_handler_may_send_and_sees_their_own_message_but_not_anothers(app: Flask) -> None:
    handler = staff_client(app, HANDLER)
    own = reference_from(send_message(handler, svar="1"))
    assert handler.get(f"{P}/arenden/{own}/").status_code == 200
    theirs = reference_from(send_message(staff_client(app, SENDER), svar="1"))
    assert handler.get(f"{P}/arenden/{theirs}/").status_code == 404
    assert theirs not in handler.get(f"{P}/arenden/").text
    assert staff_client(app, ELSEWHERE).get(f"{P}/arenden/{own}/").status_code == 404


def test_another_citizen_never_sees_the_message(app: Flask) -> None:
    reference = reference_from(send_message(staff_client(app, SENDER), svar="1"))
    other = _citizen(app, OTHER)
    assert other.get(f"{BASE}/inkorg/{reference}/").status_code == 404
    assert reference not in other.get(f"{BASE}/inkorg/").text


def test_sending_writes_one_change_row_and_the_case_page_after_it_one_read_row(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    before = len(log_rows(app))
    sent = send_message(staff, svar="1", kallelse="vaccination")
    reference = reference_from(sent)
    rows = log_rows(app)[before:]
    assert [(r.action, r.personnummer, r.case_reference, r.clinic) for r in rows] == [
        ("meddelande", ADULT, reference, VC)
    ]
    assert rows[0].detail == "ber om: svar, kallelse" and rows[0].role == "arendehanterare,arendemottagare"
    staff.get(sent.headers["Location"])
    reads = log_rows(app)[before + 1:]
    assert [(r.action, r.personnummer, r.case_reference) for r in reads] == [("read", ADULT, reference)]


def test_no_personnummer_in_any_address_of_the_flow(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    sent = send_message(staff, svar="1")
    assert ADULT not in sent.headers["Location"] and "19700101" not in sent.headers["Location"]


def test_the_reply_rule_for_a_case_the_mottagning_started(app: Flask, clock: Clock) -> None:
    """Unit: a reply to a message restarts the due time from the reply; a reply to an answer in a
    citizen's own case keeps its due time and its answered mark."""
    engine = engine_of(app)
    reference = reference_from(send_message(staff_client(app, SENDER), svar="1"))
    out = case_row(app, reference)
    clock.now = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)  # Monday → due Tuesday 24.00
    casework.citizen_reply(engine, out.id, "Svar", clock.now)
    assert case_row(app, reference).due_at == datetime.datetime(2026, 12, 1, 23, 0)

    store = app.extensions["hittavard_forms"].store
    draft = store.approve_villkor(Owner(OTHER, OTHER), VC, "skicka-meddelande", "0" * 64, NOW.replace(tzinfo=None))
    due = datetime.datetime(2026, 12, 2, 23, 0)
    incoming = store.send(draft, CaseContent("Vårdcentralen Test", "Skicka", {}, []), at=NOW, due_at=due)
    with engine.begin() as connection:
        connection.execute(Case.__table__.update().where(Case.id == incoming.id).values(
            status="Besvarad", handler=SENDER, responded_at=NOW.replace(tzinfo=None)))
        connection.execute(CaseEvent.__table__.insert().values(
            case_id=incoming.id, kind="answer", text="Svar", author=SENDER, author_name="Siv", author_title="",
            asks_reply=True, at=NOW.replace(tzinfo=None)))
    casework.citizen_reply(engine, incoming.id, "Tack", clock.now)
    kept = case_row(app, incoming.reference)
    assert (kept.due_at, kept.responded_at) == (due, NOW.replace(tzinfo=None))


def test_a_message_event_opens_the_reply_only_when_it_asks_for_one() -> None:
    class Event:
        def __init__(self, kind: str, asks: bool) -> None:
            self.kind, self.asks_reply = kind, asks

    assert casework.reply_open([Event("message", True)], "Besvarad")
    assert not casework.reply_open([Event("message", False)], "Besvarad")
    assert not casework.reply_open([Event("message", True), Event("reply", False)], "Besvarad")


def test_the_uppfoljning_counts_a_message_only_once_the_citizen_has_replied(app: Flask, clock: Clock) -> None:
    from forms.staff import followup

    engine = engine_of(app)
    reference = reference_from(send_message(staff_client(app, SENDER), svar="1"))
    week = (datetime.datetime(2026, 11, 30), datetime.datetime(2026, 12, 7))

    def counted() -> int:
        with engine.connect() as connection:
            return connection.execute(
                select(Case.id).where(*followup.arrived_here(VC, *week))
            ).all().__len__()

    assert counted() == 0
    casework.citizen_reply(engine, case_row(app, reference).id, "Svar", clock.now)
    assert counted() == 1
