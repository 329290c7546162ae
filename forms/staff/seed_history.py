"""Made-up history for the demo's uppföljning (`FORMS_DEMO_CASES=1`): 14 weeks of closed cases and
past bookings, so the verksamhetschef's charts show weeks worth reading rather than one bar.

Placed relative to the app's clock at first start, once (its own mark in `seed_marks`), from a
fixed random seed so every demo shows the same picture. The cases are closed (Avslutad), so they
stay out of the mottagning's open case lists; the bookings are in the past (their times are
before now), so no citizen sees them under Mina bokade tider and no coming time is taken.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import secrets

from sqlalchemy import Connection, Engine, insert

from forms.platform.workdays import due_at
from forms.staff import rules
from forms.staff.seed import ERIK, SARA, TOLVAN, _claim, _naive
from forms.staff.tidbok_day import STAFF_BOOKED
from forms.store.cases import new_reference
from forms.store.db import Case, Draft
from forms.store.engine import writing
from forms.store.tidbok import ACTIVE, CANCELLED, BookingRow
from sitegen.content.bundle import Content

WEEKS = 14
CASE_CLINICS = {  # mottagning → its e-services in the demo, with how many cases a week, about
    "storgardens-vardcentral": {"fornya-recept": 9, "begar-intyg": 3, "skicka-meddelande": 6},
    "asviks-vardcentral": {"fornya-recept": 5, "skicka-meddelande": 4},
}
BOOKING_CLINIC, BOOKING_TYPE = "asviks-vardcentral", "lakarbesok"  # the demo's tidbok with bookings
PEOPLE = (TOLVAN, ERIK, SARA)
MESSAGE = "Demoärende för uppföljningen."


def seed_history(engine: Engine, content: Content, now: datetime.datetime) -> bool:
    """The weeks of demo cases and bookings, once; only for mottagningar and e-services in the content."""
    rng = random.Random(2021)
    with writing(engine).begin() as connection:
        if not _claim(connection, "demo-history", now):
            return False
        for clinic, per_week in CASE_CLINICS.items():
            if clinic not in content.clinics:
                continue
            for eservice, usual in per_week.items():
                if eservice in content.eservices:
                    _cases(connection, content, clinic, eservice, usual, rng, now)
        if BOOKING_CLINIC in content.clinics:
            _bookings(connection, rng, now)
    return True


def _cases(
    connection: Connection, content: Content, clinic: str, eservice: str, usual: int, rng: random.Random,
    now: datetime.datetime,
) -> None:
    villkor = hashlib.sha256(content.eservices[eservice].villkor.encode("utf-8")).hexdigest()
    for week in range(WEEKS):
        busier = 1 + 0.5 * (week % 5 == 2)  # some weeks are busier: the late ones show
        for _ in range(rng.randint(usual // 2, int(usual * busier) + 1)):
            sent = now - datetime.timedelta(days=7 * week + rng.uniform(2, 7), hours=rng.uniform(0, 10))
            due = due_at(sent)
            late = rng.random() < (0.35 if week % 5 == 2 else 0.08)
            answered = due + datetime.timedelta(hours=rng.uniform(1, 30)) if late else sent + (
                due - sent) * rng.uniform(0.1, 0.9)
            if answered > now:
                continue  # only whole, answered cases: the newest days are the other demo cases'
            key = secrets.token_urlsafe(24)
            person = rng.choice(PEOPLE)
            draft_id = connection.execute(insert(Draft).values(
                key=key, actor=person, subject=person, clinic=clinic, eservice=eservice, status="sent",
                villkor_sha256=villkor, villkor_approved_at=_naive(sent), raw={}, created_at=_naive(sent),
                updated_at=_naive(sent),
            )).inserted_primary_key[0]  # type: ignore[index]
            connection.execute(insert(Case).values(
                reference=new_reference(sent.year), idempotency_key=key, draft_id=draft_id, actor=person,
                subject=person, clinic=clinic, clinic_name=content.clinics[clinic].name, eservice=eservice,
                eservice_name=content.eservices[eservice].name, villkor_sha256=villkor,
                villkor_approved_at=_naive(sent), answers={"message": MESSAGE},
                summary=[{"title": "Ditt ärende", "questions": [{"label": "Meddelande", "lines": [MESSAGE]}]}],
                sent_at=_naive(sent), status=rules.CLOSED, version=1, due_at=_naive(due),
                responded_at=_naive(answered),
            ))


QUARTER = datetime.timedelta(minutes=15)


def _bookings(connection: Connection, rng: random.Random, now: datetime.datetime) -> None:
    """Past bookings at whole quarter hours the demo's future bookings never use (they are past)."""
    taken: set[datetime.datetime] = set()
    for week in range(WEEKS):
        for _ in range(rng.randint(6, 16)):
            made = now - datetime.timedelta(days=7 * week + rng.uniform(0.5, 7))
            start = made + datetime.timedelta(days=rng.choice((1, 1, 2, 3, 5, 7, 10, 14)))
            start = start.replace(minute=15 * rng.randint(0, 3), second=0, microsecond=0)
            if start >= now or start in taken:
                continue
            taken.add(start)
            cancelled = rng.random() < 0.12
            rebooked = not cancelled and rng.random() < 0.1
            changed = made + (start - made) * rng.uniform(0.2, 0.8)
            person = rng.choice(PEOPLE)
            booked_by = STAFF_BOOKED if rng.random() < 0.25 else person  # a quarter booked by phone
            connection.execute(insert(BookingRow).values(
                key=secrets.token_hex(16), clinic=BOOKING_CLINIC, type_id=BOOKING_TYPE, start=_naive(start),
                end=_naive(start + QUARTER),  # distinct quarter hours: past times that never overlap
                subject=person, booked_by=booked_by, status=CANCELLED if cancelled else ACTIVE,
                created_at=_naive(made), updated_at=_naive(changed if cancelled or rebooked else made),
                rebooked_at=_naive(changed) if rebooked else None,
            ))
