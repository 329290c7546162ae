"""Each UNIQUE constraint of the case table is there for a reason, and the database enforces it.

"Two sends give one case" rests on the database, not on the "already sent?" look-up (which two
simultaneous sends both pass: tests/forms/test_durability.py). Every case row is stored by
`Store.send` with `draft_id` = the draft's id and `idempotency_key` = the draft's own UNIQUE key, so
either of the two UNIQUE constraints below refuses the second row of a double send; each is proven
here on its own, on SQLite and PostgreSQL, and docs/security.md says which does what:

- `cases.draft_id` UNIQUE: one case per draft, whatever key it is stored under;
- `cases.idempotency_key` UNIQUE: the key a repeated POST carries finds exactly one case, its receipt;
- `cases.reference` UNIQUE: a receipt's reference names one case; a drawn reference that is taken
  is drawn again.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from forms.store.cases import CaseContent, Owner, Store
from forms.store.db import Case, Draft
from forms.store.engine import make_engine
from tests.forms.conftest import ADULT, OTHER_ADULT

NOW = datetime.datetime(2026, 6, 1, 10, 0)
CONTENT = CaseContent(clinic_name="Testmottagningen", eservice_name="Egen fråga", answers={"q": "a"}, summary=[])


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def two_drafts(store: Store) -> tuple[Draft, Draft]:
    first = store.approve_villkor(Owner(ADULT, ADULT), "testmottagningen", "egen-fraga", "v" * 64, NOW)
    second = store.approve_villkor(Owner(OTHER_ADULT, OTHER_ADULT), "testmottagningen", "egen-fraga", "v" * 64, NOW)
    return first, second


def case_row(draft: Draft, key: str, reference: str) -> dict[str, object]:
    """A case row as Store.send writes it, with the key and reference chosen by the test."""
    return {
        "reference": reference, "idempotency_key": key, "draft_id": draft.id, "actor": draft.actor,
        "subject": draft.subject, "clinic": draft.clinic, "clinic_name": "T", "eservice": draft.eservice,
        "eservice_name": "E", "villkor_sha256": draft.villkor_sha256, "villkor_approved_at": NOW,
        "answers": {}, "summary": [], "sent_at": NOW,
    }


def case_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Case)).scalar_one())


def test_a_second_case_for_one_draft_is_refused_by_the_database(engine: Engine) -> None:
    """The row a double send would add, under another key: `cases.draft_id` refuses it."""
    draft, _ = two_drafts(Store(engine))
    with engine.begin() as connection:
        connection.execute(insert(Case).values(case_row(draft, draft.key, "HV-2026-AAAAAA")))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(Case).values(case_row(draft, "another-key", "HV-2026-BBBBBB")))
    assert case_count(engine) == 1


def test_a_second_case_under_one_idempotency_key_is_refused_by_the_database(engine: Engine) -> None:
    """The same key for another draft row: `cases.idempotency_key` refuses it."""
    first, second = two_drafts(Store(engine))
    with engine.begin() as connection:
        connection.execute(insert(Case).values(case_row(first, first.key, "HV-2026-AAAAAA")))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(Case).values(case_row(second, first.key, "HV-2026-BBBBBB")))
    assert case_count(engine) == 1


def test_a_taken_reference_is_drawn_again_and_never_shared(engine: Engine) -> None:
    """The reference generator draws one that is taken: `cases.reference` refuses it, send draws anew."""
    drawn = itertools.chain(["HV-2026-SAMMA1", "HV-2026-SAMMA1"], (f"HV-2026-NY{n:04d}" for n in itertools.count()))
    store = Store(engine, reference=lambda _year: next(drawn))
    first, second = two_drafts(store)
    references = [store.send(first, CONTENT).reference, store.send(second, CONTENT).reference]
    assert references == ["HV-2026-SAMMA1", "HV-2026-NY0000"]
    with engine.connect() as connection:
        stored = connection.execute(select(Case.reference).order_by(Case.id)).scalars().all()
    assert stored == references
