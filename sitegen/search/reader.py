"""Reading the index: one search, the municipalities, and the lists a search page offers.

User text reaches SQLite only as bound parameters, and reaches FTS5 only as quoted words
(schema.words keeps letters and digits; each word becomes `"word"*`), so no input is ever read as
query syntax and no input makes a query fail.

Each call opens the file read-only for its own short transaction: the build replaces or updates the
index in place (atomically), and the next request simply sees the new one. What is derived from the
whole index (which opening hours are open this minute, the words to suggest) is cached per version
of the file.
"""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Protocol

from sitegen.search.query import Facet, Hit, Query, Results
from sitegen.search.schema import COLUMNS, FOLDED, WEIGHTS, fold, index_path, key, words
from sitegen.search.suggest import Suggester
from sitegen.site.view import swedish_sort_key

ESERVICE_FACETS = 20  # the most common e-services among the matches offered as filters


class IndexMissing(Exception):
    """There is no index to read (the site was not built, or FORMS_SITE_DIR names the wrong folder)."""


class Searcher(Protocol):
    """What the search page needs of an index; a search server's client can implement it too."""

    def search(self, query: Query) -> Results: ...

    def municipalities(self) -> list[Facet]:
        """Every municipality with its number of mottagningar, in Swedish alphabetical order."""
        ...

    def municipality_named(self, name: str) -> str | None:
        """The municipality as the index spells it, for a name typed in any letter case."""
        ...

    def eservice_named(self, name: str) -> str | None: ...

    def suggestions(self, text: str, moment: datetime.datetime) -> list[str]:
        """Queries that do find something, close to a text that found nothing ("Menade du …?")."""
        ...


def match_expression(text: str) -> str | None:
    """The FTS5 expression for a text: every word must match, as spelled or folded, as a prefix.

    A whole word as spelled is a phrase of its own too, so BM25 counts it once more: "Storgården"
    ranks the mottagning named Storgården above Storgårdens vårdcentral.
    """
    exact_columns, folded_columns = " ".join(COLUMNS), " ".join(FOLDED)
    parts = []
    for word in words(text):  # letters and digits only: nothing in them is FTS5 syntax
        parts.append(
            f'({{{exact_columns}}} : "{word}" OR {{{exact_columns}}} : "{word}"*'
            f' OR {{{folded_columns}}} : "{fold(word)}"*)'
        )
    return " AND ".join(parts) or None


_OPEN = "c.hours IN (SELECT value FROM json_each(?))"  # ? is the JSON list of open hours


