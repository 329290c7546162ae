"""Omvänt ärendeflöde (CONTRACT section 9): a case the mottagning starts, to a citizen named by
personnummer, stored in the case store beside the citizens' cases with `direction` "out".

One write transaction stores the case (with the draft row every case has), its first message
(event kind "message", which may ask for a reply), the kallelse if there is one, the citizen's
notice in the outbox (section 6's text, which names nothing) and the access-log row: all of it or
none. The form's key is the case's idempotency key under its UNIQUE constraint, so a double click
or a repeated POST makes one case.

The case is then the sender's ("Besvarad", with them as handler): it waits for the citizen. Their
reply (forms.staff.casework.citizen_reply) brings it back to the sender, due by the rule of
section 6 from the reply's arrival. A message that asks for nothing and invites to nothing is
"Avslutad" at once: nothing is left for the mottagning to do.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from forms.booking import kallelse
from forms.identity.staff import StaffPerson
from forms.notices.outbox import ANSWER_TEXT, enqueue
from forms.staff import accesslog, rules
from forms.staff.casework import OUT, naive
from forms.store.cases import new_reference
from forms.store.db import Case, CaseEvent, Draft
from forms.store.engine import writing

ESERVICE = "meddelande-till-invanare"  # the cases' e-service id: never a content id (those have no such page)
MAX_SUBJECT = 200
MAX_TEXT = 5000
# A kallelse names a time type of the mottagning's tidbok: said on the message and on the mall.
KALLELSE_UNKNOWN = "Välj en typ av tid som finns i mottagningens tidbok."


@dataclass(frozen=True)
class Message:
    personnummer: str
    subject: str
    text: str
    asks_reply: bool
    time_type: str | None  # the kallelse's time type; None: no kallelse


def send(
    engine: Engine,
    *,
    key: str,
    clinic: str,
    clinic_name: str,
    message: Message,
    me: StaffPerson,
    roles: frozenset[str],
    now: datetime.datetime,
    secret: str | bytes,
) -> str:
    """Store the message as a case exactly once for `key`; returns its reference."""
    at = naive(now)
    waits = message.asks_reply or message.time_type is not None
    for _attempt in range(10):
        existing = _by_key(engine, key, clinic)
        if existing is not None:
            return existing
        try:
            with writing(engine).begin() as connection:
                draft_id = connection.execute(
                    insert(Draft).values(
                        key=key, actor=message.personnummer, subject=message.personnummer, clinic=clinic,
                        eservice=ESERVICE, status="sent", villkor_sha256="", villkor_approved_at=at, raw={},
                        created_at=at, updated_at=at,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                reference = new_reference(now.year)
                case_id = connection.execute(
                    insert(Case).values(
                        reference=reference, idempotency_key=key, draft_id=draft_id, actor=message.personnummer,
                        subject=message.personnummer, clinic=clinic, clinic_name=clinic_name, eservice=ESERVICE,
                        eservice_name=message.subject, villkor_sha256="", villkor_approved_at=at, answers={},
                        summary=[], sent_at=at, status=rules.ANSWERED if waits else rules.CLOSED,
                        handler=me.hsa_id, version=1, due_at=None, responded_at=at, direction=OUT,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                event_id = connection.execute(
                    insert(CaseEvent).values(
                        case_id=case_id, kind="message", text=message.text, author=me.hsa_id, author_name=me.name,
                        author_title=me.title, asks_reply=message.asks_reply, at=at,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                if message.time_type is not None:
                    kallelse.create(
                        connection, secret=secret, case_id=case_id, clinic=clinic,
                        personnummer=message.personnummer, time_type=message.time_type, at=at,
                    )
                enqueue(
                    connection, event_key=f"case:{case_id}:event:{event_id}", personnummer=message.personnummer,
                    text=ANSWER_TEXT, not_before=now,
                )
                wanted = [w for w, on in (("svar", message.asks_reply), ("kallelse", message.time_type)) if on]
                accesslog.record(
                    connection, at=now, hsa_id=me.hsa_id, role=",".join(sorted(roles)), clinic=clinic,
                    action="meddelande", personnummer=message.personnummer, case_reference=reference,
                    detail=("ber om: " + ", ".join(wanted)) if wanted else "",
                )
            return reference
        except IntegrityError:
            continue  # the same form posted twice at once (its key), or a reference collision
    raise RuntimeError("could not store the message")  # pragma: no cover - ten collisions in a row


def _by_key(engine: Engine, key: str, clinic: str) -> str | None:
    with engine.connect() as connection:
        return connection.execute(
            select(Case.reference).where(Case.idempotency_key == key, Case.clinic == clinic)
        ).scalar_one_or_none()
