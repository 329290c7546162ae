"""A citizen's contact details for notices ("Mina uppgifter"): an e-mail address and a mobile number.

Both are optional and stored only once validated: the e-mail address by `email-validator` (syntax
and a domain that can exist; no DNS lookup, so saving never waits on the network), the mobile number
by `phonenumbers` read as a Swedish number ("070-123 45 67" and "+46 70 123 45 67" alike) and kept
in E.164 ("+46701234567"), which is what an SMS gateway wants.

Transactions: like forms.notices.outbox, these functions take a SQLAlchemy `Connection` whose
transaction the caller owns (an ORM session gives its own with `session.connection()`); they never
commit. `get_contacts(connection, personnummer) -> Contacts | None` and
`save_contacts(connection, personnummer, contacts, at)`; `Store`-style callers with only an engine
use `load(engine, personnummer)` and `store(engine, personnummer, contacts, at)`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forms.store.db import ContactDetails
from forms.store.engine import writing

MAX_EMAIL = 254


class InvalidContact(ValueError):
    """A value that cannot be used; the message is Swedish and says how to write it."""


@dataclass(frozen=True)
class Contacts:
    email: str | None = None
    mobile: str | None = None  # E.164

    @property
    def empty(self) -> bool:
        return not self.email and not self.mobile


def normalize_email(raw: str) -> str | None:
    """The address as it will be stored, None for an empty field; InvalidContact if it cannot be one."""
    value = raw.strip()
    if not value:
        return None
    if len(value) > MAX_EMAIL:
        raise InvalidContact("E-postadressen är för lång.")
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidContact("Skriv e-postadressen i formen namn@exempel.se.") from None


def normalize_mobile(raw: str) -> str | None:
    """A Swedish (or international, with +) mobile number in E.164, None for an empty field."""
    value = raw.strip()
    if not value:
        return None
    if any(char.isdigit() and not char.isascii() for char in value):  # sitegen.content.digits: refused
        raise InvalidContact("Skriv mobilnumret med siffrorna 0–9, till exempel 070-123 45 67.")
    try:
        number = phonenumbers.parse(value, "SE")
    except phonenumbers.NumberParseException:
        raise InvalidContact("Skriv mobilnumret med siffror, till exempel 070-123 45 67.") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidContact("Mobilnumret finns inte. Skriv det till exempel som 070-123 45 67.")
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise InvalidContact("Numret är inte ett mobilnummer. Vi skickar sms, så det behövs ett mobilnummer.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_mobile(e164: str) -> str:
    """A stored number as a Swede writes it: "070-123 45 67"."""
    return phonenumbers.format_number(phonenumbers.parse(e164, "SE"), phonenumbers.PhoneNumberFormat.NATIONAL)


def get_contacts(connection: Connection, personnummer: str) -> Contacts | None:
    """What the person has saved, or None when they have saved nothing."""
    row = connection.execute(
        select(ContactDetails.email, ContactDetails.mobile).where(ContactDetails.personnummer == personnummer)
    ).first()
    if row is None:
        return None
    contacts = Contacts(email=row.email, mobile=row.mobile)
    return None if contacts.empty else contacts


def save_contacts(connection: Connection, personnummer: str, contacts: Contacts, at: datetime.datetime) -> None:
    """Replace what the person has saved (already normalized values); nothing saved removes the row.

    One upsert, not delete-then-insert: two saves at once (two sessions, or "Mina uppgifter" and a
    reminder offer) on PostgreSQL both missed the row and the second insert hit the primary key, a
    500. Now the later save wins, whole, and neither fails.
    """
    if contacts.empty:
        connection.execute(delete(ContactDetails).where(ContactDetails.personnummer == personnummer))
        return
    values = {"email": contacts.email, "mobile": contacts.mobile,
              "updated_at": at.astimezone(datetime.UTC).replace(tzinfo=None)}
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(
        insert(ContactDetails)
        .values(personnummer=personnummer, **values)
        .on_conflict_do_update(index_elements=["personnummer"], set_=values)
    )


def load(engine: Engine, personnummer: str) -> Contacts | None:
    """`get_contacts` in a read transaction of its own."""
    with engine.connect() as connection:
        return get_contacts(connection, personnummer)


def store(engine: Engine, personnummer: str, contacts: Contacts, at: datetime.datetime) -> None:
    """`save_contacts` in a write transaction of its own."""
    with writing(engine).connect() as connection, connection.begin():
        save_contacts(connection, personnummer, contacts, at)
