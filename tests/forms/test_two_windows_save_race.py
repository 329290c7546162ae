"""Two windows of one session saving different pages of one draft at once (issue 19).

Real gunicorn workers, SQLite and PostgreSQL: window A saves page 3 while window B saves page 2,
released together, several rounds. Each save merges only its own page into the draft inside its
write transaction (forms.store.cases.Store.merge_raw), so after every round both answers are
stored; writing back the whole draft as each request had read it loses one of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.store.cases import Owner, Store
from forms.store.engine import make_engine
from tests.forms.conftest import ADULT, INTYG_URL
from tests.forms.gunicorn_run import Browser, csrf_token, gunicorn
from tests.forms.test_booking_races import at_once

ROUNDS = 8
WORKERS = 2


def test_two_windows_saving_different_pages_at_once_keep_both_answers(
    database_url: str, content_dir: Path, demo_file: Path, tmp_path: Path
) -> None:
    make_engine(database_url).dispose()
    env = {
        "FORMS_CONTENT_DIR": str(content_dir),
        "FORMS_DEMO_DATA": str(demo_file),
        "FORMS_DATABASE_URL": database_url,
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "race-test-key-shared-by-the-workers",
        "FORMS_NOW": "2026-06-01T12:00:00+02:00",
    }
    store = Store(make_engine(database_url, migrate=False))
    try:
        with gunicorn(env, workers=WORKERS, log=tmp_path / "gunicorn.log") as server:
            window_a = Browser(server.base)
            assert window_a.submit("/e-tjanster/logga-in/", {"personnummer": ADULT}).status == 303
            assert window_a.submit(INTYG_URL, {"approve": "yes"}).status == 303
            assert window_a.submit(f"{INTYG_URL}sida/1/", {"intyg": "Körkortsintyg", "renewal": "Förnyelse"}).status == 303
            assert window_a.submit(f"{INTYG_URL}sida/2/", {"issued_by": "Dr Berg", "valid_until": "2026-12-31"}).status == 303
            assert window_a.submit(f"{INTYG_URL}sida/3/", {"message": ""}).status == 303
            window_b = Browser(server.base, cookie=window_a.cookie)  # the same session, another window
            for round_number in range(ROUNDS):
                token = csrf_token(window_a.get(f"{INTYG_URL}sida/3/").text)  # the session's, for both windows
                page_3 = {"csrf_token": token, "message": f"A {round_number}"}
                page_2 = {"csrf_token": token, "issued_by": f"B {round_number}", "valid_until": "2026-12-31"}
                a, b = at_once([
                    lambda form=page_3: window_a.post(f"{INTYG_URL}sida/3/", form),
                    lambda form=page_2: window_b.post(f"{INTYG_URL}sida/2/", form),
                ])
                assert (a.status, b.status) == (303, 303), (round_number, a.status, b.status)
                draft = store.open_draft(Owner(ADULT, ADULT), "testmottagningen", "begar-intyg")
                assert draft is not None
                answers = (draft.raw.get("2", {}).get("message"), draft.raw.get("1", {}).get("issued_by"))
                assert answers == ([f"A {round_number}"], [f"B {round_number}"]), round_number
                assert draft.raw["0"]["renewal"] == ["Förnyelse"]
    finally:
        store.engine.dispose()


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
