"""Ways out of and back from the citizen's pages (issue 20, item 6).

"Avbryt" on every step of a case, back to the contact page it began on; none on the receipt,
a finished journey; "Tillbaka" from the login, "Byt person" and "Mina uppgifter" to where the
citizen came from.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.forms.conftest import (
    ADULT,
    BASE,
    INTYG_URL,
    OTHER_ADULT,
    answer,
    approve,
    intyg_to_check,
    login,
    send_form_data,
)

CONTACT_PAGE = "/mottagningar/testmottagningen/"


def cancel_link(html: str) -> str | None:
    found = re.search(r'<a class="cancel-link" href="([^"]+)">Avbryt</a>', html)
    return found.group(1) if found else None


def back_link(html: str) -> str | None:
    found = re.search(r'<a class="back-link" href="([^"]+)">Tillbaka</a>', html)
    return found.group(1) if found else None


def test_every_step_of_a_case_has_avbryt_to_the_contact_page_and_the_receipt_none(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    assert cancel_link(client.get(INTYG_URL).text) == CONTACT_PAGE  # villkor
    approve(client)
    assert cancel_link(client.get(f"{INTYG_URL}sida/1/").text) == CONTACT_PAGE
    answer(client, f"{INTYG_URL}sida/1/", {"intyg": "Körkortsintyg", "renewal": "Förnyelse"})
    assert cancel_link(client.get(f"{INTYG_URL}sida/2/").text) == CONTACT_PAGE
    check = intyg_to_check(client)
    assert cancel_link(check) == CONTACT_PAGE
    sent = client.post(f"{INTYG_URL}skicka/", data=send_form_data(check))
    receipt = client.get(sent.headers["Location"]).text
    assert "Ditt ärende är skickat" in receipt
    assert cancel_link(receipt) is None and "Tillbaka" not in receipt


def test_the_login_leads_back_to_the_contact_page_of_what_was_opened(client: FlaskClient) -> None:
    assert back_link(client.get(f"{BASE}/logga-in/", query_string={"next": INTYG_URL}).text) == CONTACT_PAGE
    assert back_link(client.get(f"{BASE}/logga-in/").text) == "/"  # from nowhere in particular: the front page
    assert back_link(client.get(f"{BASE}/logga-in/", query_string={"next": f"{BASE}/inkorg/"}).text) == "/"


def test_byt_person_and_mina_uppgifter_lead_back_to_the_page_they_were_opened_on(client: FlaskClient) -> None:
    login(client, ADULT)
    villkor = client.get(INTYG_URL).text
    contact_href = re.search(r'href="([^"]*/mina-uppgifter/[^"]*)"', villkor)
    assert contact_href and "next=" in contact_href.group(1)  # the logged-in bar says where it was opened
    assert back_link(client.get(f"{BASE}/ombud/", query_string={"next": INTYG_URL}).text) == INTYG_URL
    assert back_link(client.get(f"{BASE}/mina-uppgifter/", query_string={"next": INTYG_URL}).text) == INTYG_URL
    assert back_link(client.get(f"{BASE}/mina-uppgifter/").text) == f"{BASE}/inkorg/"
    # Never back to another site, nor round in a circle to itself.
    assert back_link(client.get(f"{BASE}/mina-uppgifter/", query_string={"next": "https://evil.example/"}).text) \
        == f"{BASE}/inkorg/"
    itself = f"{BASE}/mina-uppgifter/?sparat=1"
    assert back_link(client.get(f"{BASE}/mina-uppgifter/", query_string={"next": itself}).text) == f"{BASE}/inkorg/"
