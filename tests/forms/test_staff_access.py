"""The staff side's way in and its oversight, in the test client: the login and the staff session,
the choice of mottagning, the case list, the access log and what the lokal administratör keeps.

What staff do with a case is in test_staff_case_handling.py.
"""

from __future__ import annotations

import datetime
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.forms.conftest import ADULT, NOW, OTHER_ADULT, csrf_token, login
from tests.forms.staff_support import (
    ADMIN,
    AUDITOR,
    BASE,
    BOTH,
    CLINIC,
    HANDLER,
    LIST,
    OTHER,
    RECEIVER,
    access_log,
    act,
    case_row,
    case_url,
    engine_of,
    send_case,
    staff_login,
)


@pytest.fixture
def reference(staff_app) -> str:
    return send_case(staff_app.test_client(), ADULT)


def test_the_staff_login_lands_on_the_case_list_and_needs_the_test_login(staff_app, make_app, staff_demo_file) -> None:
    client = staff_app.test_client()
    assert client.get(f"{BASE}/personal/").headers["Location"].endswith("/personal/logga-in/")
    page = client.get(f"{BASE}/personal/logga-in/")
    assert "Testinloggning för personal" in page.text and RECEIVER in page.text
    assert staff_login(client, RECEIVER).headers["Location"].endswith(LIST)
    production = make_app(FORMS_DEMO_DATA=str(staff_demo_file), FORMS_TEST_LOGIN="0").test_client()
    refused = production.get(f"{BASE}/personal/logga-in/")
    assert refused.status_code == 503 and 'name="hsa_id"' not in refused.text


def test_an_unknown_hsa_id_is_refused_with_a_message_and_logged(staff_app) -> None:
    client = staff_app.test_client()
    page = staff_login(client, "SE0000000000-X999")
    assert page.status_code == 200 and "Fel: " in page.text and "Det finns ingen personal" in page.text
    assert client.get(LIST).status_code == 303  # still not logged in


def test_someone_at_two_mottagningar_chooses_one(staff_app) -> None:
    client = staff_app.test_client()
    assert staff_login(client, BOTH).headers["Location"].endswith("/personal/mottagningar/")
    choice = client.get(f"{BASE}/personal/mottagningar/")
    assert "Testmottagningen" in choice.text and "Andra mottagningen" in choice.text
    assert client.get(f"{BASE}/personal/{OTHER}/").headers["Location"].endswith(f"/personal/{OTHER}/arenden/")


def test_byt_mottagning_is_offered_everywhere_but_on_the_choice_itself(staff_app) -> None:
    """A link to the page one is on, beside its own list of mottagningar, only repeats it."""
    client = staff_app.test_client()
    staff_login(client, BOTH)
    assert "Byt mottagning" not in client.get(f"{BASE}/personal/mottagningar/").text
    assert "Byt mottagning" in client.get(f"{BASE}/personal/{OTHER}/arenden/").text


def test_the_page_title_names_the_mottagning_for_staff_at_two(staff_app) -> None:
    """Someone at two mottagningar has a tab for each: both were "Ärenden – Personal", so the
    title (what a tab and a screen reader say first) did not tell them apart."""
    client = staff_app.test_client()
    staff_login(client, BOTH)
    here = client.get(LIST).text
    there = client.get(f"{BASE}/personal/{OTHER}/arenden/").text
    assert "<title>Ärenden – Testmottagningen – Personal" in here
    assert "<title>Ärenden – Andra mottagningen – Personal" in there
    assert "<title>Välj mottagning – Personal" in client.get(f"{BASE}/personal/mottagningar/").text


def test_the_staff_session_is_separate_from_the_citizens(staff_app, reference) -> None:
    client = staff_app.test_client()
    login(client, ADULT)
    assert client.get(LIST).status_code == 303  # a citizen's session opens no staff page
    staff_login(client, RECEIVER)
    assert client.get(LIST).status_code == 200
    assert client.get(f"{BASE}/inkorg/").status_code == 200  # both, side by side, in their own cookies
    staff_cookie = client.get_cookie("__Host-staff")
    citizen_cookie = client.get_cookie("__Host-session")
    assert staff_cookie is not None and citizen_cookie is not None
    assert staff_cookie.value != citizen_cookie.value
    other = staff_app.test_client()
    other.set_cookie("__Host-session", staff_cookie.value)  # a staff token as a citizen cookie
    assert other.get(f"{BASE}/inkorg/").status_code == 303


