"""The relevance table: queries a citizen types, and the mottagning that must come first on the
demo content (diacritics both ways, prefixes, municipalities, addresses, e-service names,
two-word queries, words inside compound names), plus the typo that must lead to a suggestion."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.forms.search_support import hits

RELEVANCE = [
    ("storgårdens vårdcentral", "storgardens-vardcentral"),
    ("storgardens vardcentral", "storgardens-vardcentral"),  # without å
    ("storgården", "bvc-storgarden"),  # the whole word as spelled ranks above a longer word
    ("storgarden", "bvc-storgarden"),
    ("åsviks", "asviks-vardcentral"),
    ("asviks", "asviks-vardcentral"),
    ("storköpings sjukhus hud", "hudmottagningen-storkoping"),
    ("sjolunda vardcentral", "vardcentralen-sjolunda"),
    ("folktandvarden sjolunda", "folktandvarden-sjolunda"),
    ("barnmorske", "barnmorskemottagningen-storkoping"),  # prefix
    ("hud", "hudmottagningen-storkoping"),
    ("psykiatri", "psykiatriska-mottagningen"),
    ("sömn", "lung-och-somnmottagningen"),
    ("somn", "lung-och-somnmottagningen"),
    ("ungdom", "ungdomsmottagningen-asvik"),
    ("rehab", "rehabmottagningen-asvik"),
    ("granberga vårdcentral", "vardcentralen-granberga"),
    ("VARDCENTRALEN GRANBERGA", "vardcentralen-granberga"),
    ("Hudmottagningen, Storköpings sjukhus", "hudmottagningen-storkoping"),
    ("skolgatan 5", "ungdomsmottagningen-asvik"),  # address
    ("234 51", "ungdomsmottagningen-asvik"),  # postal code
    ("23451", "ungdomsmottagningen-asvik"),  # postal code typed without its space
    ("sjukhusvägen 6", "hudmottagningen-storkoping"),
    ("granberga folktand", "folktandvarden-granberga"),
    ("föräldragrupp", "bvc-storgarden"),  # an e-service name
    ("tandhygienist", "folktandvarden-granberga"),
    ("kurator", "ungdomsmottagningen-asvik"),
    ("halsokollen", "vardcentralen-granberga"),
    ("videobesök", "storgardens-vardcentral"),
    ("begär intyg storköping", "storgardens-vardcentral"),  # e-service + municipality
    ("vårdcentral i granberga", "vardcentralen-granberga"),  # little words between are left out
    ("lung och sömn", "lung-och-somnmottagningen"),
    # Compound words: a word inside a name is found, after the word-start hits.
    ("tandvård", "folktandvarden-granberga"),
    ("tandvard sjolunda", "folktandvarden-sjolunda"),
    ("central åsvik", "asviks-vardcentral"),
    ("centralen granberga", "vardcentralen-granberga"),
    ("vårdscentral", "bvc-storgarden"),
    ("mottagningen åsvik", "rehabmottagningen-asvik"),
]


@pytest.fixture
def client(search_app: Callable[..., Flask]) -> FlaskClient:
    return search_app().test_client()


@pytest.mark.parametrize(("query", "first"), RELEVANCE)
def test_first_hit(client: FlaskClient, query: str, first: str) -> None:
    html = client.get(f"/sok/?q={quote(query)}").get_data(as_text=True)
    assert hits(html)[:1] == [first]


@pytest.mark.parametrize("query", ["ångest", "angest"])
def test_an_eservice_name_finds_the_mottagningar_that_offer_it_first(client: FlaskClient, query: str) -> None:
    """Psykiatriska mottagningen offers "Stöd och behandling vid ångest" and Ungdomsmottagningen
    Åsvik borrows it: both answer the query equally well (BM25 orders them by their texts' length),
    and they come before anything else."""
    html = client.get(f"/sok/?q={quote(query)}").get_data(as_text=True)
    assert sorted(hits(html)[:2]) == ["psykiatriska-mottagningen", "ungdomsmottagningen-asvik"]


def test_the_table_is_long_enough() -> None:
    assert len(RELEVANCE) >= 25


def test_municipality_name_finds_every_mottagning_there(client: FlaskClient) -> None:
    html = client.get("/sok/?q=asvik").get_data(as_text=True)
    assert sorted(hits(html)) == ["asviks-vardcentral", "rehabmottagningen-asvik", "ungdomsmottagningen-asvik"]


def test_a_word_start_hit_comes_before_a_hit_inside_a_compound(client: FlaskClient) -> None:
    """"vård" starts words in the vårdcentraler's names, and sits inside Barnavårdscentralen and
    the Folktandvården names: those come after, alphabetically."""
    html = client.get("/sok/?q=v%C3%A5rd").get_data(as_text=True)
    assert hits(html)[4:] == ["bvc-storgarden", "folktandvarden-granberga", "folktandvarden-sjolunda"]
    assert sorted(hits(html)[:4]) == [
        "asviks-vardcentral", "storgardens-vardcentral", "vardcentralen-granberga", "vardcentralen-sjolunda"
    ]


def test_a_typo_finds_nothing_and_suggests_the_right_spelling(client: FlaskClient) -> None:
    html = client.get("/sok/?q=storgardns").get_data(as_text=True)
    assert hits(html) == []
    assert "Vi hittade inga mottagningar för ”storgardns”." in html
    assert 'Menade du <a href="/sok/?q=storg%C3%A5rdens">storgårdens</a>' in html
    followed = client.get("/sok/?q=storg%C3%A5rdens").get_data(as_text=True)
    assert hits(followed)[:1] == ["storgardens-vardcentral"]
