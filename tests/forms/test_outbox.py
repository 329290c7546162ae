"""The notice outbox (forms.notices.outbox) and "Mina uppgifter" storage, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import threading

import pytest
from sqlalchemy import func, select

from forms.notices import contacts as contact_store
from forms.notices.contacts import Contacts, InvalidContact, normalize_email, normalize_mobile
from forms.notices.outbox import ANSWER_TEXT, REMINDER_TEXT, enqueue, pending, withdraw
from forms.store.db import Notice
from forms.store.engine import make_engine, writing

NOW = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
PERSON = "19121212-1212"


def _count(engine, event_key: str | None = None) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(Notice)
        if event_key:
            query = query.where(Notice.event_key == event_key)
        return connection.execute(query).scalar_one()


def test_a_notice_per_saved_channel_and_none_without_contacts(database_url: str) -> None:
    engine = make_engine(database_url)
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se", mobile="+46701234567"), NOW)
    with writing(engine).begin() as connection:
        enqueue(connection, event_key="answer:1", personnummer=PERSON, text=ANSWER_TEXT, not_before=NOW)
        enqueue(connection, event_key="answer:2", personnummer="19850315-1238", text=ANSWER_TEXT, not_before=NOW)
    with engine.connect() as connection:
        assert pending(connection, "answer:1") == ["email", "sms"]
        assert pending(connection, "answer:2") == []
    engine.dispose()


def test_enqueueing_one_event_twice_or_at_once_makes_one_notice_per_channel(database_url: str) -> None:
    engine = make_engine(database_url)
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se"), NOW)
    barrier = threading.Barrier(4)

    def queue() -> None:
        barrier.wait()
        with writing(engine).begin() as connection:
            enqueue(connection, event_key="reminder:7", personnummer=PERSON, text=REMINDER_TEXT, not_before=NOW)

    threads = [threading.Thread(target=queue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count(engine, "reminder:7") == 1
    engine.dispose()


def test_a_notice_rolls_back_with_its_event(database_url: str) -> None:
    engine = make_engine(database_url)
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se"), NOW)
    with pytest.raises(RuntimeError), writing(engine).begin() as connection:
        enqueue(connection, event_key="answer:9", personnummer=PERSON, text=ANSWER_TEXT, not_before=NOW)
        raise RuntimeError("the event failed")
    assert _count(engine) == 0
    engine.dispose()


def test_withdraw_removes_only_unsent_notices_of_the_event(database_url: str) -> None:
    engine = make_engine(database_url)
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se", mobile="0701234567"), NOW)
    with writing(engine).begin() as connection:
        for key in ("reminder:1", "reminder:2"):
            enqueue(connection, event_key=key, personnummer=PERSON, text=REMINDER_TEXT, not_before=NOW)
        connection.execute(
            Notice.__table__.update()
            .where(Notice.event_key == "reminder:1", Notice.channel == "email")
            .values(sent_at=NOW.replace(tzinfo=None))
        )
    with writing(engine).begin() as connection:
        withdraw(connection, "reminder:1")
    assert _count(engine, "reminder:1") == 1  # the e-mail already sent stays as a record
    assert _count(engine, "reminder:2") == 2
    engine.dispose()


def test_only_the_fixed_texts_can_be_queued(database_url: str) -> None:
    engine = make_engine(database_url)
    with pytest.raises(ValueError), writing(engine).begin() as connection:
        enqueue(connection, event_key="x", personnummer=PERSON, text="Ditt recept på Levaxin är klart", not_before=NOW)
    engine.dispose()


def test_contacts_are_saved_replaced_and_cleared(database_url: str) -> None:
    engine = make_engine(database_url)
    assert contact_store.load(engine, PERSON) is None
    contact_store.store(engine, PERSON, Contacts(email="a@example.se", mobile="+46701234567"), NOW)
    assert contact_store.load(engine, PERSON) == Contacts(email="a@example.se", mobile="+46701234567")
    contact_store.store(engine, PERSON, Contacts(mobile="+46701234567"), NOW)
    assert contact_store.load(engine, PERSON) == Contacts(mobile="+46701234567")
    contact_store.store(engine, PERSON, Contacts(), NOW)
    assert contact_store.load(engine, PERSON) is None
    engine.dispose()


@pytest.mark.parametrize("raw", ["070-123 45 67", "0701234567", "+46 70 123 45 67", "0046701234567"])
def test_swedish_mobile_numbers_are_stored_in_e164(raw: str) -> None:
    assert normalize_mobile(raw) == "+46701234567"


@pytest.mark.parametrize("raw", ["12345", "abc", "08-123 456 78", "070-123"])
def test_what_is_not_a_mobile_number_is_refused(raw: str) -> None:
    with pytest.raises(InvalidContact):
        normalize_mobile(raw)


def test_email_addresses_are_validated() -> None:
    assert normalize_email("  Tolvan@Example.se ") == "Tolvan@example.se"
    assert normalize_email("") is None
    for bad in ("tolvan", "tolvan@", "tolvan@@example.se", "a" * 250 + "@example.se"):
        with pytest.raises(InvalidContact):
            normalize_email(bad)
