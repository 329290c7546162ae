"""A municipality spelled two ways in the content is listed by one name everywhere: the spelling
most of its mottagningar use, whichever mottagning matched first or was written first."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from sitegen.search.documents import SearchDocument
from sitegen.search.query import Facet, Query
from sitegen.search.reader import SqliteSearcher
from sitegen.search.writer import SqliteIndexWriter

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def clinic(slug: str, name: str, municipality: str) -> SearchDocument:
    return SearchDocument(slug, name, municipality, "Storgatan 1", "211 20", municipality, ("Boka tid",), "{}")


@pytest.fixture
def searcher(tmp_path: Path) -> SqliteSearcher:
    SqliteIndexWriter(tmp_path).replace_all(
        [
            # the lowest id (the first slug), ranked first for "hud", and the smallest string: still not the name
            clinic("a-hud", "Hud Hud Malmö", "MALMÖ"),
            clinic("vc-malmo", "Vårdcentralen Malmö", "Malmö"),
            clinic("hud-malmo", "Hudmottagningen Malmö", "Malmö"),
            clinic("vc-lund", "Vårdcentralen Lund", "Lund"),
        ]
    )
    return SqliteSearcher(tmp_path, lambda hours, moment: False)


def test_the_filter_list_names_a_municipality_by_its_most_common_spelling(searcher: SqliteSearcher) -> None:
    results = searcher.search(Query(text="hud", moment=NOW))
    assert results.hits[0].slug == "a-hud"
    assert results.hits[0].municipality == "MALMÖ"  # the card itself keeps its own spelling
    assert results.municipalities == [Facet("Malmö", 2)]


def test_every_list_and_the_filter_use_the_same_name(searcher: SqliteSearcher) -> None:
    assert searcher.municipalities() == [Facet("Lund", 1), Facet("Malmö", 3)]
    assert searcher.municipality_named("malmö") == "Malmö"
    assert searcher.municipality_named("MALMÖ") == "Malmö"
    filtered = searcher.search(Query(text="", municipality="MALMÖ", moment=NOW))
    assert filtered.total == 3 and filtered.municipalities == [Facet("Malmö", 3)]


def test_a_tie_between_two_spellings_takes_the_smallest(tmp_path: Path) -> None:
    SqliteIndexWriter(tmp_path).replace_all(  # the larger spelling first in every order the index has
        [clinic("a", "Vårdcentralen A", "malmö"), clinic("b", "Vårdcentralen B", "Malmö")]
    )
    searcher = SqliteSearcher(tmp_path, lambda hours, moment: False)
    assert searcher.municipalities() == [Facet("Malmö", 2)]
    assert searcher.search(Query(text="vårdcentralen", moment=NOW)).municipalities == [Facet("Malmö", 2)]
