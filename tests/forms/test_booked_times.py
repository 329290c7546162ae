"""Bokade tider: one list of a person's coming times over every mottagning, from the logged-in bar."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms import create_app
from tests.forms.booking_support import (
    ADULT,
    CHILD,
    OTHER,
    SPEC,
    VC,
    book_to_check,
    config,
    confirm,
    fieldless_get_forms,
    login,
    submit,
    write_booking_content,
    write_demo,
)

URL = "/e-tjanster/bokade-tider/"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    root = write_booking_content(tmp_path / "content")
    demo = write_demo(tmp_path / "demo.yaml")
    return create_app(config(root, demo, f"sqlite:///{tmp_path / 'store.sqlite3'}"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def headings(html: str) -> list[str]:
    return re.findall(r'<h2 class="subheading">([^<]+)</h2>', html)


def test_every_mottagnings_coming_times_are_listed_soonest_first_with_the_mottagnings_name(
    client: FlaskClient,
) -> None:
    login(client, ADULT)
    page = client.get(URL)
    assert page.status_code == 200
    assert headings(page.text) == [
        "tisdag 1 december 2026 kl. 13.00",  # Vårdcentralen Test
        "onsdag 2 december 2026 kl. 09.00",  # Specialisten
        "torsdag 3 december 2026 kl. 08.00",  # Vårdcentralen Test
        "torsdag 10 december 2026 kl. 09.00",  # Specialisten
    ]
    items = page.text.split('<h2 class="subheading">')[1:]
    assert ">Vårdcentralen Test</a>" in items[0] and ">Specialisten</a>" in items[1]
    assert "Provtagning, 10 minuter" in items[0] and "Återbesök, 30 minuter" in items[3]


def test_omboka_and_avboka_lead_into_each_mottagnings_own_journeys_where_allowed(client: FlaskClient) -> None:
    login(client, ADULT)
    items = client.get(URL).text.split('<h2 class="subheading">')[1:]
    vc_rebook = re.search(r'href="(/e-tjanster/vardcentralen-test/tidbok/[^/]+/omboka/)"', items[2]).group(1)
    assert client.get(vc_rebook).status_code == 200  # the villkor of that booking's Omboka
    assert re.search(r'href="/e-tjanster/specialisten/tidbok/[^/]+/avboka/"', items[3])
    assert "omboka/" not in items[3] and "kan inte ombokas här" in items[3]  # Specialisten: rebook false
    assert "mindre än 72 timmar kvar" in items[1] and "Ring mottagningen" in items[1]  # too near to change


def test_omboka_and_avboka_are_plain_links_with_no_empty_query(client: FlaskClient) -> None:
    login(client, ADULT)
    for url in (URL, VC):
        page = client.get(url)
        assert page.status_code == 200, url
        assert fieldless_get_forms(page.text) == [], url
        assert re.search(r'<a class="button button-secondary" href="[^"?]*/omboka/">Omboka<', page.text), url


def test_the_logged_in_bar_links_to_bokade_tider(client: FlaskClient) -> None:
    login(client, ADULT)
    for url in ("/e-tjanster/inkorg/", VC):
        assert f'href="{URL}">Bokade tider</a>' in client.get(url).text


def test_a_guardian_acting_for_a_child_sees_the_childs_times_and_not_their_own(client: FlaskClient) -> None:
    login(client, ADULT)
    submit(client, "/e-tjanster/ombud/", {"subject": CHILD})
    assert headings(client.get(URL).text) == []
    assert "Bo Barn har inga kommande bokade tider" in client.get(URL).text
    confirm(client, book_to_check(client, start="2026-12-07T08:20:00+01:00", reason="Feber"))
    page = client.get(URL).text
    assert headings(page) == ["måndag 7 december 2026 kl. 08.20"] and "för Bo Barn" in page


def test_nobody_sees_anyone_elses_times_and_the_page_needs_a_login(client: FlaskClient) -> None:
    assert client.get(URL).status_code in (302, 303)
    login(client, OTHER)
    assert headings(client.get(URL).text) == ["onsdag 2 december 2026 kl. 08.00"]
    assert SPEC not in client.get(URL).text
