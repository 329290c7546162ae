"""The notice outbox: notices are rows written in the same transaction as the event that causes them.

An answer stored and its notice queued commit together or not at all, so a notice is never lost
(the event happened) nor sent for an event that did not (it rolled back). The worker
(forms.notices.worker) empties the table.

API (the caller owns the transaction; pass its `Connection`, from an ORM session
`session.connection()`; nothing here commits):

- `enqueue(connection, *, event_key, personnummer, text, not_before)`: one row per channel the
  person has saved under "Mina uppgifter" (e-mail, SMS); none if they saved nothing. UNIQUE
  (event_key, channel) makes it idempotent: enqueueing the same event again, even from two
  transactions at once, leaves one notice per channel. `event_key` names the event, e.g.
  "answer:<case id>:<event id>" or "reminder:<booking id>"; `not_before` (aware) is the earliest
  time to send (a reminder is queued at booking for the day before).
- `withdraw(connection, event_key)`: deletes the event's notices not yet sent (a cancelled booking
  gets no reminder). A notice a worker is sending at that moment may still go out.

`text` must be one of the fixed sentences below: a notice may be read by anyone who sees the
phone's lock screen, so it never names a mottagning, an e-service or anything about health.
"""

from __future__ import annotations

import datetime

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forms.notices.contacts import get_contacts
from forms.store.db import Notice

ANSWER_TEXT = "Du har fått ett svar i e-tjänsterna på Hitta vård. Logga in för att läsa det."
REMINDER_TEXT = "Du har en bokad tid i morgon. Logga in på Hitta vård för att se den."
TEXTS = frozenset({ANSWER_TEXT, REMINDER_TEXT})

EMAIL = "email"
SMS = "sms"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError("not_before must be an aware datetime (the app's clock gives one)")
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def enqueue(
    connection: Connection, *, event_key: str, personnummer: str, text: str, not_before: datetime.datetime
) -> None:
    """Queue the event's notice on every channel the person has saved; a repeat adds nothing."""
    if text not in TEXTS:
        raise ValueError("a notice's text must be one of forms.notices.outbox.TEXTS (no health information)")
    contacts = get_contacts(connection, personnummer)
    if contacts is None:
        return
    channels = [channel for channel, address in ((EMAIL, contacts.email), (SMS, contacts.mobile)) if address]
    when = _utc(not_before)
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for channel in channels:
        statement = insert(Notice).values(
            event_key=event_key,
            channel=channel,
            personnummer=personnummer,
            text=text,
            created_at=when,
            next_attempt_at=when,
            attempts=0,
        )
        connection.execute(statement.on_conflict_do_nothing(index_elements=["event_key", "channel"]))


def withdraw(connection: Connection, event_key: str) -> None:
    """Delete the event's notices that have not been sent."""
    connection.execute(delete(Notice).where(Notice.event_key == event_key, Notice.sent_at.is_(None)))


def pending(connection: Connection, event_key: str) -> list[str]:
    """The channels the event still has a notice to send on (for pages and tests)."""
    rows = connection.execute(
        select(Notice.channel).where(Notice.event_key == event_key, Notice.sent_at.is_(None)).order_by(Notice.channel)
    )
    return [row.channel for row in rows]
