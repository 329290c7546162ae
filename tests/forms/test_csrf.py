"""CSRF (issue 6 item 2): missing or wrong token is 400 and stores nothing; a stale one keeps the page.

A token is only "stale" when it is this session's own and older than FORMS_CSRF_MINUTES; then the
page comes back with what was typed, a fresh token and a notice, and nothing is stored until the
citizen sends again. The session is kept alive meanwhile by another tab, as it would be in life
(the idle timeout is shorter than the token's lifetime).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from forms.store.db import Draft
from tests.forms.conftest import (
    ADULT,
    BASE,
    INTYG_URL,
    OTHER_ADULT,
    approve,
    counts,
    csrf_token,
    intyg_to_check,
    login,
    send_form_data,
    submit,
)
from tests.forms.security_support import Clock, token_clock

clock = pytest.fixture(token_clock)

STALE = "Sidan hade varit öppen länge"




def drafts(app: Flask) -> list[tuple[str, dict[str, object]]]:
    store = app.extensions["hittavard_forms"].store
    with store._begin() as db:
        return [(row.status, dict(row.raw)) for row in db.query(Draft).order_by(Draft.id)]


def wait_with_another_tab_open(client: FlaskClient, clock: Clock, minutes: int) -> None:
    """Let `minutes` pass while the citizen keeps working in another tab (so the session lives on)."""
    for _ in range(minutes // 20):
        clock.advance(minutes=20)
        assert client.get(f"{BASE}/inkorg/").status_code == 200
    clock.advance(minutes=minutes % 20)


# Missing and wrong tokens ---------------------------------------------------------------------------

POSTS = [
    (f"{BASE}/logga-in/", {"personnummer": OTHER_ADULT}),
    (INTYG_URL, {"approve": "yes"}),
    (f"{INTYG_URL}sida/1/", {"intyg": "Körkortsintyg", "renewal": "Nytt intyg"}),
    (f"{INTYG_URL}sida/3/", {"message": "Hej"}),
    (f"{INTYG_URL}kontrollera/", {}),
    (f"{INTYG_URL}skicka/", {}),
    (f"{BASE}/ombud/", {"subject": "self"}),
    (f"{BASE}/logga-ut/", {}),
]


def _prepared(app: Flask) -> tuple[FlaskClient, str, dict[str, str]]:
    """Logged in, villkor approved, page 1 answered: every later step has something to lose.

    The last value is what the check page's "Skicka" carries besides its token (draft, `visad`).
    """
    client = app.test_client()
    login(client, ADULT)
    approve(client)
    submit(client, f"{INTYG_URL}sida/1/", {"intyg": "Körkortsintyg", "renewal": "Nytt intyg"})
    page = client.get(f"{INTYG_URL}sida/3/").text
    sent = {key: value for key, value in send_form_data(intyg_check(client)).items() if key != "csrf_token"}
    return client, csrf_token(page), sent


def intyg_check(client: FlaskClient) -> str:
    submit(client, f"{INTYG_URL}sida/3/", {"message": "Före"})
    return client.get(f"{INTYG_URL}kontrollera/").text


@pytest.mark.parametrize(("url", "data"), POSTS, ids=[url.removeprefix(BASE) for url, _ in POSTS])
def test_missing_or_wrong_token_is_400_and_stores_nothing(app: Flask, url: str, data: dict[str, str]) -> None:
    client, good, shown = _prepared(app)
    other = app.test_client()
    other_token = csrf_token(other.get(f"{BASE}/logga-in/").text)
    payload, stamp, mac = good.split(".")
    tokens = {
        "missing": None,
        "empty": "",
        "garbage": "ABC<script>",
        "no signature": payload,
        # The first character: the last one of base64 may only carry padding bits.
        "tampered": f"{payload}.{stamp}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}",
        "another session's": other_token,
        "signed with another key": URLSafeTimedSerializer("not-our-key", salt="wtf-csrf-token").dumps("x"),
        "huge": f"{'9' * 400}.{stamp}.{mac}",
    }
    for name, token in tokens.items():
        posted = dict(data, **shown)
        if token is not None:
            posted["csrf_token"] = token
        before = (counts(app), drafts(app))
        response = client.post(url, data=posted)
        assert response.status_code == 400, (name, response.status_code)
        assert "Sidan kunde inte skickas" in response.text, name
        assert (counts(app), drafts(app)) == before, name
    assert client.get(f"{BASE}/inkorg/").status_code == 200  # still logged in: logout was refused too
    assert client.post(url, data=dict(data, **shown, csrf_token=good)).status_code == 303  # the control


# Stale tokens ------------------------------------------------------------------------------------------


def test_a_stale_token_on_a_page_shows_it_again_with_what_was_typed_and_saves_only_when_sent_again(
    timed_app: Flask, clock: Clock
) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    approve(client)
    submit(client, f"{INTYG_URL}sida/1/", {"intyg": "Körkortsintyg", "renewal": "Nytt intyg"})
    page = client.get(f"{INTYG_URL}sida/3/").text
    before = drafts(timed_app)
    wait_with_another_tab_open(client, clock, 65)
    typed = "En lång text som tog en timme att skriva"
    response = client.post(f"{INTYG_URL}sida/3/", data={"csrf_token": csrf_token(page), "message": typed})
    assert response.status_code == 200
    assert STALE in response.text and "tryck på Fortsätt igen" in response.text
    assert typed in response.text
    fresh = csrf_token(response.text)
    assert fresh != csrf_token(page)
    assert drafts(timed_app) == before  # nothing saved yet
    assert "Fel: " not in response.text.split("</title>")[0]  # not shown as the citizen's error

    again = client.post(f"{INTYG_URL}sida/3/", data={"csrf_token": fresh, "message": typed})
    assert again.status_code == 303 and again.headers["Location"].endswith("/kontrollera/")
    assert drafts(timed_app)[0][1]["2"] == {"message": [typed]}


def test_a_stale_token_on_a_repeat_page_keeps_every_item_and_ignores_the_button(
    timed_app: Flask, clock: Clock
) -> None:
    url = f"{BASE}/testmottagningen/fornya-hjalpmedel/"
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    approve(client, url)
    page = client.get(f"{url}sida/1/").text
    before = drafts(timed_app)
    wait_with_another_tab_open(client, clock, 61)
    posted = {
        "csrf_token": csrf_token(page), "action": "remove:products:0",
        "products-0-product": "Tena", "products-0-per_day": "3",
        "products-1-product": "Abena", "products-1-packages": "2",
    }
    response = client.post(f"{url}sida/1/", data=posted)
    assert response.status_code == 200 and STALE in response.text
    assert 'value="Tena"' in response.text and 'value="Abena"' in response.text
    assert drafts(timed_app) == before


def test_a_stale_token_on_the_villkor_keeps_the_checkbox_and_creates_no_draft(timed_app: Flask, clock: Clock) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    page = client.get(INTYG_URL).text
    wait_with_another_tab_open(client, clock, 70)
    response = client.post(INTYG_URL, data={"csrf_token": csrf_token(page), "approve": "yes"})
    assert response.status_code == 200 and STALE in response.text
    assert 'value="yes" checked' in response.text
    assert counts(timed_app) == (0, 0)


def test_a_stale_token_on_send_shows_the_check_page_and_sends_only_when_pressed_again(
    timed_app: Flask, clock: Clock
) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    check = intyg_to_check(client)
    wait_with_another_tab_open(client, clock, 90)
    response = client.post(f"{INTYG_URL}skicka/", data=send_form_data(check))
    assert response.status_code == 200 and STALE in response.text and "Skicka igen" in response.text
    assert "Kontrollera dina svar" in response.text
    assert counts(timed_app) == (1, 0)
    sent = client.post(f"{INTYG_URL}skicka/", data=send_form_data(response.text))
    assert sent.status_code == 303 and "/kvitto/" in sent.headers["Location"]
    assert counts(timed_app) == (1, 1)


def test_a_stale_token_on_the_login_keeps_the_personnummer_and_does_not_log_in(
    timed_app: Flask, clock: Clock
) -> None:
    client = timed_app.test_client()
    page = client.get(f"{BASE}/logga-in/").text
    clock.advance(hours=3)  # nobody is logged in: no idle timeout applies
    response = client.post(f"{BASE}/logga-in/", data={"csrf_token": csrf_token(page), "personnummer": OTHER_ADULT})
    assert response.status_code == 200 and STALE in response.text
    assert f'value="{OTHER_ADULT}"' in response.text
    assert client.get(f"{BASE}/inkorg/").status_code == 303
    logged_in = client.post(f"{BASE}/logga-in/", data={"csrf_token": csrf_token(response.text), "personnummer": OTHER_ADULT})
    assert logged_in.status_code == 303 and client.get(f"{BASE}/inkorg/").status_code == 200


def test_a_stale_token_on_the_choice_of_person_keeps_the_choice(timed_app: Flask, clock: Clock) -> None:
    client = timed_app.test_client()
    login(client, ADULT)
    page = client.get(f"{BASE}/ombud/").text
    wait_with_another_tab_open(client, clock, 61)
    from tests.forms.conftest import CHILD

    response = client.post(f"{BASE}/ombud/", data={"csrf_token": csrf_token(page), "subject": CHILD})
    assert response.status_code == 200 and STALE in response.text
    assert f'value="{CHILD}" checked' in response.text
    assert "Du använder e-tjänsterna för dig själv" in response.text  # nothing changed


def test_a_stale_token_on_logout_still_logs_out(timed_app: Flask, clock: Clock) -> None:
    client = timed_app.test_client()
    login(client, OTHER_ADULT)
    page = client.get(f"{BASE}/inkorg/").text
    wait_with_another_tab_open(client, clock, 61)
    response = client.post(f"{BASE}/logga-ut/", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert client.get(f"{BASE}/inkorg/").status_code == 303


def test_the_token_lifetime_is_configurable_and_a_view_of_its_own_gets_a_friendly_page(
    make_app: Callable[..., Flask], clock: Clock
) -> None:
    app = make_app(CLOCK=clock, FORMS_CSRF_MINUTES="5")

    def operator_view() -> str:
        return "gjort"

    app.add_url_rule(f"{BASE}/egen/", view_func=operator_view, methods=["POST"])
    client = app.test_client()
    login(client, OTHER_ADULT)
    token = csrf_token(client.get(f"{BASE}/inkorg/").text)
    assert client.post(f"{BASE}/egen/", data={"csrf_token": token}).text == "gjort"
    clock.advance(minutes=6)
    stale = client.post(f"{BASE}/egen/", data={"csrf_token": token})
    assert stale.status_code == 400 and STALE in stale.text and "ladda om sidan" in stale.text


def test_an_exempt_view_needs_no_token(make_app: Callable[..., Flask]) -> None:
    from forms.platform.security import csrf_exempt

    app = make_app()

    @csrf_exempt
    def callback() -> str:
        return "inloggad"

    app.add_url_rule(f"{BASE}/inloggning/klar/", view_func=callback, methods=["POST"])
    assert app.test_client().post(f"{BASE}/inloggning/klar/").text == "inloggad"


def test_tokens_work_behind_a_tls_terminating_proxy(make_app: Callable[..., Flask]) -> None:
    """The proxy speaks plain HTTP to the app under another host name; FORMS_TRUSTED_PROXIES=1."""
    app = make_app(FORMS_TRUSTED_PROXIES="1")
    seen: list[tuple[str, str, str | None]] = []

    @app.before_request
    def probe() -> None:  # what the views see of each request: the citizen's, not the proxy's
        from flask import request

        seen.append((request.scheme, request.host, request.remote_addr))

    client = app.test_client()
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hittavard.example.se", "X-Forwarded-For": "203.0.113.7"}
    kwargs = {"headers": proxy, "base_url": "http://127.0.0.1:8001"}
    page = client.get(f"{BASE}/logga-in/", **kwargs)
    logged_in = client.post(
        f"{BASE}/logga-in/", data={"csrf_token": csrf_token(page.text), "personnummer": OTHER_ADULT}, **kwargs
    )
    assert logged_in.status_code == 303
    assert logged_in.headers["Location"] == "/e-tjanster/inkorg/"  # relative: right under any host name
    villkor = client.get(INTYG_URL, **kwargs)
    assert villkor.status_code == 200
    approved = client.post(INTYG_URL, data={"csrf_token": csrf_token(villkor.text), "approve": "yes"}, **kwargs)
    assert approved.status_code == 303 and counts(app) == (1, 0)
    assert seen == [("https", "hittavard.example.se", "203.0.113.7")] * 4
