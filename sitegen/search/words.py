"""What each query word matches, read from SQLite once per version of the index and kept in a Memo.

A new query is mostly words asked before, and the costly words are the common ones; so a query's
matches, a one-word query's BM25 order and the compound hits' candidates are worked out from what
single words match (sitegen/search/memo.py says why).

A query of several words is still ranked by SQLite among its matches (LIMIT to the page shown):
ranking it from kept per-phrase BM25 terms (which add up to SQLite's float exactly, in the
expression's phrase order) was tried in issue 22 and cost more, not less (docs/performance.md).
"""

from __future__ import annotations

import sqlite3
from operator import itemgetter

from sitegen.search.expressions import word_expression
from sitegen.search.memo import Memo
from sitegen.search.schema import WEIGHTS

RANK = ", ".join(map(str, WEIGHTS))
_STARTS = "SELECT rowid FROM fts WHERE fts MATCH ?"
_SCORES = f"SELECT rowid, bm25(fts, {RANK}) FROM fts WHERE fts MATCH ?"
_INSIDE = "SELECT rowid FROM name_trigrams WHERE name_trigrams MATCH ?"


class Words:
    """The single words' matches (and a one-word query's scores) of one version of the index."""

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
