"""The course of an e-service through Flask's test client: order of steps, storage, who sees what."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from forms.store.cases import Owner
from tests.forms.conftest import (
    ADULT,
    BASE,
    CHILD,
    INTYG_URL,
    OTHER_ADULT,
    OTHER_GUARDIAN,
    act_for,
    answer,
    approve,
    counts,
    csrf_token,
    intyg_to_check,
    login,
    reference_of,
    send_form_data,
    submit,
)


def test_not_logged_in_goes_to_login_and_back_to_the_eservice(client: FlaskClient) -> None:
    first = client.get(INTYG_URL)
    assert first.status_code == 303
    assert first.headers["Location"].startswith(f"{BASE}/logga-in/?next=")
    login_page = client.get(first.headers["Location"])
    assert "Testinloggning" in login_page.text
    done = client.post(
        first.headers["Location"],
        data={"csrf_token": csrf_token(login_page.text), "personnummer": OTHER_ADULT, "next": INTYG_URL},
    )
    assert done.headers["Location"] == INTYG_URL
    villkor = client.get(INTYG_URL)
    assert "Jag har läst och godkänner villkoren" in villkor.text


def test_guardian_starts_as_themselves_and_can_choose_a_child_under_13(client: FlaskClient) -> None:
    response = login(client, ADULT, INTYG_URL)
    assert response.headers["Location"] == INTYG_URL
    villkor = client.get(INTYG_URL).text
    assert "Du använder e-tjänsterna för dig själv" in villkor
    assert f'href="{BASE}/ombud/?next={INTYG_URL}"' in villkor
    choose = client.get(f"{BASE}/ombud/", query_string={"next": INTYG_URL})
    assert "Bo Barn" in choose.text
    assert "Ulla Trettonår" not in choose.text  # 13 years old: not someone a guardian acts for
    chosen = client.post(
        f"{BASE}/ombud/", data={"csrf_token": csrf_token(choose.text), "subject": CHILD, "next": INTYG_URL}
    )
    assert chosen.headers["Location"] == INTYG_URL
    assert "Du använder e-tjänsterna för <strong>Bo Barn</strong>" in client.get(INTYG_URL).text
    assert "Du använder e-tjänsterna för <strong>Bo Barn</strong>" in client.get(f"{BASE}/inkorg/").text


def test_without_children_there_is_no_choice_to_make(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    assert "Byt person" not in client.get(INTYG_URL).text
    assert client.get(f"{BASE}/ombud/").headers["Location"] == f"{BASE}/inkorg/"


def test_acting_for_a_child_that_is_not_theirs_is_404(client: FlaskClient) -> None:
    login(client, OTHER_GUARDIAN)
    assert act_for(client, ADULT).status_code == 404
    assert act_for(client, "20130101-4566").status_code == 404


def test_villkor_cannot_be_skipped_by_url_or_post(app: Flask, client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    for url in (f"{INTYG_URL}sida/1/", f"{INTYG_URL}sida/3/", f"{INTYG_URL}kontrollera/"):
        response = client.get(url)
        assert response.status_code == 303 and response.headers["Location"] == INTYG_URL, url
    token = csrf_token(client.get(INTYG_URL).text)
    posted = client.post(f"{INTYG_URL}sida/1/", data={"csrf_token": token, "intyg": "Körkortsintyg", "renewal": "Nytt intyg"})
    assert posted.headers["Location"] == INTYG_URL
    sent = client.post(f"{INTYG_URL}skicka/", data={"csrf_token": token})
    assert sent.headers["Location"] == INTYG_URL
    assert counts(app) == (0, 0)


def test_villkor_without_the_checkbox_shows_an_error_and_stores_nothing(app: Flask, client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    response = submit(client, INTYG_URL, {})
    assert response.status_code == 200
    assert "<title>Fel: Villkor" in response.text
    assert 'href="#approve"' in response.text and 'id="approve"' in response.text
    assert counts(app) == (0, 0)


def test_approval_stores_the_villkor_hash_and_time_on_the_case(app: Flask, client: FlaskClient) -> None:
    import hashlib

    login(client, OTHER_ADULT)
    check = intyg_to_check(client)
    location = client.post(f"{INTYG_URL}skicka/", data=send_form_data(check)).headers["Location"]
    case = app.extensions["hittavard_forms"].store.case_by_reference(reference_of(location))
    villkor = app.extensions["hittavard_forms"].content.eservices["begar-intyg"].villkor
    assert case.villkor_sha256 == hashlib.sha256(villkor.encode("utf-8")).hexdigest()
    assert case.villkor_approved_at.isoformat().startswith("2026-06-01T10:00")


def test_a_later_page_is_not_reachable_before_earlier_pages_are_answered(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    approve(client)
    assert client.get(f"{INTYG_URL}sida/3/").headers["Location"] == f"{INTYG_URL}sida/1/"
    assert client.get(f"{INTYG_URL}kontrollera/").headers["Location"] == f"{INTYG_URL}sida/1/"
    token = csrf_token(client.get(f"{INTYG_URL}sida/1/").text)
    early_send = client.post(f"{INTYG_URL}skicka/", data={"csrf_token": token})
    assert early_send.headers["Location"] == f"{INTYG_URL}sida/1/"


def test_missing_csrf_token_is_400_and_stores_nothing(app: Flask, client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    assert client.post(INTYG_URL, data={"approve": "yes"}).status_code == 400
    assert counts(app) == (0, 0)
    check = intyg_to_check(client)
    data = send_form_data(check)
    del data["csrf_token"]
    refused = client.post(f"{INTYG_URL}skicka/", data=data)
    assert refused.status_code == 400
    assert "Sidan kunde inte skickas" in refused.text
    assert counts(app)[1] == 0
    wrong = client.post(f"{INTYG_URL}skicka/", data={**data, "csrf_token": "not-a-token"})
    assert wrong.status_code == 400 and counts(app)[1] == 0


def test_logout_without_csrf_token_is_refused(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    assert client.post(f"{BASE}/logga-ut/").status_code == 400
    assert client.get(f"{BASE}/inkorg/").status_code == 200


def test_double_send_stores_one_case_and_gives_the_same_receipt(app: Flask, client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    check = intyg_to_check(client)
    data = send_form_data(check)
    first = client.post(f"{INTYG_URL}skicka/", data=data)
    second = client.post(f"{INTYG_URL}skicka/", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert counts(app)[1] == 1
    # Back to the check page after sending, or reloading it, leads to the same receipt.
    assert client.get(f"{INTYG_URL}kontrollera/").headers["Location"] == first.headers["Location"]
    receipt = client.get(first.headers["Location"])
    assert "Ditt ärende är skickat" in receipt.text
    assert reference_of(first.headers["Location"]) in receipt.text


def test_sending_after_the_draft_is_gone_does_not_create_a_second_case(app: Flask, client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    check = intyg_to_check(client)
    client.post(f"{INTYG_URL}skicka/", data=send_form_data(check))
    data = send_form_data(check)
    again = client.post(f"{INTYG_URL}skicka/", data={**data, "draft": ""})
    assert again.headers["Location"] == INTYG_URL
    assert counts(app)[1] == 1


def test_a_new_case_after_sending_starts_with_the_villkor_again(app: Flask, client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    client.post(f"{INTYG_URL}skicka/", data=send_form_data(intyg_to_check(client)))
    assert client.get(f"{INTYG_URL}sida/1/").headers["Location"] == INTYG_URL
    client.post(f"{INTYG_URL}skicka/", data=send_form_data(intyg_to_check(client)))
    assert counts(app) == (2, 2)


def test_someone_elses_case_is_404(client: FlaskClient, app: Flask) -> None:
    login(client, OTHER_ADULT)
    location = client.post(f"{INTYG_URL}skicka/", data=send_form_data(intyg_to_check(client))).headers["Location"]
    reference = reference_of(location)
    stranger = app.test_client()
    login(stranger, ADULT)
    act_for(stranger, None)
    assert stranger.get(f"{BASE}/inkorg/{reference}/").status_code == 404
    assert stranger.get(f"{BASE}/inkorg/{reference}/kvitto/").status_code == 404
    assert reference not in stranger.get(f"{BASE}/inkorg/").text
    assert client.get(f"{BASE}/inkorg/{reference}/").status_code == 200
    assert client.get(f"{BASE}/inkorg/HV-2026-AAAAAA/").status_code == 404


def test_guardian_sees_the_childs_case_and_others_do_not(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    act_for(client, CHILD)
    location = client.post(f"{INTYG_URL}skicka/", data=send_form_data(intyg_to_check(client))).headers["Location"]
    reference = reference_of(location)
    case = app.extensions["hittavard_forms"].store.case_by_reference(reference)
    assert (case.actor, case.subject) == (ADULT, CHILD)
    assert reference in client.get(f"{BASE}/inkorg/").text
    page = client.get(f"{BASE}/inkorg/{reference}/")
    assert page.status_code == 200 and "Bo Barn" in page.text
    act_for(client, None)  # as herself she still may open her child's case
    assert client.get(f"{BASE}/inkorg/{reference}/").status_code == 200
    assert reference not in client.get(f"{BASE}/inkorg/").text  # her own inbox lists her own cases
    other_parent = app.test_client()
    login(other_parent, OTHER_GUARDIAN)
    act_for(other_parent, CHILD)
    assert other_parent.get(f"{BASE}/inkorg/{reference}/").status_code == 200
    stranger = app.test_client()
    login(stranger, OTHER_ADULT)
    assert stranger.get(f"{BASE}/inkorg/{reference}/").status_code == 404


def test_drafts_are_kept_apart_per_child(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    act_for(client, CHILD)
    approve(client)
    act_for(client, None)
    assert client.get(f"{INTYG_URL}sida/1/").headers["Location"] == INTYG_URL
    store = app.extensions["hittavard_forms"].store
    assert store.open_draft(Owner(ADULT, CHILD), "testmottagningen", "begar-intyg") is not None
    assert store.open_draft(Owner(ADULT, ADULT), "testmottagningen", "begar-intyg") is None


def test_logout_invalidates_a_copied_cookie(app: Flask, client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    cookie = client.get_cookie("__Host-session")
    assert cookie is not None
    submit(client, f"{BASE}/inkorg/", None)  # not a form: just proves the session works before
    token = csrf_token(client.get(f"{BASE}/inkorg/").text)
    assert client.post(f"{BASE}/logga-ut/", data={"csrf_token": token}).headers["Location"] == f"{BASE}/utloggad/"
    thief = app.test_client()
    thief.set_cookie("__Host-session", cookie.value, path="/", secure=True)
    response = thief.get(f"{BASE}/inkorg/")
    assert response.status_code == 303 and "/logga-in/" in response.headers["Location"]


def test_login_gives_a_new_session_token(app: Flask, client: FlaskClient) -> None:
    client.get(f"{BASE}/logga-in/")
    before = client.get_cookie("__Host-session")
    assert before is not None
    login(client, OTHER_ADULT)
    after = client.get_cookie("__Host-session")
    assert after is not None and after.value != before.value
    planted = app.test_client()
    planted.set_cookie("__Host-session", before.value, path="/", secure=True)
    assert planted.get(f"{BASE}/inkorg/").status_code == 303


def test_answers_survive_going_back_and_reloading(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    approve(client)
    answer(client, f"{INTYG_URL}sida/1/", {"intyg": "Intyg om vapeninnehav", "renewal": "Förnyelse"})
    again = client.get(f"{INTYG_URL}sida/1/")
    assert re.search(r'value="Intyg om vapeninnehav" checked', again.text)
    typed = answer(client, f"{INTYG_URL}sida/2/", {"issued_by": "Dr Berg", "valid_until": "31/12"})
    assert typed.status_code == 200 and 'value="Dr Berg"' in typed.text
    # The typed (invalid) answer is kept server-side: a reload shows it again.
    assert 'value="Dr Berg"' in client.get(f"{INTYG_URL}sida/2/").text


def test_changing_an_answer_drops_the_page_that_no_longer_applies(app: Flask, client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    check = intyg_to_check(client, renewal=True)
    assert "Dr Berg" in check
    answer(client, f"{INTYG_URL}sida/1/?fran=kontrollera", {"intyg": "Körkortsintyg", "renewal": "Nytt intyg"})
    check = client.get(f"{INTYG_URL}kontrollera/").text
    assert "Dr Berg" not in check and "Ditt nuvarande intyg" not in check
    location = client.post(f"{INTYG_URL}skicka/", data=send_form_data(check)).headers["Location"]
    case = app.extensions["hittavard_forms"].store.case_by_reference(reference_of(location))
    assert "issued_by" not in case.answers and case.answers["renewal"] == "Nytt intyg"
    draft = app.extensions["hittavard_forms"].store.draft_by_key(Owner(OTHER_ADULT, OTHER_ADULT), send_form_data(check)["draft"])
    assert draft.raw == {}  # the sent draft keeps no copy of the answers


def test_change_link_returns_to_the_check_page(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    check = intyg_to_check(client, renewal=False)
    assert f'href="{INTYG_URL}sida/1/?fran=kontrollera"' in check
    page = client.get(f"{INTYG_URL}sida/1/?fran=kontrollera")
    assert f'class="back-link" href="{INTYG_URL}kontrollera/"' in page.text
    done = answer(client, f"{INTYG_URL}sida/1/?fran=kontrollera", {"intyg": "Intyg om vapeninnehav", "renewal": "Nytt intyg"})
    assert done.headers["Location"] == f"{INTYG_URL}kontrollera/"


def test_change_that_opens_a_new_page_asks_it_before_returning(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    intyg_to_check(client, renewal=False)
    done = answer(client, f"{INTYG_URL}sida/1/?fran=kontrollera", {"intyg": "Körkortsintyg", "renewal": "Förnyelse"})
    assert done.headers["Location"] == f"{INTYG_URL}sida/2/?fran=kontrollera"
    back = answer(client, f"{INTYG_URL}sida/2/?fran=kontrollera", {"issued_by": "Dr Ek", "valid_until": "2027-01-01"})
    assert back.headers["Location"] == f"{INTYG_URL}kontrollera/"


def test_case_page_shows_exactly_what_was_sent(app: Flask, client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    check = intyg_to_check(client)
    location = client.post(f"{INTYG_URL}skicka/", data=send_form_data(check)).headers["Location"]
    page = client.get(f"{BASE}/inkorg/{reference_of(location)}/").text
    for text in ("Körkortsintyg", "Förnyelse", "Dr Berg", "31 december 2026", "Till Transportstyrelsen", "Testmottagningen"):
        assert text in page
    case = app.extensions["hittavard_forms"].store.case_by_reference(reference_of(location))
    assert case.answers == {
        "intyg": "Körkortsintyg",
        "renewal": "Förnyelse",
        "issued_by": "Dr Berg",
        "valid_until": "2026-12-31",
        "message": "Till Transportstyrelsen",
    }
    assert [section["title"] for section in case.summary] == ["Vilket intyg gäller det?", "Ditt nuvarande intyg", "Något mer?"]


def test_repeat_items_are_added_and_removed_with_buttons(app: Flask, client: FlaskClient) -> None:
    url = f"{BASE}/testmottagningen/fornya-hjalpmedel/"
    login(client, OTHER_ADULT)
    approve(client, url)
    first = {"products-0-product": "Tena", "products-0-per_day": "3", "products-0-packages": "2"}
    added = answer(client, f"{url}sida/1/", {**first, "action": "add:products"})
    assert added.headers["Location"] == f"{url}sida/1/#products-1-product"
    page = client.get(f"{url}sida/1/").text
    assert "Hjälpmedel 2" in page and 'value="Tena"' in page
    both = {**first, "products-1-product": "Abena", "products-1-per_day": "1", "products-1-packages": "1"}
    removed = answer(client, f"{url}sida/1/", {**both, "action": "remove:products:0"})
    assert removed.headers["Location"] == f"{url}sida/1/#products-group"
    page = client.get(f"{url}sida/1/").text
    assert 'value="Abena"' in page and "Tena" not in page and "Hjälpmedel 2" not in page
    done = answer(client, f"{url}sida/1/", {"products-0-product": "Abena", "products-0-per_day": "1,5", "products-0-packages": "1"})
    assert done.headers["Location"] == f"{url}kontrollera/"
    check = client.get(f"{url}kontrollera/").text
    location = client.post(f"{url}skicka/", data=send_form_data(check)).headers["Location"]
    case = app.extensions["hittavard_forms"].store.case_by_reference(reference_of(location))
    assert case.answers["products"] == [{"product": "Abena", "size": None, "per_day": 1.5, "packages": 1}]


def test_unknown_or_borrowed_eservice_address_is_404(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    assert client.get(f"{BASE}/testmottagningen/finns-inte/").status_code == 404
    assert client.get(f"{BASE}/finns-inte/begar-intyg/").status_code == 404
    # A borrowed e-service is served at the address of the mottagning it is borrowed from.
    assert client.get(f"{BASE}/testmottagningen/lanad/").status_code == 404
    assert client.get(f"{BASE}/andra-mottagningen/lanad/").status_code == 200


def test_local_eservice_runs_the_whole_course(app: Flask, client: FlaskClient) -> None:
    url = f"{BASE}/testmottagningen/egen-fraga/"
    login(client, OTHER_ADULT)
    approve(client, url)
    assert answer(client, f"{url}sida/1/", {"question": "Hur länge?"}).headers["Location"] == f"{url}kontrollera/"
    location = client.post(f"{url}skicka/", data=send_form_data(client.get(f"{url}kontrollera/").text)).headers["Location"]
    assert "Egen fråga" in client.get(location).text


def test_page_number_out_of_range_is_404(client: FlaskClient) -> None:
    login(client, OTHER_ADULT)
    approve(client)
    assert client.get(f"{INTYG_URL}sida/9/").status_code == 404
    assert client.get(f"{INTYG_URL}sida/0/").status_code == 404


def test_login_redirect_never_leaves_the_app(client: FlaskClient) -> None:
    # Another site, also with one of the app's own paths after its host (that alone would pass the path check).
    elsewhere = (f"https://evil.example{BASE}/inkorg/", f"//evil.example{BASE}/inkorg/")
    for target in ("https://evil.example/", "//evil.example/", *elsewhere, "/annat/", "/e-tjanster/\\evil"):
        page = client.get(f"{BASE}/logga-in/", query_string={"next": target})
        done = client.post(
            f"{BASE}/logga-in/",
            data={"csrf_token": csrf_token(page.text), "personnummer": OTHER_ADULT, "next": target},
        )
        assert done.headers["Location"] == f"{BASE}/inkorg/", target


def test_a_next_that_is_no_page_of_the_app_leads_to_the_inbox_not_to_sidan_finns_inte(client: FlaskClient) -> None:
    for target in (f"{BASE}/0", f"{BASE}/inkorg", f"{BASE}/finns/inte/alls/"):  # unknown, slash missing, unknown
        page = client.get(f"{BASE}/logga-in/", query_string={"next": target})
        done = client.post(
            f"{BASE}/logga-in/",
            data={"csrf_token": csrf_token(page.text), "personnummer": OTHER_ADULT, "next": target},
        )
        assert done.headers["Location"] == f"{BASE}/inkorg/", target
        client.post(f"{BASE}/logga-ut/", data={"csrf_token": csrf_token(client.get(f"{BASE}/inkorg/").text)})
    page = client.get(f"{BASE}/logga-in/", query_string={"next": INTYG_URL})
    done = client.post(
        f"{BASE}/logga-in/", data={"csrf_token": csrf_token(page.text), "personnummer": OTHER_ADULT, "next": INTYG_URL}
    )
    assert done.headers["Location"] == INTYG_URL  # a real page is still where the login goes on to


def test_an_unknown_eservice_is_404_before_any_login(app: Flask) -> None:
    client = app.test_client()
    assert client.get(f"{BASE}/testmottagningen/finns-inte/").status_code == 404
    assert client.get(f"{BASE}/finns-inte/begar-intyg/").status_code == 404
    assert client.get(INTYG_URL).status_code == 303  # a real one still goes to the login first
