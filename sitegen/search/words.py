"""What each word of a query matches in one version of the index, read once and kept in a Memo.

Kept apart from the searcher (sitegen.search.reader), which combines these sets with the filters
and ranks a page: this is the part that knows the two tables a word is looked up in (FTS5 from a
word's start, the name trigrams for a word inside a compound name) and how the candidates of a
compound hit are kept small when every word is common.
"""

from __future__ import annotations

import json
import sqlite3
from operator import itemgetter

from sitegen.search.expressions import word_expression
from sitegen.search.memo import Memo
from sitegen.search.schema import WEIGHTS, fold

RARE = 1000  # a word matching at most this many from word starts gives the candidates of compound hits


class Words:
    """One index version's word lookups; a new version gets a new one (its ids mean other rows)."""

    def __init__(self) -> None:
        self._memo = Memo()

    def starts(self, connection: sqlite3.Connection, word: str) -> frozenset[int]:
        """The mottagningar a word matches from a word's start (as spelled or folded)."""
        statement = "SELECT rowid FROM fts WHERE fts MATCH ?"
        return self._memo.get(
            ("starts", word),
            lambda: frozenset(map(itemgetter(0), connection.execute(statement, (word_expression(word),)))),
        )

    def inside(self, connection: sqlite3.Connection, phrase: str) -> frozenset[int]:
        """The mottagningar whose folded name has a word (infix_phrase) inside it."""
        statement = "SELECT rowid FROM name_trigrams WHERE name_trigrams MATCH ?"
        return self._memo.get(
            ("inside", phrase), lambda: frozenset(map(itemgetter(0), connection.execute(statement, (phrase,))))
        )

    def scores(self, connection: sqlite3.Connection, word: str) -> dict[int, float]:
        """A one-word query's BM25 per match: the same value SQLite orders that query by."""
        statement = f"SELECT rowid, bm25(fts, {', '.join(map(str, WEIGHTS))}) FROM fts WHERE fts MATCH ?"
        return self._memo.get(("scores", word), lambda: dict(connection.execute(statement, (word_expression(word),))))

    def all_inside(self, connection: sqlite3.Connection, typed: list[str], phrases: list[str | None]) -> set[int]:
        """The mottagningar where every word matches from a word's start or inside the name (and,
        unless they are among those found from word starts, at least one only inside).

        The sets are kept small, since a common word matches thousands of mottagningar: when one
        word is rare, the candidates are its matches; when all are common (an e-service's name),
        they are the names with a word inside them but not from a word's start, which is rare.
        Then each word is checked among the candidates only.
        """
        counts = [len(self.starts(connection, word)) for word in typed]
        rarest = min(range(len(typed)), key=lambda index: counts[index])
        if counts[rarest] <= RARE:
            candidates = set(self.starts(connection, typed[rarest]))
            if (phrase := phrases[rarest]) is not None:
                candidates |= self.inside(connection, phrase)
        else:
            candidates = set()
            for word, phrase in zip(typed, phrases, strict=True):
                if phrase is not None:
                    candidates |= self.inside(connection, phrase) - self.starts(connection, word)
        if not candidates:
            return candidates
        listed = json.dumps(sorted(candidates))
        names = dict(
            connection.execute(  # type: ignore[arg-type]
                "SELECT rowid, name_f FROM name_trigrams WHERE rowid IN (SELECT value FROM json_each(?))", (listed,)
            )
        )
        for word, phrase in zip(typed, phrases, strict=True):
            starts = self.starts(connection, word)
            inside = fold(word) if phrase is not None else None
            candidates = {
                candidate
                for candidate in candidates
                if candidate in starts or (inside is not None and inside in names.get(candidate, ""))
            }
        return candidates