def test_logout_ends_the_staff_session_for_good(staff_app) -> None:
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    token = client.get_cookie("__Host-staff").value
    page = client.get(LIST)
    client.post(f"{BASE}/personal/logga-ut/", data={"csrf_token": csrf_token(page.text)})
    copy = staff_app.test_client()
    copy.set_cookie("__Host-staff", token)
    assert copy.get(LIST).status_code == 303


def test_the_staff_session_times_out_when_idle(staff_app, clock) -> None:
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    clock.now = NOW + datetime.timedelta(minutes=31)
    response = client.get(LIST)
    assert response.status_code == 303 and "utloggad=idle" in response.headers["Location"]


def test_a_post_without_the_staff_token_is_refused(staff_app, reference) -> None:
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    page = client.get(case_url(reference))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    response = client.post(f"{case_url(reference)}anteckning/", data={"version": version, "anteckning": "x"})
    assert response.status_code == 400
    assert case_row(staff_app, reference).version == 1


def test_the_list_shows_status_person_dates_handler_and_lateness_earliest_due_first(staff_app, clock) -> None:
    citizen = staff_app.test_client()
    first = send_case(citizen, ADULT)  # Monday 2026-06-01 12.00: due Tuesday 24.00
    clock.now = NOW + datetime.timedelta(days=1)
    second = send_case(staff_app.test_client(), OTHER_ADULT)
    clock.now = NOW + datetime.timedelta(days=2)  # Wednesday: the first is late, the second is not
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    page = client.get(LIST).text
    assert page.index(first) < page.index(second)
    assert "Vera Vuxen" in page and ADULT in page and "Olle Annan" in page
    assert "2 juni 2026 kl. 24.00" in page and "Ny" in page and "Ingen ännu" in page
    assert page.count("Försenad") == 1
    late = client.get(LIST + "?sena=1").text
    assert first in late and second not in late


def test_the_list_has_numbered_pages(staff_app) -> None:
    citizen = staff_app.test_client()
    for _ in range(26):
        send_case(citizen, ADULT)
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    first = client.get(LIST).text
    assert 'href="/e-tjanster/personal/testmottagningen/arenden/?sida=2"' in first
    second = client.get(LIST + "?sida=2").text
    assert len(re.findall(r"arenden/HV-", second)) == 1


def test_every_action_read_and_list_is_in_the_access_log(staff_app, reference) -> None:
    receiver, handler = staff_app.test_client(), staff_app.test_client()
    staff_login(receiver, RECEIVER)
    receiver.get(LIST)
    act(receiver, reference, "fordela", handler=HANDLER)
    act(receiver, reference, "delsvar", text="Vi tittar på det.")
    staff_login(handler, HANDLER)
    act(handler, reference, "anteckning", text="Notering")
    act(handler, reference, "svara", text="Svar")
    act(handler, reference, "avsluta")
    rows = [(r.hsa_id, r.action, r.personnummer, r.case_reference) for r in access_log(staff_app)]
    for who, action in [
        (RECEIVER, "login"),
        (RECEIVER, "list"),
        (RECEIVER, "read"),
        (RECEIVER, "fordela"),
        (RECEIVER, "delsvar"),
        (HANDLER, "login"),
        (HANDLER, "anteckning"),
        (HANDLER, "svara"),
        (HANDLER, "avsluta"),
    ]:
        assert any(r[0] == who and r[1] == action for r in rows), (who, action)
    changes = [r for r in rows if r[1] in ("fordela", "delsvar", "anteckning", "svara", "avsluta")]
    assert all(r[2] == ADULT and r[3] == reference for r in changes)
    read = next(r for r in access_log(staff_app) if r.action == "read")
    assert (read.role, read.clinic) == ("arendemottagare", CLINIC)


@pytest.mark.parametrize("statement", ["UPDATE access_log SET action = 'x'", "DELETE FROM access_log"])
def test_the_access_log_cannot_be_changed_or_deleted(staff_app, statement: str) -> None:
    staff_login(staff_app.test_client(), RECEIVER)
    before = len(access_log(staff_app))
    assert before > 0
    with pytest.raises(DatabaseError), engine_of(staff_app).begin() as connection:
        connection.execute(text(statement))
    assert len(access_log(staff_app)) == before


