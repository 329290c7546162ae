"""The case page as a handler uses it (issue 20 items 7 and 8), over HTTP.

A standardsvar is added to what was typed, never in its place, and the page comes back with every
text of its form as typed; only the standardsvar that fit the case's e-service are offered, none
chosen beforehand; the villkor are said in words, not as a hash; the staff header has no citizen
search; and the list is searched by ärendenummer or personnummer by POST, one access-log row per
list shown. (The two columns are a layout: tests/forms/test_staff_browser.py measures them.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_origin, get_type_hints

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forms.identity import demo_data
from forms.identity.demo_data import load_demo_data
from forms.staff import case_reads
from forms.staff.case_reads import CaseRow
from forms.store.db import AccessLogEntry, Case, CaseEvent, StandardAnswer
from tests.forms.conftest import ADULT, OTHER_ADULT, csrf_token
from tests.forms.staff_support import (
    ADMIN,
    BASE,
    BOTH,
    CLINIC,
    HANDLER,
    RECEIVER,
    act,
    case_url,
    send_case,
    staff_login,
)

LIST = f"{BASE}/personal/{CLINIC}/arenden/"
INTYG_TEXT = "Hej! Ditt intyg skickas med post inom två veckor."  # the test data's "Intyget skickas"


def _engine(app: Flask) -> Any:
    return app.extensions["hittavard_forms"].store.engine


def _rows(app: Flask, hsa_id: str, action: str) -> list[Any]:
    with _engine(app).connect() as connection:
        statement = select(AccessLogEntry).where(AccessLogEntry.action == action, AccessLogEntry.hsa_id == hsa_id)
        return list(connection.execute(statement).all())


def _textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea id="[^"]*" name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, f"no {name} field"
    return found.group(1)


def _options(html: str) -> list[tuple[str, str, bool]]:
    """The standardsvar select's options: (value, title, selected)."""
    select_html = re.search(r'<select id="standardsvar" name="standardsvar"[^>]*>(.*?)</select>', html, re.S)
    assert select_html, "no standardsvar select"
    return [
        (value, title, " selected" in attrs)
        for value, attrs, title in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select_html.group(1))
    ]


def _id_of(html: str, title: str) -> str:
    return next(value for value, shown, _ in _options(html) if shown == title)


def test_a_standardsvar_is_added_after_what_was_typed_and_every_text_comes_back(staff_app: Flask) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    client = staff_app.test_client()
    staff_login(client, BOTH)
    page = client.get(case_url(reference)).text
    chosen = _id_of(page, "Intyget skickas")
    typed = {"svar": "Hej Vera!\r\nJag har läst ditt ärende.\r\n\r\n", "delsvar": "Vi återkommer", "anteckning": "Ring"}
    added = act(client, reference, "standardsvar", standardsvar=chosen, **typed)
    assert added.status_code == 200
    assert _textarea(added.text, "svar") == f"Hej Vera!\nJag har läst ditt ärende.\n\n{INTYG_TEXT}"
    assert _textarea(added.text, "delsvar") == "Vi återkommer" and _textarea(added.text, "anteckning") == "Ring"
    assert "Standardsvaret ”Intyget skickas” är tillagt sist i svaret." in added.text
    assert [selected for _, _, selected in _options(added.text)] == [True, False]  # back to none chosen
    # Nothing is stored by it; the page shown is one read, as every page that shows the case.
    with _engine(staff_app).connect() as connection:
        assert connection.execute(select(Case.version).where(Case.reference == reference)).scalar_one() == 1
        assert connection.execute(select(CaseEvent.id)).all() == []
    reads = _rows(staff_app, BOTH, "read")
    assert len(reads) == 3 and reads[-1].detail == "visades igen efter standardsvar"  # two GETs by act()
    # With nothing typed the answer is the standardsvar alone.
    alone = act(client, reference, "standardsvar", standardsvar=chosen, svar="  ")
    assert _textarea(alone.text, "svar") == INTYG_TEXT


