"""Filling an empty database from the demo file once: staff, roles, standardsvar, mallar, and demo cases.

CONTRACT section 5/6: the demo file's `staff:` list seeds an empty database once, idempotently
across workers and restarts. Each seed runs in one write transaction that first inserts its mark
into `seed_marks` (primary key): of several gunicorn workers starting together exactly one inserts
the mark and seeds; the others see the mark and skip (on PostgreSQL the second insert waits for
the first transaction, then finds the row).

Demo cases (only with the test login on) are placed relative to the app's clock at first start,
so the demo shows new, distributed, answered, closed and late cases whatever the date.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forms.identity.demo_data import DemoData, DemoDataInvalid
from forms.platform.workdays import due_at
from forms.staff import rules
from forms.store.cases import new_reference
from forms.store.db import (
    Case,
    CaseEvent,
    Draft,
    MessageTemplate,
    SeedMark,
    StaffMember,
    StaffRole,
    StandardAnswer,
)
from forms.store.engine import writing
from sitegen.content import recipient
from sitegen.content.bundle import Content


def _naive(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def _claim(connection: Connection, name: str, at: datetime.datetime) -> bool:
    """Insert the seed's mark; False when another worker (or an earlier start) already has."""
    insert_ = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    result = connection.execute(
        insert_(SeedMark).values(name=name, at=_naive(at)).on_conflict_do_nothing(index_elements=["name"])
    )
    return bool(result.rowcount)


def check_staff(demo: DemoData, source: str) -> None:
    """Refuse a demo file that gives one person granskare and a case role at one mottagning: the
    Roller page refuses that combination, so the seed must not be a way round it."""
    for person in demo.staff:
        for clinic, roles in person.roles.items():
            if not rules.auditor_apart(roles):
                raise DemoDataInvalid(
                    f"{source}: staff: {person.hsa_id} ({person.name}), {clinic}: {', '.join(roles)}: {rules.APART}"
                )


def check_mallar(demo: DemoData, time_types: Callable[[str], Iterable[str]], source: str) -> None:
    """Refuse a mall whose kallelse names no time type of its mottagning's tidbok (`time_types`:
    the type ids the app's tidbok has there). Such a mall was seeded and then, used, silently
    preselected no kallelse: its text promised the citizen a booking link the sender never saw
    missing. The mallar page refuses an unknown type too (forms.staff.mall_views)."""
    for index, mall in enumerate(demo.mallar):
        if not mall.kallelse:
            continue
        known = sorted(set(time_types(mall.clinic)))
        if mall.kallelse not in known:
            offered = f"tidstyperna där: {', '.join(known)}" if known else "mottagningen har ingen tidbok"
            raise DemoDataInvalid(
                f"{source}: mallar.{index}.kallelse: mallen ”{mall.title}” ({mall.clinic}) kallar till "
                f"”{mall.kallelse}”, som inte är en tidstyp i mottagningens tidbok ({offered})"
            )


def seed_staff(engine: Engine, demo: DemoData, now: datetime.datetime, source: str = "demofilen") -> bool:
    """Staff, roles and standardsvar from the demo file, into an empty database, once (the file
    checked on every start, seeded or not)."""
    check_staff(demo, source)
    with writing(engine).begin() as connection:
        if not _claim(connection, "staff", now):
            return False
        if connection.execute(select(StaffMember.hsa_id).limit(1)).first() is not None:
            return False  # someone already keeps the staff here: never overwrite
        for person in demo.staff:
            connection.execute(insert(StaffMember).values(hsa_id=person.hsa_id, name=person.name, title=person.title))
            for clinic, roles in person.roles.items():
                for role in sorted(set(roles)):
                    connection.execute(insert(StaffRole).values(hsa_id=person.hsa_id, clinic=clinic, role=role))
        kept = [(StandardAnswer, a) for a in demo.standardsvar] + [(MessageTemplate, m) for m in demo.mallar]
        for model, answer in kept:
            # A standardsvar may name the e-services it is for; a mall is for any message.
            if model is StandardAnswer:
                scope: dict[str, object] = {"eservices": " ".join(dict.fromkeys(answer.eservices))}
            else:  # a mall: the kallelse and reply it preselects
                scope = {"kallelse": answer.kallelse, "asks_reply": answer.asks_reply}
            connection.execute(
                insert(model).values(
                    clinic=answer.clinic, title=answer.title, text=answer.text.strip(), retired=False,
                    updated_at=_naive(now), **scope,
                )
            )
    return True


