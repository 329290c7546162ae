"""The access log as the granskare reads it (issue 20, item 9): names beside HSA-ids, roles and
actions in Swedish words, repeated reads of a case as one line, and a CSV Swedish Excel opens as
columns. And the granskare's role opens the log, not the tidbok's patients."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import pytest

from forms.staff.accesslog import ACTION_NAMES
from forms.staff.log_views import NOTHING
from forms.staff.rules import ACTIONS, ROLES
from tests.forms.conftest import ADULT, OTHER_ADULT, csrf_token
from tests.forms.staff_support import AUDITOR, BASE, CLINIC, HANDLER, RECEIVER, act, case_url, send_case, staff_login

LOG = f"{BASE}/personal/{CLINIC}/logg/"
CSV_URL = f"{BASE}/personal/{CLINIC}/logg.csv"
FORMS = Path(__file__).resolve().parents[2] / "forms"


def table_text(html: str) -> str:
    """The result table's text, one line per row, cells separated by " | "."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return "\n".join(
        " | ".join(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
                   for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))
        for row in rows
    )


def auditor_search(staff_app, url: str = LOG, **fields: str):
    auditor = staff_app.test_client()
    staff_login(auditor, AUDITOR)
    token = csrf_token(auditor.get(LOG).text)
    return auditor.post(url, data={"csrf_token": token, **fields})


def test_the_log_names_staff_beside_their_hsa_ids_and_says_roles_and_actions_in_swedish(staff_app) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    receiver = staff_app.test_client()
    staff_login(receiver, RECEIVER)
    assert act(receiver, reference, "fordela", handler=HANDLER).status_code == 303
    page = auditor_search(staff_app, hsa_id=RECEIVER).text
    table = table_text(page)
    assert f"Rita Mottagare | {RECEIVER} | Ärendemottagare | Fördelade (till Hugo Hanterare ({HANDLER}))" in table
    assert f"Rita Mottagare | {RECEIVER} | – | Inloggning" in table
    assert "Läste ärende" in table and "arendemottagare" not in table and "fordela" not in table
    # Times as a person reads them: 12.00 in Stockholm is 10.00 UTC in June.
    assert re.search(r"^1 juni 2026 kl\. 12\.00 \| Rita", table, re.M), table


def test_every_action_the_code_writes_to_the_log_has_swedish_words() -> None:
    written = set(ACTIONS)  # the case actions are written as their slug (forms.staff.casework)
    for source in FORMS.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        if "accesslog" not in text and "log_here" not in text and "names_read" not in text:
            continue  # only code that writes the access log (an argparse action="store_true" is not one)
        written |= set(re.findall(r'\baction="([a-z_]+)"', text))
        written |= set(re.findall(r'\blog_here\(\s*[^,]+,\s*[^,]+,\s*"([a-z_]+)"', text))
        written |= set(re.findall(r'\bnames_read\(\s*[^,]+,\s*[^,]+,\s*"([a-z_]+)"', text))  # the tidbok's reads
        written |= {"refused"} if '"action": "refused"' in text else set()
    assert {"login", "read", "list", "refused", "tidbok_day", "log_search", "role_change_refused"} <= written
    assert written - set(ACTION_NAMES) == set()
    assert all(name[:1].isupper() and not re.search(r"[a-z]_[a-z]", name) for name in ACTION_NAMES.values())


def test_consecutive_reads_of_one_case_by_one_person_are_one_line_with_the_count_and_the_times(
    staff_app, clock
) -> None:
    first, second = send_case(staff_app.test_client(), ADULT), send_case(staff_app.test_client(), OTHER_ADULT)
    receiver = staff_app.test_client()
    staff_login(receiver, RECEIVER)
    start = clock.now
    for minutes, reference in [(15, first), (25, first), (40, first), (50, second), (55, first)]:
        clock.now = start + datetime.timedelta(minutes=minutes)
        assert receiver.get(case_url(reference)).status_code == 200
    page = auditor_search(staff_app, hsa_id=RECEIVER).text
    reads = [line for line in table_text(page).splitlines() if "Läste ärende" in line]
    assert reads == [
        f"1 juni 2026 kl. 12.55 | Rita Mottagare | {RECEIVER} | Ärendemottagare | Läste ärende | {ADULT} | {first}",
        f"1 juni 2026 kl. 12.50 | Rita Mottagare | {RECEIVER} | Ärendemottagare | Läste ärende | {OTHER_ADULT} | {second}",
        f"1 juni 2026 kl. 12.15–12.40 | Rita Mottagare | {RECEIVER} | Ärendemottagare | Läste ärende, 3 gånger "
        f"| {ADULT} | {first}",
    ]
    assert "visade på" in page  # the count says that lines were grouped
    export = auditor_search(staff_app, CSV_URL, hsa_id=RECEIVER)
    assert export.data.decode("utf-8-sig").count(";Läste ärende;") == 5  # the export keeps every row


def test_the_csv_has_a_bom_semicolons_swedish_headers_and_words(staff_app) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    receiver = staff_app.test_client()
    staff_login(receiver, RECEIVER)
    act(receiver, reference, "anteckning", text="=SUMMA(A1)")
    export = auditor_search(staff_app, CSV_URL, personnummer=ADULT)
    assert export.status_code == 200 and export.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert export.data.startswith(b"\xef\xbb\xbfTid;HSA-id;Namn;Roll;Mottagning;Personnummer;")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Tid", "HSA-id", "Namn", "Roll", "Mottagning", "Personnummer", "Ärende", "Handling", "Detaljer"]
    note = next(row for row in rows if row[7] == "Skrev intern anteckning")
    assert note == ["2026-06-01 12:00:00", RECEIVER, "Rita Mottagare", "Ärendemottagare", "Testmottagningen",
                    ADULT, reference, "Skrev intern anteckning", ""]
    assert {row[7] for row in rows[1:]} <= set(ACTION_NAMES.values())


def test_a_short_personnummer_is_refused_with_the_same_sentence_as_elsewhere(staff_app) -> None:
    """The log search showed the personnummer message without its full stop, unlike every other page."""
    short = auditor_search(staff_app, personnummer="1912", hsa_id="", fran="", till="")
    assert short.status_code == 422 and 'href="#personnummer"' in short.text
    assert "Skriv personnumret med 12 siffror, till exempel 19121212-1212.</" in short.text


def test_an_empty_search_says_what_to_fill_in_and_searches_nothing(staff_app) -> None:
    empty = auditor_search(staff_app, personnummer=" ", hsa_id="", fran="", till="")
    assert empty.status_code == 422 and "<title>Fel: " in empty.text
    assert NOTHING in empty.text and 'href="#personnummer"' in empty.text
    assert "Resultat" not in empty.text
    assert empty.text.count('<p class="hint" id="fran-hint">Till exempel 2027-01-31</p>') == 1  # as every date field


@pytest.mark.parametrize("role", ROLES)
def test_the_role_words_on_the_login_page_are_swedish_never_slugs(staff_app, role: str) -> None:
    page = staff_app.test_client().get(f"{BASE}/personal/logga-in/").text
    listing = page[page.index("Testpersonal"):]
    assert role not in listing
    assert "Rita Mottagare, SE0000000000-R001 (Testmottagningen: Ärendemottagare)" in listing