def test_only_the_standardsvar_that_fit_the_case_are_offered_and_none_is_chosen(staff_app: Flask) -> None:
    reference = send_case(staff_app.test_client(), ADULT)  # a Begär intyg case
    client = staff_app.test_client()
    staff_login(client, BOTH)
    page = client.get(case_url(reference)).text
    # "Receptet är förnyat" is for Förnya recept only; the other mottagning's is not this mottagning's.
    assert [(title, selected) for _, title, selected in _options(page)] == [
        ("Välj standardsvar", True),
        ("Intyget skickas", False),
    ]
    assert "Receptet är förnyat" not in page and "Annan mottagnings svar" not in page
    with _engine(staff_app).connect() as connection:
        ids = dict(connection.execute(select(StandardAnswer.title, StandardAnswer.id)).all())
    for not_offered in ("", str(ids["Receptet är förnyat"]), str(ids["Annan mottagnings svar"])):
        refused = act(client, reference, "standardsvar", standardsvar=not_offered, svar="Mitt svar")
        assert refused.status_code == 422 and "Välj ett av standardsvaren i listan." in refused.text
        assert _textarea(refused.text, "svar") == "Mitt svar"  # kept, nothing added
    # On a Förnya recept case (the same mottagning), the recipe's is offered too.
    with _engine(staff_app).begin() as connection:
        connection.execute(update(Case).where(Case.reference == reference).values(eservice="fornya-recept"))
    titles = [title for _, title, _ in _options(client.get(case_url(reference)).text)]
    assert titles == ["Välj standardsvar", "Intyget skickas", "Receptet är förnyat"]


def test_the_lokal_administrator_says_which_e_services_a_standardsvar_is_for(staff_app: Flask) -> None:
    admin = staff_app.test_client()
    staff_login(admin, ADMIN)
    form = admin.get(f"{BASE}/personal/{CLINIC}/standardsvar/ny/").text
    assert 'name="eservice" value="fornya-hjalpmedel"' in form and 'name="eservice" value="egen-fraga"' in form
    assert 'value="lanad"' not in form  # a borrowed e-service makes its cases at its own mottagning
    saved = admin.post(
        f"{BASE}/personal/{CLINIC}/standardsvar/ny/",
        data={"csrf_token": csrf_token(form), "title": "Hjälpmedlen är beställda", "text": "Hej! Beställt.",
              "eservice": ["fornya-hjalpmedel", "finns-inte"]},
    )
    assert saved.status_code == 303
    listing = admin.get(saved.headers["Location"]).text
    assert "Gäller Förnya hjälpmedel" in listing and "Gäller alla e-tjänster" in listing
    edit = re.search(r'href="([^"]*standardsvar/\d+/)">Hjälpmedlen är beställda', listing).group(1)
    assert 'value="fornya-hjalpmedel" checked' in admin.get(edit).text
    reference = send_case(staff_app.test_client(), ADULT)
    handler = staff_app.test_client()
    staff_login(handler, BOTH)
    assert "Hjälpmedlen är beställda" not in handler.get(case_url(reference)).text


def test_the_demo_standardsvar_name_the_e_services_they_are_for() -> None:
    demo = load_demo_data(Path(demo_data.__file__).with_suffix(".yaml"))
    scopes = {a.title: a.eservices for a in demo.standardsvar}
    assert scopes["Intyget skickas med post"] == ["begar-intyg"]
    assert scopes["Receptet är förnyat"] == ["fornya-recept"] and scopes["Vi behöver veta mer"] == []


def test_the_case_page_says_whether_the_approved_villkor_are_todays_without_a_hash(staff_app: Flask) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    with _engine(staff_app).connect() as connection:
        approved = connection.execute(select(Case.villkor_sha256).where(Case.reference == reference)).scalar_one()
    page = client.get(case_url(reference)).text
    assert "Invånaren godkände villkoren som gäller i dag." in page
    assert approved[:8] not in page and not re.search(r"version [0-9a-f]{6,}", page)
    with _engine(staff_app).begin() as connection:
        connection.execute(update(Case).where(Case.reference == reference).values(villkor_sha256="0" * 64))
    assert "Invånaren godkände en tidigare version av villkoren." in client.get(case_url(reference)).text


def test_the_staff_pages_have_no_citizen_search_in_their_header(staff_app: Flask) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    client = staff_app.test_client()
    assert "header-search" not in client.get(f"{BASE}/personal/logga-in/").text
    staff_login(client, RECEIVER)
    for url in (LIST, case_url(reference)):
        page = client.get(url).text
        assert "header-search" not in page and "Sök mottagning" not in page, url
    assert "Sök mottagning" in staff_app.test_client().get(f"{BASE}/logga-in/").text  # citizens keep it


def _search(client: FlaskClient, typed: str) -> Any:
    page = client.get(LIST)
    return client.post(LIST, data={"csrf_token": csrf_token(page.text), "sok": typed})


def _shown(html: str) -> set[str]:
    return set(re.findall(r"arenden/(HV-\d{4}-[0-9A-Z]{6})/", html))


