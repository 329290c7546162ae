"""Compound hits: mottagningar that a query word finds only inside a name ("tandvård" in
Folktandvården), shown after every hit found from a word's start.

Each query word must match from a word's start anywhere or inside the name, and at least one only
inside the name. Among them, BM25 of the words that do match from a word's start orders them
("central malmö": Vårdcentralen Malmö before Malmo hälsocentral), then the Swedish alphabet; a
one-word query's compound hits are alphabetical.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from sitegen.search.catalogue import Catalogue
from sitegen.search.expressions import filters, infix_phrase, query_words, word_expression
from sitegen.search.query import Query
from sitegen.search.schema import fold
from sitegen.search.words import RANK, Words

RARE = 1000  # a word matching at most this many from word starts gives the candidates of compound hits


def compound_hits(
    connection: sqlite3.Connection,
    words: Words,
    catalogue: Catalogue,
    query: Query,
    open_hours: frozenset[str],
    keep: Callable[[list[int]], list[int]],
    found: set[int],
) -> list[int]:
    """The compound hits of the query's words that its filters `keep`, in their order; `found`
    are the hits from word starts, which they come after."""
    typed = query_words(query.text)
    phrases = [infix_phrase(word) for word in typed]
    if not any(phrases):
        return []
    clinics = catalogue.clinics
    if len(typed) == 1 and phrases[0] is not None:  # its word-start matches are all found already
        candidates = words.inside(connection, phrases[0]) - found
        return sorted(keep(list(candidates)), key=lambda i: clinics[i].position)
    candidates = _all_words_inside(connection, words, typed, phrases) - found
    if not candidates:
        return []
    source, params = filters(query, None, open_hours)
    joiner = " AND " if " WHERE " in source else " WHERE "
    rank = f"(SELECT bm25(fts, {RANK}) FROM fts WHERE fts MATCH ? AND fts.rowid = c.id)"
    return [
        row[0]
        for row in connection.execute(
            f"SELECT c.id FROM {source}{joiner}c.id IN (SELECT value FROM json_each(?))"
            f" ORDER BY {rank}, c.sort_key, c.slug",
            [*params, json.dumps(sorted(candidates)), " OR ".join(word_expression(word) for word in typed)],
        )
    ]


def _all_words_inside(
    connection: sqlite3.Connection, words: Words, typed: list[str], phrases: list[str | None]
) -> set[int]:
    """The mottagningar where every word matches from a word's start or inside the name (and,
    unless they are among those found from word starts, at least one only inside).

    The sets are kept small, since a common word matches thousands of mottagningar: when one
    word is rare, the candidates are its matches; when all are common (an e-service's name),
    they are the names with a word inside them but not from a word's start, which is rare.
    Then each word is checked among the candidates only.
    """
    counts = [len(words.starts(connection, word)) for word in typed]
    rarest = min(range(len(typed)), key=lambda index: counts[index])
    if counts[rarest] <= RARE:
        candidates = set(words.starts(connection, typed[rarest]))
        if (phrase := phrases[rarest]) is not None:
            candidates |= words.inside(connection, phrase)
    else:
        candidates = set()
        for word, phrase in zip(typed, phrases, strict=True):
            if phrase is not None:
                candidates |= words.inside(connection, phrase) - words.starts(connection, word)
    if not candidates:
        return candidates
    listed = json.dumps(sorted(candidates))
    names = dict(
        connection.execute(  # type: ignore[arg-type]
            "SELECT rowid, name_f FROM name_trigrams WHERE rowid IN (SELECT value FROM json_each(?))", (listed,)
        )
    )
    for word, phrase in zip(typed, phrases, strict=True):
        starts = words.starts(connection, word)
        inside = fold(word) if phrase is not None else None
        candidates = {
            candidate
            for candidate in candidates
            if candidate in starts or (inside is not None and inside in names.get(candidate, ""))
        }
    return candidates
