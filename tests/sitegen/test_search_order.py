"""A new query ranks only what its page shows (issue 22): the results, their order on every page,
the count and the filter lists stay what ranking every match gave.

The reference below is the search as it was before: SQLite orders every word-start match by BM25,
then sort key and slug; the compound hits follow (each word from a word's start or inside the
name, at least one only inside), alphabetically for one word and by the BM25 of the words' OR for
more; the lists are counted over all matches. The region is made so that BM25 ties are common
(names that differ only in their number), so the alphabetical tie-break shows.
"""

from __future__ import annotations

import datetime
import json
import random
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sitegen.search.documents import SearchDocument
from sitegen.search.query import Facet, Query
from sitegen.search.reader import (
    COUNTED_ESERVICES,
    ESERVICE_FACETS,
    SqliteSearcher,
    match_expression,
    query_words,
    word_expression,
)
from sitegen.search.schema import INFIX_MIN, WEIGHTS, fold, index_path, key
from sitegen.search.writer import SqliteIndexWriter
from sitegen.site.view import swedish_sort_key

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
KINDS = ("Vårdcentralen", "Hudmottagningen", "Folktandvården", "BVC", "Barnmorskemottagningen", "Mottagningen för hud")
TOWNS = ("Åsvik", "Malmö", "Malmo", "Granberga", "Östby", "Ängby", "Bergberga", "Lund")
SERVICES = ("Boka tid", "Av- och omboka", "Skicka meddelande", "Förnya recept", "Boka vaccination", "Chatt")

QUERIES = [
    ("mottagningen", None, None, False),  # hundreds of word-start hits and compound hits after them
    ("mottagningen", None, None, True),
    ("vårdcentral", "Åsvik", None, False),
    ("tandvård", None, None, False),  # only compound hits
    ("hud", None, "Boka tid", False),
    ("b", None, None, False),  # one letter: nearly everything
    ("malmo", None, None, False),  # the exact spelling, then the folded
    ("central malmö", None, None, False),  # compound and word start together, ranked by BM25 of the OR
    ("mottagningen för", None, None, True),
    ("", "Granberga", None, False),  # no words: alphabetical
    ("", None, "Chatt", True),
    ("123", None, None, False),  # a postal code
    # several words, each new to the searcher
    ("hudvägen malmö", None, None, False),  # a street and a town
    ("storgatan vårdcentralen 3", None, None, False),
    ("mottagningen hud åsvik", None, "Boka tid", False),
    ("centralgatan tandvård", None, None, True),  # word starts and compound hits, open now
    ("boka chatt", "Lund", None, False),  # e-service names: every word common
    ("tandvård berg", None, None, False),  # compound hits with a word from a start (Bergberga) and without (Granberga)
]

FEW = ("central malmö", "123", "malmo", "mottagningen hud åsvik")  # the queries that fit on one page


def documents(count: int) -> list[SearchDocument]:
    rng = random.Random(7)
    made = []
    for number in range(count):
        town = rng.choice(TOWNS)
        made.append(
            SearchDocument(
                slug=f"m{number:04d}",
                name=f"{rng.choice(KINDS)} {town} {rng.randint(1, 40)}",
                municipality=town,
                street=f"{rng.choice(('Storgatan', 'Hudvägen', 'Centralgatan'))} {rng.randint(1, 9)}",
                postal_code=f"{rng.randint(100, 130)} {rng.randint(10, 99)}",
                city=town,
                eservices=tuple(  # one e-service spelled two ways: the lists name it by the smallest
                    name.lower() if name == "Boka tid" and rng.random() < 0.3 else name
                    for name in rng.sample(SERVICES, rng.randint(0, 4))
                ),
                hours=rng.choice(("open", "closed")),
            )
        )
    return made


def is_open(hours: str, moment: datetime.datetime) -> bool:
    return hours == "open"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("order")
    SqliteIndexWriter(folder).replace_all(documents(1500))
    return folder