class _Search:
    """The SQL of one query: its source, its conditions (each filter can be left out for its
    facet), its order; user values only ever as parameters."""

    def __init__(self, query: Query, expression: str | None, open_hours: str) -> None:
        self.query = query
        self.expression = expression
        self.open_hours = open_hours
        self.source = "clinics c JOIN fts ON fts.rowid = c.id" if expression is not None else "clinics c"
        weights = ", ".join(map(str, WEIGHTS))
        self.order = f"bm25(fts, {weights}), c.sort_key, c.slug" if expression is not None else "c.sort_key, c.slug"

    def where(
        self, *, municipality: bool = True, eservice: bool = True, open_only: bool = True
    ) -> tuple[str, list[Any]]:
        query = self.query
        clauses, params = [], []
        if self.expression is not None:
            clauses.append("fts MATCH ?")
            params.append(self.expression)
        if municipality and query.municipality is not None:
            clauses.append("c.municipality_key = ?")
            params.append(key(query.municipality))
        if eservice and query.eservice is not None:
            clauses.append("c.id IN (SELECT e.clinic_id FROM clinic_eservices e WHERE e.name_key = ?)")
            params.append(key(query.eservice))
        if open_only and query.open_only:
            clauses.append(_OPEN)
            params.append(self.open_hours)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class SqliteSearcher:
    """Searches the SQLite FTS5 index of a built site (see sitegen.search.schema)."""

    def __init__(self, site_dir: Path, is_open: Callable[[str, datetime.datetime], bool]) -> None:
        self.path = index_path(site_dir)
        self.is_open = is_open
        self._version: tuple[int, int, int] | None = None
        self._open_cache: dict[datetime.datetime, str] = {}
        self._suggester: Suggester | None = None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            stat = os.stat(self.path)
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        except (OSError, sqlite3.Error) as error:
            raise IndexMissing(str(self.path)) from error
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if version != self._version:
            self._version, self._open_cache, self._suggester = version, {}, None
        with closing(connection):
            yield connection

    def _open_hours(self, connection: sqlite3.Connection, moment: datetime.datetime) -> str:
        """A JSON list of the distinct stored opening hours that are open at `moment`'s minute.

        Hours are written in whole minutes, so the answer is the same all through one minute.
        Many mottagningar share their hours; each distinct text is read once.
        """
        minute = moment.replace(second=0, microsecond=0)
        cached = self._open_cache.get(minute)
        if cached is None:
            values = [row[0] for row in connection.execute("SELECT DISTINCT hours FROM clinics")]
            cached = json.dumps([value for value in values if self.is_open(value, minute)], ensure_ascii=False)
            if len(self._open_cache) > 4:
                self._open_cache.clear()
            self._open_cache[minute] = cached
        return cached

    def search(self, query: Query) -> Results:
        with self._connect() as connection:
            connection.execute("BEGIN")  # one snapshot for the count, the page and the lists
            search = _Search(query, match_expression(query.text), self._open_hours(connection, query.moment))
            sql, params = search.where()
            total = connection.execute(f"SELECT count(*) FROM {search.source}{sql}", params).fetchone()[0]
            pages = max(1, -(-total // query.per_page))
            page = min(max(1, query.page), pages)
            rows = connection.execute(
                "SELECT c.slug, c.name, c.street, c.postal_code, c.city, c.municipality, c.eservice_count,"
                f" {_OPEN} FROM {search.source}{sql} ORDER BY {search.order} LIMIT ? OFFSET ?",
                [search.open_hours, *params, query.per_page, (page - 1) * query.per_page],
            ).fetchall()
            hits = [Hit(*row[:7], open_now=bool(row[7])) for row in rows]

            sql, params = search.where(municipality=False)
            rows = connection.execute(
                f"SELECT min(c.municipality), count(*) FROM {search.source}{sql} GROUP BY c.municipality_key", params
            )
            municipalities = sorted((Facet(*row) for row in rows), key=lambda facet: swedish_sort_key(facet.name))
            sql, params = search.where(eservice=False)
            rows = connection.execute(
                f"SELECT min(e.name), count(*) FROM {search.source} JOIN clinic_eservices e ON e.clinic_id = c.id"
                f"{sql} GROUP BY e.name_key ORDER BY count(*) DESC, e.name_key LIMIT ?",
                [*params, ESERVICE_FACETS],
            )
            eservices = [Facet(*row) for row in rows]
            sql, params = search.where(open_only=False)
            open_count = connection.execute(
                f"SELECT count(*) FROM {search.source}{sql} {'AND' if sql else 'WHERE'} {_OPEN}",
                [*params, search.open_hours],
            ).fetchone()[0]
        return Results(
            total=total,
            page=page,
            hits=hits,
            municipalities=municipalities,
            eservices=eservices,
            open_count=open_count,
            per_page=query.per_page,
        )

    def municipalities(self) -> list[Facet]:
        with self._connect() as connection:
            rows = connection.execute("SELECT min(municipality), count(*) FROM clinics GROUP BY municipality_key")
            return sorted((Facet(*row) for row in rows), key=lambda facet: swedish_sort_key(facet.name))

    def municipality_named(self, name: str) -> str | None:
        with self._connect() as connection:
            row = connection.execute(
                "SELECT municipality FROM clinics WHERE municipality_key = ? LIMIT 1", (key(name),)
            ).fetchone()
        return row[0] if row else None

    def eservice_named(self, name: str) -> str | None:
        with self._connect() as connection:
            row = connection.execute(
                "SELECT name FROM clinic_eservices WHERE name_key = ? LIMIT 1", (key(name),)
            ).fetchone()
        return row[0] if row else None

    def suggestions(self, text: str, moment: datetime.datetime) -> list[str]:
        with self._connect() as connection:
            if self._suggester is None:
                names = [row[0] for row in connection.execute("SELECT DISTINCT name FROM clinics")]
                places = [row[0] for row in connection.execute("SELECT DISTINCT municipality FROM clinics")]
                self._suggester = Suggester(names, places)
            suggester = self._suggester
        found = []
        for candidate in suggester.candidates(text):
            if self.search(Query(text=candidate, moment=moment, per_page=1)).total:
                found.append(candidate)
            if len(found) == 3:
                break
        return found