@dataclass(frozen=True)
class DemoCase:
    clinic: str
    eservice: str
    subject: str
    hours_ago: float
    status: str
    handler: str | None = None
    message: str = "Jag behöver hjälp med det här."
    partial: bool = False  # a delsvar has been sent
    asks_reply: bool = False
    patientnamnden: bool = False  # a complaint routed to site.yaml's Patientnämnden unit, about `clinic`


COMPLAINT = recipient.ESERVICE_ID  # Lämna synpunkter och klagomål
TOLVAN, ERIK, SARA = "19121212-1212", "19850315-1238", "19900707-4561"
ANNA, JOHAN, EVA, SOFIA = "SE2321000016-P0001", "SE2321000016-P0002", "SE2321000016-P0006", "SE2321000016-P0007"

DEMO_CASES = [
    DemoCase("storgardens-vardcentral", "fornya-recept", TOLVAN, 1, rules.NEW, message="Levaxin 50 mikrogram"),
    DemoCase("storgardens-vardcentral", "begar-intyg", ERIK, 24 * 5, rules.NEW, message="Körkortsintyg"),
    DemoCase("storgardens-vardcentral", "skicka-meddelande", SARA, 2, rules.DISTRIBUTED, JOHAN),
    DemoCase("storgardens-vardcentral", "skicka-meddelande", ERIK, 24 * 6, rules.DISTRIBUTED, ANNA),
    DemoCase("storgardens-vardcentral", "fornya-recept", TOLVAN, 24 * 2, rules.ANSWERED, ANNA, asks_reply=True),
    DemoCase("storgardens-vardcentral", "begar-intyg", SARA, 24 * 10, rules.CLOSED, ANNA),
    DemoCase("storgardens-vardcentral", "skicka-meddelande", TOLVAN, 24 * 4, rules.NEW, partial=True),
    DemoCase("vardcentralen-granberga", "fornya-hjalpmedel", ERIK, 3, rules.NEW, message="Inkontinensskydd"),
    DemoCase("vardcentralen-granberga", "kontakta-mig", SARA, 24 * 5, rules.DISTRIBUTED, JOHAN),
    DemoCase("psykiatriska-mottagningen", "kontakta-mig", ERIK, 24 * 5, rules.NEW),
    DemoCase("psykiatriska-mottagningen", "skicka-meddelande", SARA, 24 * 3, rules.ANSWERED, SOFIA),
    # Malin Ekberg's (Patientnämnden) and never Anna's: the README's walk-through opens them.
    DemoCase(
        "storgardens-vardcentral", COMPLAINT, ERIK, 4, rules.NEW, patientnamnden=True,
        message="Jag fick vänta två timmar på min tid och ingen sa varför.",
    ),
    DemoCase(
        "vardcentralen-granberga", COMPLAINT, SARA, 24 * 3, rules.NEW, patientnamnden=True,
        message="Jag fick inget svar när jag ringde om mina provsvar.",
    ),
]

RECEPTION = ("SE2321000016-P0003", "Maria Lindqvist", "Undersköterska")  # the demo ärendemottagare
DEMO_ANSWER = "Hej! Vi har tittat på ditt ärende. Vill du berätta mer? Svara gärna här."
DEMO_PARTIAL = "Hej! Vi har tagit emot ditt ärende och återkommer senast i morgon."


