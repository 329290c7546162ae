"""The outbox worker against a real local SMTP server and a fake SMS gateway, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from forms.notices import contacts as contact_store
from forms.notices.__main__ import main as notices_main
from forms.notices.channels import SmsGatewayChannel, SmtpChannel
from forms.notices.contacts import Contacts
from forms.notices.outbox import ANSWER_TEXT, REMINDER_TEXT, enqueue
from forms.notices.settings import NoticeSettings
from forms.notices.worker import LEASE, Worker
from forms.store.db import Notice
from forms.store.engine import make_engine, writing
from tests.forms.conftest import personnummer
from tests.forms.notice_servers import Gateway, Mailbox, free_port, sms_gateway, smtp_server

START = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
PERSON = "19121212-1212"


@dataclass
class Clock:
    now: datetime.datetime = START

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture
def servers() -> Iterator[tuple[NoticeSettings, Mailbox, Gateway]]:
    with smtp_server() as (port, mailbox), sms_gateway() as gateway:
        settings = NoticeSettings(
            smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none", smtp_from="Hitta vård <no-reply@hittavard.test>",
            sms_url=gateway.url, timeout=5,
        )
        yield settings, mailbox, gateway


def _worker(engine, settings: NoticeSettings, clock: Clock, name: str | None = None) -> Worker:
    return Worker(engine, {"email": SmtpChannel(settings), "sms": SmsGatewayChannel(settings)}, clock, name=name)


def _queue(engine, event_key: str, person: str = PERSON, at: datetime.datetime = START, text: str = ANSWER_TEXT):
    with writing(engine).begin() as connection:
        enqueue(connection, event_key=event_key, personnummer=person, text=text, not_before=at)


def _rows(engine) -> list:
    with engine.connect() as connection:
        return list(connection.execute(select(Notice).order_by(Notice.id)).all())


def test_a_notice_goes_out_by_email_and_sms_once_with_the_contract_text(database_url, servers) -> None:
    settings, mailbox, gateway = servers
    engine = make_engine(database_url)
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se", mobile="+46701234567"), START)
    _queue(engine, "answer:1")
    clock = Clock()
    done = _worker(engine, settings, clock).run_once()
    assert (done.sent, done.failed) == (2, 0)
    assert _worker(engine, settings, clock).run_once().sent == 0  # nothing twice
    [mail] = mailbox.messages
    assert mail.get_payload(decode=True).decode().strip() == ANSWER_TEXT
    assert mailbox.recipients == [["tolvan@example.se"]]
    notice_ids = [row.id for row in _rows(engine)]
    assert mail["Message-ID"] == f"<hittavard-notice-{notice_ids[0]}@hittavard.test>"
    [post] = gateway.posts
    assert post["to"] == "+46701234567" and post["text"] == ANSWER_TEXT
    assert post["idempotency_key"] == post["header_key"] == f"hittavard-notice-{notice_ids[1]}"
    assert all(row.sent_at is not None for row in _rows(engine))
    engine.dispose()


def test_a_reminder_waits_for_its_time(database_url, servers) -> None:
    settings, mailbox, _gateway = servers
    engine = make_engine(database_url)
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se"), START)
    _queue(engine, "reminder:1", at=START + datetime.timedelta(hours=20), text=REMINDER_TEXT)
    clock = Clock()
    assert _worker(engine, settings, clock).run_once().sent == 0
    clock.now = START + datetime.timedelta(hours=20)
    assert _worker(engine, settings, clock).run_once().sent == 1
    assert mailbox.messages[0].get_payload(decode=True).decode().strip() == REMINDER_TEXT
    engine.dispose()


def test_a_gateway_or_mail_server_that_is_down_is_retried_with_back_off(database_url, servers) -> None:
    settings, mailbox, gateway = servers
    engine = make_engine(database_url)
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se", mobile="+46701234567"), START)
    _queue(engine, "answer:1")
    clock = Clock()
    gateway.fail_next = 1
    down = NoticeSettings(
        smtp_host="127.0.0.1", smtp_port=free_port(), smtp_tls="none", sms_url=settings.sms_url, timeout=2
    )
    first = _worker(engine, down, clock).run_once()
    assert (first.sent, first.failed) == (0, 2)
    rows = _rows(engine)
    assert all(row.sent_at is None and row.next_attempt_at > START.replace(tzinfo=None) for row in rows)
    assert {row.last_error for row in rows} == {"smtp_ConnectionRefusedError", "sms_http_503"}
    assert _worker(engine, settings, clock).run_once().sent == 0  # not before the back-off
    clock.now = START + datetime.timedelta(minutes=1)
    assert _worker(engine, settings, clock).run_once().sent == 2
    assert len(mailbox.messages) == 1 and len(gateway.delivered) == 1
    engine.dispose()


class Killed(BaseException):
    """The worker process dying: not an Exception, so nothing in the worker catches it."""


class DiesAfterSending:
    def __init__(self, channel) -> None:
        self.channel = channel

    def send(self, notice_id: int, address: str, text: str) -> None:
        self.channel.send(notice_id, address, text)
        raise Killed


def test_a_worker_killed_between_send_and_mark_does_not_make_a_second_delivery(database_url, servers) -> None:
    settings, mailbox, gateway = servers
    engine = make_engine(database_url)
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se", mobile="+46701234567"), START)
    _queue(engine, "answer:1")
    clock = Clock()
    dying = Worker(
        engine,
        {"email": DiesAfterSending(SmtpChannel(settings)), "sms": DiesAfterSending(SmsGatewayChannel(settings))},
        clock,
        batch=1,
    )
    for _ in range(2):
        with pytest.raises(Killed):
            dying.run_once()
    assert all(row.sent_at is None and row.claimed_by == dying.name for row in _rows(engine))
    # While the dead worker's claim lasts, nobody sends again.
    assert _worker(engine, settings, clock).run_once().sent == 0
    clock.now = START + LEASE + datetime.timedelta(seconds=1)
    assert _worker(engine, settings, clock).run_once().sent == 2
    # The SMS gateway got the same key twice and delivered once.
    assert len(gateway.posts) == 2 and len(gateway.delivered) == 1
    # SMTP has no idempotency: the second copy carries the same Message-ID, so it can be collapsed.
    assert len(mailbox.messages) == 2
    assert mailbox.messages[0]["Message-ID"] == mailbox.messages[1]["Message-ID"]
    assert all(row.sent_at is not None for row in _rows(engine))
    engine.dispose()


def test_two_workers_at_once_never_send_one_notice_twice(database_url, servers) -> None:
    settings, mailbox, gateway = servers
    engine = make_engine(database_url)
    people = [personnummer("19700101", f"{serial:03d}") for serial in range(100, 130)]
    for index, person in enumerate(people):
        contact_store.store(engine, person, Contacts(email=f"p{index}@example.se", mobile="+46701234567"), START)
        _queue(engine, f"answer:{index}", person=person)
    clock = Clock()
    barrier = threading.Barrier(2)
    results = []

    def work(name: str) -> None:
        worker = Worker(
            engine, {"email": SmtpChannel(settings), "sms": SmsGatewayChannel(settings)}, clock, name=name, batch=5
        )
        barrier.wait()
        results.append(worker.run_once())

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.sent for result in results) == 60
    assert len(gateway.posts) == 30 == len(gateway.delivered)
    assert len(mailbox.messages) == 30
    assert len({message["Message-ID"] for message in mailbox.messages}) == 30
    engine.dispose()


def test_a_channel_removed_under_mina_uppgifter_is_not_written_to(database_url, servers) -> None:
    settings, mailbox, gateway = servers
    engine = make_engine(database_url)
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se", mobile="+46701234567"), START)
    _queue(engine, "answer:1")
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se"), START)
    done = _worker(engine, settings, Clock()).run_once()
    assert (done.sent, done.skipped) == (1, 1)
    assert gateway.posts == [] and len(mailbox.messages) == 1
    engine.dispose()


def test_the_documented_command_sends_once_from_cron(tmp_path, servers, monkeypatch, capsys) -> None:
    settings, mailbox, _gateway = servers
    url = f"sqlite:///{tmp_path / 'forms.sqlite3'}"
    engine = make_engine(url)
    contact_store.store(engine, PERSON, Contacts(email="tolvan@example.se"), START)
    _queue(engine, "answer:1")
    for name, value in {
        "FORMS_DATABASE_URL": url, "FORMS_SMTP_HOST": "127.0.0.1", "FORMS_SMTP_PORT": str(settings.smtp_port),
        "FORMS_SMTP_TLS": "none", "FORMS_TEST_LOGIN": "1", "FORMS_NOW": "2026-11-30T10:00:00+01:00",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FORMS_SMS_URL", raising=False)
    assert notices_main(["once"]) == 0
    assert "Skickade 1" in capsys.readouterr().out
    assert len(mailbox.messages) == 1
    engine.dispose()


class BreaksFor:
    """A channel that raises an error that is not SendFailed for one address, until it is mended."""

    def __init__(self, channel, address: str, error: Exception) -> None:
        self.channel, self.address, self.error, self.mended = channel, address, error, False

    def send(self, notice_id: int, address: str, text: str) -> None:
        if address == self.address and not self.mended:
            raise self.error
        self.channel.send(notice_id, address, text)


@pytest.mark.parametrize("error", [RuntimeError("mallen saknas"), UnicodeEncodeError("ascii", "ö", 0, 1, "x"),
                                   OperationalError("UPDATE notices", {}, Exception("server closed the connection"))],
                         ids=["template", "encoding", "database"])
def test_an_unexpected_error_on_one_notice_holds_back_none_of_the_others(database_url, servers, error) -> None:
    """The bad notice is first in the batch; the others still go in the same round, it is released
    for its back-off (not held for the lease), then sent once when it can be; nothing twice."""
    settings, mailbox, _ = servers
    engine = make_engine(database_url)
    people = [personnummer("19800101", f"{n:03d}") for n in range(4)]
    for index, person in enumerate(people):
        contact_store.store(engine, person, Contacts(email=f"p{index}@example.se"), START)
        _queue(engine, f"answer:{index}", person=person)
    breaking = BreaksFor(SmtpChannel(settings), "p0@example.se", error)
    clock = Clock()
    worker = Worker(engine, {"email": breaking}, clock)
    done = worker.run_once()
    assert (done.sent, done.failed) == (3, 1)
    assert sorted(r[0] for r in mailbox.recipients) == ["p1@example.se", "p2@example.se", "p3@example.se"]
    bad = next(row for row in _rows(engine) if row.event_key == "answer:0")
    assert (bad.sent_at, bad.claimed_by, bad.attempts) == (None, None, 1)
    assert bad.last_error == f"error_{type(error).__name__}"
    assert bad.next_attempt_at == START.replace(tzinfo=None) + datetime.timedelta(seconds=30)
    assert worker.run_once().sent == 0  # waits for its back-off, not for a lease
    breaking.mended = True
    clock.now = START + datetime.timedelta(seconds=31)
    assert worker.run_once().sent == 1
    assert sorted(r[0] for r in mailbox.recipients) == [f"p{n}@example.se" for n in range(4)]  # each once
    assert all(row.sent_at is not None for row in _rows(engine))
    engine.dispose()
