"""Two staff answering one case at the same moment: one answer is stored, the other is told and keeps its text.

Threads post at once through a barrier, against SQLite and a real PostgreSQL server, several
cases in a row so the two requests really overlap in the database.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from forms.notices import contacts as contact_store
from forms.notices.contacts import Contacts
from forms.store.db import CaseEvent, Notice
from tests.forms.conftest import ADULT, NOW, csrf_token
from tests.forms.staff_support import BOTH, HANDLER, RECEIVER, act, case_url, send_case, staff_login, version_of

ROUNDS = 4


def _answer(barrier, results, index, client, url, form, text) -> None:
    barrier.wait()
    results[index] = client.post(url, data={**form, "svar": text})


def test_of_two_simultaneous_answers_exactly_one_is_stored(make_app, staff_demo_file, clock, database_url) -> None:
    app = make_app(FORMS_DEMO_DATA=str(staff_demo_file), CLOCK=clock, FORMS_DATABASE_URL=database_url)
    engine = app.extensions["hittavard_forms"].store.engine
    contact_store.store(engine, ADULT, Contacts(email="vera@example.se"), NOW)
    citizen = app.test_client()
    receiver, first, second = app.test_client(), app.test_client(), app.test_client()
    staff_login(receiver, RECEIVER)
    staff_login(first, BOTH)
    staff_login(second, HANDLER)
    for round_number in range(ROUNDS):
        reference = send_case(citizen, ADULT)
        act(receiver, reference, "fordela", handler=HANDLER)
        forms = []
        for client in (first, second):
            page = client.get(case_url(reference))
            forms.append({"csrf_token": csrf_token(page.text), "version": version_of(page.text)})
        barrier = threading.Barrier(2)
        results: dict[int, object] = {}
        url = f"{case_url(reference)}svara/"
        pairs = [
            (client, form, f"Svar {i} i omgång {round_number}")
            for i, (client, form) in enumerate(zip((first, second), forms, strict=True))
        ]
        threads = [
            threading.Thread(target=_answer, args=(barrier, results, index, client, url, form, text))
            for index, (client, form, text) in enumerate(pairs)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        codes = sorted(results[i].status_code for i in (0, 1))
        assert codes == [303, 409], codes
        loser = next(i for i in (0, 1) if results[i].status_code == 409)
        assert "Ärendet har ändrats av någon annan" in results[loser].text
        assert f"Svar {loser} i omgång {round_number}</textarea>" in results[loser].text
    with engine.connect() as connection:
        answers = connection.execute(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "answer"))
        assert answers.scalar_one() == ROUNDS
        assert connection.execute(select(func.count()).select_from(Notice)).scalar_one() == ROUNDS
    engine.dispose()
