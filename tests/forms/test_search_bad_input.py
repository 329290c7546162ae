"""Whatever arrives in /sok/'s query string, the answer is a normal page (200) with a clear Swedish
sentence where something was ignored or corrected: never a 500, never a query error in the log."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.search.reader import match_expression
from tests.forms.search_support import h1, hits, notes

FTS_SYNTAX = [
    '"',
    "*",
    "NEAR(",
    "OR",
    "AND",
    "NOT",
    "-",
    ":",
    "^",
    "(",
    ")",
    "{",
    "}",
    "+",
    "'",
    "NEAR(a b, 2)",
    '"a" OR',
]
NAMES = ["q", "kommun", "etjanst", "oppet", "sida"]


@pytest.fixture
def client(search_app: Callable[..., Flask]) -> FlaskClient:
    return search_app().test_client()


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO)
    yield caplog


def get(client: FlaskClient, pairs: list[tuple[str, str]]) -> str:
    response = client.get("/sok/?" + urlencode(pairs))
    assert response.status_code == 200, (pairs, response.status_code)
    html = response.get_data(as_text=True)
    assert "<h1>" in html and "Något gick fel" not in html
    return html


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []


def test_a_query_of_ten_thousand_characters(client: FlaskClient, logged: pytest.LogCaptureFixture) -> None:
    html = get(client, [("q", "vårdcentral " * 834)])
    assert notes(html) == ["Din sökning var för lång. Vi sökte på de första 200 tecknen."]
    assert len(hits(html)) == 4
    shown = re.search(r'<input type="search" id="q" name="q" value="([^"]*)"', html)
    assert shown and len(shown.group(1)) <= 200  # the page does not echo 10,000 characters
    assert len(html) < 40_000
    no_errors_logged(logged)


@pytest.mark.parametrize("syntax", FTS_SYNTAX)
def test_query_syntax_is_searched_as_text(client: FlaskClient, logged: pytest.LogCaptureFixture, syntax: str) -> None:
    get(client, [("q", syntax)])
    html = get(client, [("q", f"vårdcentral {syntax} granberga")])
    if not any(char.isalnum() for char in syntax):  # signs are dropped; words (NEAR, OR) are searched as words
        assert hits(html)[:1] == ["vardcentralen-granberga"]
    no_errors_logged(logged)


def test_only_syntax_says_there_was_nothing_to_search(client: FlaskClient) -> None:
    html = get(client, [("q", '"*:-()')])
    assert notes(html) == [
        "Sökningen innehöll inga bokstäver eller siffror. Skriv till exempel en del av mottagningens namn."
    ]


def test_control_characters_are_dropped(client: FlaskClient, logged: pytest.LogCaptureFixture) -> None:
    html = get(client, [("q", "v\x00år\x1bdcentral\x7f granberga\u202e")])
    assert "\x00" not in html and "\x1b" not in html
    assert hits(get(client, [("q", "granberga\x00vårdcentral")]))  # a control character separates words
    no_errors_logged(logged)


def test_unknown_municipality_and_eservice(client: FlaskClient) -> None:
    html = get(client, [("q", "vårdcentral"), ("kommun", "Atlantis"), ("etjanst", "Teleportering")])
    assert notes(html) == [
        "Det finns ingen kommun som heter ”Atlantis” bland mottagningarna. Sökningen gäller alla kommuner.",
        "Ingen mottagning har en e-tjänst som heter ”Teleportering”. Sökningen gäller alla e-tjänster.",
    ]
    assert len(hits(html)) == 4


@pytest.mark.parametrize(("sida", "note"), [("0", "”0”"), ("-3", "”-3”"), ("abc", "”abc”"), ("1e9", "”1e9”")])
def test_page_numbers_that_are_not_pages(client: FlaskClient, sida: str, note: str) -> None:
    html = get(client, [("q", "vårdcentral"), ("sida", sida)])
    assert notes(html) == [f"Det finns ingen sida {note}. Du ser sida 1."] and len(hits(html)) == 4


def test_a_page_far_beyond_the_last(client: FlaskClient) -> None:
    html = get(client, [("q", "vårdcentral"), ("sida", "99999")])
    assert notes(html) == ["Det finns bara en sida med träffar. Du ser sida 1."] and len(hits(html)) == 4


def test_repeated_parameters_use_the_first(client: FlaskClient) -> None:
    html = get(
        client,
        [("q", "psykiatri"), ("q", "hud"), ("kommun", "Storköping"), ("kommun", "Åsvik"), ("sida", "1"), ("sida", "2")],
    )
    assert hits(html) == ["psykiatriska-mottagningen"] and h1(html) == "1 mottagning för ”psykiatri” i Storköping"


def test_unknown_oppet_value(client: FlaskClient) -> None:
    html = get(client, [("q", "hud"), ("oppet", "alltid")])
    assert notes(html) == ["Filtret ”Öppet nu” kan bara vara på eller av. Sökningen visar alla mottagningar."]


PARAMETERS = st.lists(
    st.tuples(
        st.sampled_from([*NAMES, "x"]),
        st.one_of(st.text(max_size=300), st.sampled_from(FTS_SYNTAX), st.integers().map(str)),
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=PARAMETERS)
def test_any_parameters_give_a_normal_page(
    client: FlaskClient, logged: pytest.LogCaptureFixture, pairs: list[tuple[str, str]]
) -> None:
    get(client, pairs)
    no_errors_logged(logged)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_makes_a_valid_match_expression(text: str) -> None:
    import sqlite3

    expression = match_expression(text)
    if expression is None:
        return
    with sqlite3.connect(":memory:") as connection:
        connection.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(name, municipality, address, eservices,"
            " name_f, municipality_f, address_f, eservices_f, tokenize='unicode61 remove_diacritics 0')"
        )
        connection.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (expression,)).fetchone()