def test_the_granskare_searches_by_citizen_and_by_staff_and_exports_csv(staff_app, reference) -> None:
    receiver = staff_app.test_client()
    staff_login(receiver, RECEIVER)
    receiver.get(LIST)
    act(receiver, reference, "anteckning", text="Läst")
    auditor = staff_app.test_client()
    staff_login(auditor, AUDITOR)
    token = csrf_token(auditor.get(f"{BASE}/personal/{CLINIC}/logg/").text)

    def search(url: str = f"{BASE}/personal/{CLINIC}/logg/", **fields: str):
        return auditor.post(url, data={"csrf_token": token, **fields})

    by_citizen = search(personnummer=ADULT).text
    assert reference in by_citizen and RECEIVER in by_citizen and "Skrev intern anteckning" in by_citizen
    assert "Läste ärendelista" in by_citizen  # the list that showed the citizen's case
    by_staff = search(hsa_id=RECEIVER, fran="2026-06-01", till="2026-06-01").text
    assert "Inloggning" in by_staff
    nothing = search(hsa_id=RECEIVER, fran="2026-06-02").text
    assert "0 händelser" in nothing
    bad = search(personnummer="123")
    assert bad.status_code == 422 and "<title>Fel: " in bad.text
    export = search(f"{BASE}/personal/{CLINIC}/logg.csv", personnummer=ADULT)
    assert export.mimetype == "text/csv" and "attachment" in export.headers["Content-Disposition"]
    lines = export.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Tid;HSA-id;Namn;Roll;Mottagning;Personnummer;Ärende;Handling;Detaljer"
    assert any(reference in line and "Skrev intern anteckning" in line for line in lines[1:])
    assert any(r.action == "log_export" and r.hsa_id == AUDITOR for r in access_log(staff_app))


def test_the_lokal_administrator_keeps_standardsvar(staff_app, reference) -> None:
    admin = staff_app.test_client()
    staff_login(admin, ADMIN)
    new = admin.get(f"{BASE}/personal/{CLINIC}/standardsvar/ny/")
    empty = admin.post(f"{BASE}/personal/{CLINIC}/standardsvar/ny/", data={"csrf_token": csrf_token(new.text)})
    assert empty.status_code == 422 and "Skriv en rubrik." in empty.text
    created = admin.post(
        f"{BASE}/personal/{CLINIC}/standardsvar/ny/",
        data={"csrf_token": csrf_token(new.text), "title": "Provsvar", "text": "Provsvaren är normala."},
    )
    assert created.status_code == 303
    listing = admin.get(f"{BASE}/personal/{CLINIC}/standardsvar/").text
    answer_id = re.search(r'standardsvar/(\d+)/">Provsvar', listing).group(1)
    edit_url = f"{BASE}/personal/{CLINIC}/standardsvar/{answer_id}/"
    edit = admin.get(edit_url)
    admin.post(
        edit_url, data={"csrf_token": csrf_token(edit.text), "title": "Provsvar", "text": "Ändrad.", "retired": "1"}
    )
    handler = staff_app.test_client()
    staff_login(handler, BOTH)
    page = handler.get(case_url(reference)).text
    assert "Intyget skickas" in page and "Provsvar" not in page  # retired: no longer offered
    assert [r.action for r in access_log(staff_app)].count("standardsvar") == 2


def test_the_lokal_administrator_changes_roles_and_it_is_logged(staff_app, reference) -> None:
    admin = staff_app.test_client()
    staff_login(admin, ADMIN)
    page = admin.get(f"{BASE}/personal/{CLINIC}/roller/")
    assert "Hugo Hanterare" in page.text
    saved = admin.post(
        f"{BASE}/personal/{CLINIC}/roller/",
        data={"csrf_token": csrf_token(page.text), "hsa_id": HANDLER, "role": ["arendehanterare", "arendemottagare"]},
    )
    assert saved.status_code == 303
    handler = staff_app.test_client()
    staff_login(handler, HANDLER)
    assert reference in handler.get(LIST).text  # now a receiver too: sees every case
    own = admin.post(
        f"{BASE}/personal/{CLINIC}/roller/", data={"csrf_token": csrf_token(page.text), "hsa_id": ADMIN, "role": []}
    )
    assert own.status_code == 422 and "dina egna roller" in own.text
    change = next(r for r in access_log(staff_app) if r.action == "role_change")
    assert change.hsa_id == ADMIN and HANDLER in change.detail and "arendemottagare" in change.detail


def test_demo_data_seeds_staff_once(staff_app, make_app, staff_demo_file) -> None:
    again = make_app(FORMS_DEMO_DATA=str(staff_demo_file))  # a second worker or a restart on the same database
    with engine_of(again).connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM staff_roles WHERE hsa_id = :h"), {"h": BOTH}).scalar()
    assert count == 3
