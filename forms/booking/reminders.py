"""The reminder the day before a booked time, through the notice outbox (forms.notices).

Offered on the confirmation: the citizen gives (or keeps) the e-mail address and mobile number of
"Mina uppgifter" and the reminder is queued in the same transaction as those are saved. Its text is
the contract's fixed sentence, naming no mottagning or type of time. The event key names the booking
and its start, so a rebook withdraws the old time's reminder and queues one for the new time (for the
same person), and a cancellation withdraws it: no reminder for a time that is not booked.

The tidbok is an interface that may be a record system's, so its change and the outbox write cannot
share a transaction: the outbox is written right after the tidbok has answered OK. A crash between
the two loses a reminder, never sends one for a cancelled time (the withdraw comes after the cancel,
and the worker sends nothing once it is withdrawn).
"""

from __future__ import annotations

import datetime

from sqlalchemy import Engine, select

from forms.booking import times
from forms.booking.interface import Booking
from forms.notices.contacts import Contacts, get_contacts, save_contacts
from forms.notices.outbox import REMINDER_TEXT, enqueue, pending, withdraw
from forms.store.db import Notice
from forms.store.engine import writing

SEND_HOUR = datetime.time(12, 0)  # local time on the day before


def event_key(key: str, start: datetime.datetime) -> str:
    return f"reminder:{key}:{start.astimezone(datetime.UTC):%Y%m%dT%H%MZ}"


def send_at(start: datetime.datetime, now: datetime.datetime) -> datetime.datetime | None:
    """When the reminder goes: midday the day before, at once if that has passed, never on the day."""
    day_before = start.astimezone(times.STOCKHOLM).date() - datetime.timedelta(days=1)
    planned = datetime.datetime.combine(day_before, SEND_HOUR, tzinfo=times.STOCKHOLM)
    if now < planned:
        return planned
    return now if times.local_day(now) == day_before else None


def pending_channels(engine: Engine, booking: Booking) -> list[str]:
    with engine.connect() as connection:
        return pending(connection, event_key(booking.key, booking.start))


def saved_contacts(engine: Engine, personnummer: str) -> Contacts | None:
    with engine.connect() as connection:
        return get_contacts(connection, personnummer)


def offer(engine: Engine, personnummer: str, contacts: Contacts, booking: Booking, now: datetime.datetime) -> bool:
    """Save the contact details and queue the reminder, in one transaction; False if it is too late."""
    when = send_at(booking.start, now)
    with writing(engine).connect() as connection, connection.begin():
        save_contacts(connection, personnummer, contacts, now)
        if when is None or contacts.empty:
            return False
        enqueue(connection, event_key=event_key(booking.key, booking.start), personnummer=personnummer,
                text=REMINDER_TEXT, not_before=when)
    return True


def moved(engine: Engine, old_start: datetime.datetime, booking: Booking, now: datetime.datetime) -> bool:
    """After a rebook: the old time's reminder withdrawn, one for the new time for the same people.

    True when a reminder was waiting and the new time is too near for one (it is today): the
    receipt says so, since the citizen chose it and would otherwise wait for it in vain.
    """
    old = event_key(booking.key, old_start)
    with writing(engine).connect() as connection, connection.begin():
        people = set(connection.scalars(select(Notice.personnummer).where(Notice.event_key == old,
                                                                          Notice.sent_at.is_(None))))
        withdraw(connection, old)
        when = send_at(booking.start, now)
        if when is None:
            return bool(people)
        for personnummer in sorted(people):
            enqueue(connection, event_key=event_key(booking.key, booking.start), personnummer=personnummer,
                    text=REMINDER_TEXT, not_before=when)
    return False


def cancelled(engine: Engine, booking: Booking) -> None:
    with writing(engine).connect() as connection, connection.begin():
        withdraw(connection, event_key(booking.key, booking.start))