def reference(site: Path, text: str, municipality: str | None, eservice: str | None, open_only: bool) -> dict[str, Any]:
    """Every match ranked, as the searcher did before it ranked only its page."""
    connection = sqlite3.connect(index_path(site))
    weights = ", ".join(map(str, WEIGHTS))
    clauses, params = [], []
    if municipality:
        clauses.append("c.municipality_key = ?")
        params.append(key(municipality))
    if eservice:
        clauses.append("c.id IN (SELECT clinic_id FROM clinic_eservices WHERE name_key = ?)")
        params.append(key(eservice))
    if open_only:
        clauses.append("c.hours = 'open'")
    filters = "".join(f" AND {clause}" for clause in clauses)
    expression = match_expression(text)
    if expression is None:
        found = connection.execute(
            f"SELECT c.id FROM clinics c WHERE 1{filters} ORDER BY c.sort_key, c.slug", params
        ).fetchall()
        inside: list[Any] = []
    else:
        found = connection.execute(
            f"SELECT c.id FROM clinics c JOIN fts ON fts.rowid = c.id WHERE fts MATCH ?{filters}"
            f" ORDER BY bm25(fts, {weights}), c.sort_key, c.slug",
            [expression, *params],
        ).fetchall()
        typed = query_words(text)
        names = dict(connection.execute("SELECT rowid, name_f FROM name_trigrams").fetchall())
        starts = [
            {row[0] for row in connection.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (word_expression(w),))}
            for w in typed
        ]
        ids = {row[0] for row in found}

        def inside_only(clinic: int, index: int) -> bool:
            return len(fold(typed[index])) >= INFIX_MIN and fold(typed[index]) in names[clinic]

        compound = [
            clinic
            for clinic in names
            if clinic not in ids
            and all(clinic in starts[i] or inside_only(clinic, i) for i in range(len(typed)))
            and any(clinic not in starts[i] and inside_only(clinic, i) for i in range(len(typed)))
        ]
        rank = ""
        rank_params: list[str] = []
        if len(typed) > 1:
            rank = f"(SELECT bm25(fts, {weights}) FROM fts WHERE fts MATCH ? AND fts.rowid = c.id), "
            rank_params = [" OR ".join(word_expression(w) for w in typed)]
        inside = connection.execute(
            f"SELECT c.id FROM clinics c WHERE c.id IN (SELECT value FROM json_each(?)){filters}"
            f" ORDER BY {rank}c.sort_key, c.slug",
            [json.dumps(compound), *params, *rank_params],
        ).fetchall()
    every = [row[0] for row in found + inside]
    slugs = dict(connection.execute("SELECT id, slug FROM clinics").fetchall())
    places = dict(connection.execute("SELECT id, municipality FROM clinics").fetchall())
    hours = dict(connection.execute("SELECT id, hours FROM clinics").fetchall())
    counted = Counter(places[clinic] for clinic in every)
    eservices = connection.execute(
        "SELECT min(name), count(*) FROM clinic_eservices WHERE clinic_id IN (SELECT value FROM json_each(?))"
        " GROUP BY name_key ORDER BY count(*) DESC, name_key LIMIT ?",
        (json.dumps(every), ESERVICE_FACETS),
    ).fetchall()
    connection.close()
    return {
        "slugs": [slugs[clinic] for clinic in every],
        "municipalities": sorted((Facet(*item) for item in counted.items()), key=lambda f: swedish_sort_key(f.name)),
        "eservices": [Facet(*row) for row in eservices] if len(every) <= COUNTED_ESERVICES else None,
        "open_count": sum(1 for clinic in every if hours[clinic] == "open"),
    }


@pytest.mark.parametrize(("text", "municipality", "eservice", "open_only"), QUERIES)
def test_every_page_of_a_query_shows_what_ranking_every_match_showed(
    site: Path, text: str, municipality: str | None, eservice: str | None, open_only: bool
) -> None:
    expected = reference(site, text, municipality, eservice, open_only)
    assert len(expected["slugs"]) > 20 or text in FEW  # the region tests something
    pages = max(1, -(-len(expected["slugs"]) // 20))
    for searcher in (SqliteSearcher(site, is_open), SqliteSearcher(site, is_open)):  # a fresh one; a used one
        for page in sorted({1, 2, 3, pages // 2 or 1, pages, pages + 5}):
            query = Query(text, municipality, eservice, open_only, NOW, page)
            results = searcher.search(query)
            shown = min(page, pages)
            assert [hit.slug for hit in results.hits] == expected["slugs"][(shown - 1) * 20 : shown * 20], page
            assert results.total == len(expected["slugs"])
            assert results.municipalities == expected["municipalities"]
            assert results.open_count == expected["open_count"]
            if expected["eservices"] is not None:
                assert results.eservices == expected["eservices"]


def test_a_word_asked_again_with_other_filters_finds_the_same_as_when_new(site: Path) -> None:
    """The words' matches and scores are kept per index: a query after others, whose words were
    kept for them, gets what a searcher that keeps nothing yet gets."""
    used = SqliteSearcher(site, is_open)
    for text, municipality, eservice, open_only in QUERIES:
        used.search(Query(text, municipality, eservice, open_only, NOW, 2))
    for text in ("mottagningen", "central", "hud malmö", "b"):
        for municipality in (None, "Malmö", "Östby"):
            query = Query(text, municipality, None, False, NOW, 1)
            new = SqliteSearcher(site, is_open).search(query)
            assert used.search(query) == new
            assert [hit.slug for hit in new.hits] == reference(site, text, municipality, None, False)["slugs"][:20]



SEVERAL_WORDS = ("vård", "hud", "malmö", "malmo", "storgatan", "centralgatan", "hudvägen", "mottagningen",
                 "för", "åsvik", "ängby", "boka", "recept", "tandvård", "central", "berga", "7", "12", "110")  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_queries_of_several_new_words_show_every_page_as_ranking_every_match_did(site: Path, seed: int) -> None:
    """Random queries of two or three words, each asked of a searcher that knows none of its words
    yet and of one that has kept them from the queries before: every page is the reference's."""
    rng = random.Random(seed)
    used = SqliteSearcher(site, is_open)
    for _ in range(5):
        text = " ".join(rng.sample(SEVERAL_WORDS, rng.choice((2, 3))))
        municipality = rng.choice((None, None, "Malmö", "Granberga"))
        open_only = rng.random() < 0.3
        expected = reference(site, text, municipality, None, open_only)["slugs"]
        pages = max(1, -(-len(expected) // 20))
        for searcher in (SqliteSearcher(site, is_open), used):
            for page in sorted({1, 2, pages}):
                results = searcher.search(Query(text, municipality, None, open_only, NOW, page))
                shown = min(page, pages)
                assert [hit.slug for hit in results.hits] == expected[(shown - 1) * 20 : shown * 20], (text, page)
                assert results.total == len(expected)

