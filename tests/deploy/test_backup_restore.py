"""The documented backup and restore (deploy/pg-backup.sh, deploy/pg-restore.sh) bring every case back.

Run once against a real PostgreSQL server: cases and sessions written through the store, a backup
taken with the script, restored with the other script into an empty database, and read back.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from forms.store.cases import CaseContent, Owner, Store
from forms.store.engine import make_engine
from tests.support import postgres

ROOT = Path(__file__).resolve().parents[2]
AT = datetime.datetime(2026, 11, 30, 8, 0)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    given = os.environ.get(postgres.ENV)
    if given:
        yield given
        return
    if postgres.binaries() is None:
        pytest.fail("PostgreSQL is not installed: scripts/test.sh installs Debian's postgresql")
    with postgres.server() as url:
        yield url


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def test_a_backup_restored_into_an_empty_database_has_every_case(server: str, tmp_path: Path) -> None:
    with postgres.fresh_database(server) as source, postgres.fresh_database(server) as target:
        store = Store(make_engine(source))
        sent = []
        for number in range(3):
            owner = Owner(f"19121212-121{number}", f"19121212-121{number}")
            draft = store.approve_villkor(owner, "storgardens-vardcentral", "skicka-meddelande", "a" * 64, AT)
            store.merge_raw(draft.id, {"0": {"message": [f"Meddelande {number} med å, ä och ö"]}})
            draft = store.open_draft(owner, "storgardens-vardcentral", "skicka-meddelande")
            assert draft is not None
            content = CaseContent("Storgårdens vårdcentral", "Skicka meddelande", {"message": f"nr {number}"}, [])
            sent.append(store.send(draft, content, at=AT))
        store.save_session("t" * 64, {"actor": "19121212-1212"})
        store.engine.dispose()

        dump = tmp_path / "hittavard.dump"
        subprocess.run([str(ROOT / "deploy/pg-backup.sh"), libpq(source), str(dump)], check=True, capture_output=True)
        assert dump.is_file() and not (tmp_path / "hittavard.dump.partial").exists()
        subprocess.run(
            [str(ROOT / "deploy/pg-restore.sh"), str(dump), libpq(target)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHON": sys.executable},
        )

        restored = Store(make_engine(target, migrate=False))
        try:
            for case in sent:
                again = restored.case_by_reference(case.reference)
                assert again is not None, case.reference
                assert (again.answers, again.idempotency_key, again.sent_at) == (case.answers, case.idempotency_key, case.sent_at)
            assert restored.load_session("t" * 64) is not None
            assert len(restored.cases_about("19121212-1210")) == 1
        finally:
            restored.engine.dispose()