def test_the_case_list_is_searched_by_arendenummer_and_personnummer_with_one_log_row(staff_app: Flask) -> None:
    mine = [send_case(staff_app.test_client(), ADULT) for _ in range(2)]
    other = send_case(staff_app.test_client(), OTHER_ADULT)
    client = staff_app.test_client()
    staff_login(client, RECEIVER)
    with _engine(staff_app).begin() as connection:  # a closed case is found too
        connection.execute(update(Case).where(Case.reference == mine[0]).values(status="Avslutad"))
    assert _shown(client.get(LIST).text) == {mine[1], other}

    before = len(_rows(staff_app, RECEIVER, "list"))
    found = _search(client, " " + other.lower().replace("-", "") + " ")  # as read out on the phone
    assert found.status_code == 200 and _shown(found.text) == {other}
    assert f"1 ärende med ärendenumret {other}" in found.text
    rows = _rows(staff_app, RECEIVER, "list")
    assert len(rows) == before + 2  # the GET of the form, and the search's one row
    assert (rows[-1].case_reference, rows[-1].personnummer) == (other, None)
    assert other in rows[-1].detail and "sökte på ärendenummer" in rows[-1].detail

    found = _search(client, ADULT.replace("-", ""))
    assert found.status_code == 200 and _shown(found.text) == set(mine)  # the closed one too
    rows = _rows(staff_app, RECEIVER, "list")
    assert len(rows) == before + 4
    assert rows[-1].personnummer == ADULT and all(r in rows[-1].detail for r in mine)

    for typed, message in (("", "Skriv ett ärendenummer eller ett personnummer att söka på."),
                           ("HV-2026", "Skriv ett ärendenummer som HV-2026-7KQ2MX"),
                           ("19700101-1235", "Personnumret stämmer inte.")):
        wrong = _search(client, typed)
        assert wrong.status_code == 422 and message in wrong.text and _shown(wrong.text) == set()
        assert f'value="{typed}"' in wrong.text  # kept
    assert len(_rows(staff_app, RECEIVER, "list")) == before + 7  # three GETs of the form, no search rows
    # The list's address never searches: a query is not read.
    assert _shown(client.get(f"{LIST}?sok={ADULT}").text) == {mine[1], other}


def test_a_search_finds_only_the_cases_the_person_may_see(staff_app: Flask) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    handler = staff_app.test_client()
    staff_login(handler, HANDLER)  # a handler alone sees only the cases distributed to them
    assert _shown(_search(handler, reference).text) == set()
    assert _shown(_search(handler, ADULT).text) == set()
    receiver = staff_app.test_client()
    staff_login(receiver, RECEIVER)
    act(receiver, reference, "fordela", handler=HANDLER)
    assert _shown(_search(handler, reference).text) == {reference}


def test_the_list_links_each_case_to_its_page_whose_forms_post_to_its_actions(staff_app: Flask) -> None:
    """The addresses the pages write (forms.platform.links) are the routes' own: a link or a form
    that led elsewhere would only show in a browser test."""
    references = [send_case(staff_app.test_client(), person) for person in (ADULT, OTHER_ADULT)]
    client = staff_app.test_client()
    staff_login(client, BOTH)
    listed = re.findall(r'<a href="([^"]+)">[^<]*<span class="visually-hidden">, ärende ([^<]+)</span>', client.get(LIST).text)
    assert sorted(listed) == sorted((case_url(reference), reference) for reference in references)
    page = client.get(listed[0][0]).text
    posts = re.findall(r'(?:action|formaction)="([^"]+)"', page)
    actions = [address.removeprefix(listed[0][0]) for address in posts if address.startswith(listed[0][0])]
    assert sorted(set(actions)) == ["anteckning/", "delsvar/", "fordela/", "standardsvar/#svar-text", "svara/"]


def test_a_case_row_is_typed_as_the_columns_of_cases_the_plain_read_gives(staff_app: Flask) -> None:
    """CaseRow names what the case page reads of a case: each name a column of `cases`, and the row
    the page reads has each, of the type CaseRow says (so the hint cannot drift from the table)."""
    reference = send_case(staff_app.test_client(), ADULT)
    members = {name: get_type_hints(value.fget)["return"] for name, value in vars(CaseRow).items() if isinstance(value, property)}
    assert members and set(members) <= set(Case.__table__.c.keys())
    with _engine(staff_app).connect() as connection:
        found = case_reads.case(connection, CLINIC, reference)
    assert found is not None
    for name, hint in members.items():
        checked = list if get_origin(hint) is list else hint  # isinstance takes `X | None`, not list[Any]
        assert isinstance(getattr(found, name), checked), name
