"""What each query word matches, read from SQLite once per version of the index and kept in a Memo.

A new query is mostly words asked before, and the costly words are the common ones; so a query's
matches, its BM25 order and its compound hits are all worked out from what single words match.

The BM25 of several words is kept per FTS5 phrase, not per word. FTS5 scores an expression as the
sum, phrase after phrase in the expression's order, of each phrase's own term (its IDF, frequency
and the row's length: nothing that depends on the other phrases), and a phrase's term alone is what
a query of that phrase alone returns. Adding the kept terms in the same order gives SQLite's float
exactly; adding per-word totals instead differed in the last bit for about one score in six (on the
region of tests/sitegen/test_search_order.py), enough to swap near-ties.
"""

from __future__ import annotations

import heapq
import math
import sqlite3
from collections.abc import Iterable
from operator import itemgetter

from sitegen.search.catalogue import Clinic
from sitegen.search.expressions import word_expression, word_phrases
from sitegen.search.memo import Memo
from sitegen.search.schema import WEIGHTS

_RANK = ", ".join(map(str, WEIGHTS))
_STARTS = "SELECT rowid FROM fts WHERE fts MATCH ?"
_SCORES = f"SELECT rowid, bm25(fts, {_RANK}) FROM fts WHERE fts MATCH ?"
_INSIDE = "SELECT rowid FROM name_trigrams WHERE name_trigrams MATCH ?"

Terms = dict[int, tuple[float, ...]]  # id → each of a word's phrases' BM25 term (0.0 where it does not match)


class Words:
    """The single words' matches and BM25 terms of one version of the index."""

    def __init__(self) -> None:
        self.memo = Memo()

    def starts(self, connection: sqlite3.Connection, word: str) -> frozenset[int]:
        """The mottagningar a word matches from a word's start (as spelled or folded)."""
        return self.memo.get(
            ("starts", word),
            lambda: frozenset(map(itemgetter(0), connection.execute(_STARTS, (word_expression(word),)))),
        )

    def inside(self, connection: sqlite3.Connection, phrase: str) -> frozenset[int]:
        """The mottagningar whose folded name has a word (infix_phrase) inside it."""
        return self.memo.get(
            ("inside", phrase), lambda: frozenset(map(itemgetter(0), connection.execute(_INSIDE, (phrase,))))
        )

    def scores(self, connection: sqlite3.Connection, word: str) -> dict[int, float]:
        """A one-word query's BM25 per match: the same value SQLite orders that query by."""
        expression = word_expression(word)
        return self.memo.get(("scores", word), lambda: dict(connection.execute(_SCORES, (expression,))))

    def terms(self, connection: sqlite3.Connection, word: str) -> Terms:
        """Each phrase's BM25 term per match of the word (positive; SQLite's bm25 is its negative)."""

        def read() -> Terms:
            phrases = word_phrases(word)
            found: dict[int, list[float]] = {}
            for place, phrase in enumerate(phrases):
                for clinic_id, score in connection.execute(_SCORES, (phrase,)):
                    found.setdefault(clinic_id, [0.0] * len(phrases))[place] = -score
            return {clinic_id: tuple(terms) for clinic_id, terms in found.items()}

        return self.memo.get(("terms", word), read)


def bm25(clinic_id: int, words: list[Terms]) -> float:
    """The BM25 SQLite gives `clinic_id` for the AND (or the OR) of the words' expressions, its
    phrases' terms added in the expression's order (a phrase that does not match adds 0.0); -inf
    where no word matches from a word's start, as SQLite's NULL score of such a compound hit sorts
    first."""
    total, matched = 0.0, False
    for terms in words:
        found = terms.get(clinic_id)
        if found is not None:
            matched = True
            for term in found:
                total += term
    return -total if matched else -math.inf


def best(ids: Iterable[int], words: list[Terms], clinics: dict[int, Clinic], end: int) -> list[int]:
    """The best `end` of `ids` in the order of the results: by the words' BM25, then alphabetically."""
    return heapq.nsmallest(end, ids, key=lambda i: (bm25(i, words), clinics[i].position))