def seed_demo_cases(engine: Engine, content: Content, demo: DemoData, now: datetime.datetime) -> bool:
    """Cases of every status, some late, relative to `now`; once, and only for known content.

    A complaint to Patientnämnden is stored as the send stores it (forms.cases.views.send): at the
    unit, its draft at the mottagning it concerns (which the unit's list shows as "Gäller: …"), so
    the demo shows the routing without a way round it. Without a unit in site.yaml it is left out."""
    staff = {person.hsa_id: person for person in demo.staff}
    unit = content.site.patientnamnden
    with writing(engine).begin() as connection:
        if not _claim(connection, "demo-cases", now):
            return False
        for spec in DEMO_CASES:
            clinic = content.clinics.get(spec.clinic)
            eservice = content.eservices.get(spec.eservice)
            if clinic is None or eservice is None or (spec.patientnamnden and unit is None):
                continue
            answers: dict[str, str] = {"message": spec.message}
            summary = [{"title": "Ditt ärende", "questions": [{"label": "Meddelande", "lines": [spec.message]}]}]
            arrives_at, recipient_name = spec.clinic, clinic.name
            if spec.patientnamnden:
                answers = {recipient.QUESTION_ID: recipient.TO_PATIENTNAMNDEN, "description": spec.message}
                summary = [
                    {"title": recipient.PAGE.title, "questions": [
                        {"label": recipient.QUESTION.label, "lines": [recipient.TO_PATIENTNAMNDEN]}
                    ]},
                    {"title": "Vad hände?", "questions": [{"label": "Beskriv vad som hände", "lines": [spec.message]}]},
                ]
                arrives_at, recipient_name = unit, recipient.unit_clinic_name(content.site, clinic.name)
            sent = now - datetime.timedelta(hours=spec.hours_ago)
            villkor = hashlib.sha256(eservice.villkor.encode("utf-8")).hexdigest()
            key = secrets.token_urlsafe(24)
            draft_id = connection.execute(
                insert(Draft).values(
                    key=key,
                    actor=spec.subject,
                    subject=spec.subject,
                    clinic=spec.clinic,
                    eservice=spec.eservice,
                    status="sent",
                    villkor_sha256=villkor,
                    villkor_approved_at=_naive(sent),
                    raw={},
                    created_at=_naive(sent),
                    updated_at=_naive(sent),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            responded = spec.status in (rules.ANSWERED, rules.CLOSED) or spec.partial
            answered_at = sent + datetime.timedelta(hours=min(spec.hours_ago / 2, 20))
            case_id = connection.execute(
                insert(Case).values(
                    reference=new_reference(sent.year),
                    idempotency_key=key,
                    draft_id=draft_id,
                    actor=spec.subject,
                    subject=spec.subject,
                    clinic=arrives_at,
                    clinic_name=recipient_name,
                    eservice=spec.eservice,
                    eservice_name=eservice.name,
                    villkor_sha256=villkor,
                    villkor_approved_at=_naive(sent),
                    answers=answers,
                    summary=summary,
                    sent_at=_naive(sent),
                    status=spec.status,
                    handler=spec.handler,
                    version=1,
                    due_at=_naive(due_at(sent)),
                    responded_at=_naive(answered_at) if responded else None,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            author = staff.get(spec.handler or "")
            if spec.handler and author:
                _event(
                    connection, case_id, "distributed", author.name, sent + datetime.timedelta(minutes=30), RECEPTION
                )
            if spec.partial:
                _event(connection, case_id, "delsvar", DEMO_PARTIAL, answered_at, by=RECEPTION)
            if author and spec.status in (rules.ANSWERED, rules.CLOSED):
                signer = (author.hsa_id, author.name, author.title)
                _event(connection, case_id, "answer", DEMO_ANSWER, answered_at, by=signer, asks=spec.asks_reply)
            if author and spec.status == rules.CLOSED:
                closed_at = answered_at + datetime.timedelta(hours=1)
                _event(connection, case_id, "closed", "", closed_at, by=(author.hsa_id, author.name, author.title))
    return True


def _event(
    connection: Connection,
    case_id: int,
    kind: str,
    text: str,
    at: datetime.datetime,
    by: tuple[str, str, str] = ("", "", ""),
    asks: bool = False,
) -> None:
    connection.execute(
        insert(CaseEvent).values(
            case_id=case_id,
            kind=kind,
            text=text,
            author=by[0] or None,
            author_name=by[1],
            author_title=by[2],
            asks_reply=asks,
            at=_naive(at),
        )
    )
