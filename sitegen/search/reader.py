"""Reading the index: one search, the municipalities, and the lists a search page offers.

User text reaches SQLite only as bound parameters and quoted words (sitegen/search/expressions.py).

Each call reads in a short transaction of its own, on a read-only connection its thread keeps
for as long as the file stays the same version (opening one cost about 0.2 ms of a new search's
CPU): the build replaces or updates the index in place (atomically), the next call sees the
file's new version and opens it anew. What is derived from the whole index (which opening hours
are open this minute, the words to suggest, the catalogue) is cached per version of the file.
"""

from __future__ import annotations

import datetime
import heapq
import json
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sitegen.search.catalogue import Catalogue
from sitegen.search.compounds import compound_hits
from sitegen.search.expressions import filters, match_expression, query_words, word_expression  # noqa: F401
from sitegen.search.query import Facet, Hit, Query, Results
from sitegen.search.schema import index_path, key
from sitegen.search.searcher import IndexMissing, Searcher  # noqa: F401 (imported from here by the app)
from sitegen.search.suggest import Suggester
from sitegen.search.words import RANK, Words

ESERVICE_FACETS = 20  # the most common e-services among the matches offered as filters


# Above this many matches, the e-service filter offers the most common e-services of the whole
# index (without counts) instead of counting the matches' e-services: that count grows with
# matches × e-services, and a broad query ("mottagning") matches nearly every mottagning.
COUNTED_ESERVICES = 1000
RESULTS_KEPT = 1000  # results of recent queries kept per process (see SqliteSearcher.search)


class SqliteSearcher:
    """Searches the SQLite FTS5 index of a built site (see sitegen.search.schema)."""

    def __init__(self, site_dir: Path, is_open: Callable[[str, datetime.datetime], bool]) -> None:
        self.path = index_path(site_dir)
        self.is_open = is_open
        self._version: tuple[int, int, int] | None = None
        self._open_cache: dict[datetime.datetime, frozenset[str]] = {}
        self._suggester: Suggester | None = None
        self._common: list[Facet] | None = None
        self._catalogue: Catalogue | None = None
        self._words = Words()  # what single words match, for this version of the index
        self._municipalities: list[Facet] | None = None
        self._last_open: frozenset[str] = frozenset()
        self._results: OrderedDict[tuple[Any, ...], Results] = OrderedDict()
        self._lock = threading.Lock()
        self._local = threading.local()  # each thread's connection, with the version it was opened on

    def _check_version(self) -> None:
        """Forget everything derived from the index when the file changed (a build replaced it)."""
        try:
            stat = os.stat(self.path)
        except OSError as error:
            raise IndexMissing(str(self.path)) from error
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if version != self._version:
            with self._lock:
                self._version, self._open_cache, self._suggester, self._common = version, {}, None, None
                self._municipalities, self._last_open, self._catalogue = None, frozenset(), None
                self._results, self._words = OrderedDict(), Words()

    def _still(self, version: tuple[int, int, int] | None) -> bool:
        """Whether the index is still the one a computation began on. A build may replace the file
        while a thread reads the old one; what it found then must not be kept for the new one."""
        return version is not None and version == self._version

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection to the current version of the file, its transaction ended after
        use; on an error it is closed, and the next call opens a new one."""
        self._check_version()
        local = self._local
        connection: sqlite3.Connection | None = getattr(local, "connection", None)
        if connection is None or local.version != self._version:
            if connection is not None:
                connection.close()
            local.connection = None
            try:
                connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
            except sqlite3.Error as error:
                raise IndexMissing(str(self.path)) from error
            local.connection, local.version = connection, self._version
        try:
            yield connection
        except BaseException:
            local.connection = None
            connection.close()
            raise
        if connection.in_transaction:
            connection.rollback()

    def _open_hours(self, connection: sqlite3.Connection, moment: datetime.datetime) -> frozenset[str]:
        """The distinct stored opening hours that are open at `moment`'s minute.

        Hours are written in whole minutes, so the answer is the same all through one minute.
        Many mottagningar share their hours; each distinct text is read once.
        """
        minute = moment.replace(second=0, microsecond=0)
        cached = self._open_cache.get(minute)
        if cached is None:
            version = self._version
            values = [row[0] for row in connection.execute("SELECT DISTINCT hours FROM clinics")]
            cached = frozenset(value for value in values if self.is_open(value, minute))
            if cached == self._last_open:
                cached = self._last_open  # the same object while nothing opens or closes (see state)
            with self._lock:
                if self._still(version):
                    self._last_open = cached
                    if len(self._open_cache) > 4:
                        self._open_cache.clear()
                    self._open_cache[minute] = cached
        return cached

    def _catalogue_of(self, connection: sqlite3.Connection) -> Catalogue:
        catalogue = self._catalogue
        if catalogue is None:
            version = self._version
            catalogue = Catalogue.read(connection)
            with self._lock:
                if self._still(version):
                    self._catalogue = catalogue
        return catalogue

    def _known_catalogue(self) -> Catalogue:
        """The catalogue of the index as it is now, read only if this version has none yet."""
        self._check_version()
        catalogue = self._catalogue
        if catalogue is None:
            with self._connect() as connection:
                catalogue = self._catalogue_of(connection)
        return catalogue

    def _common_eservices(self, connection: sqlite3.Connection) -> list[Facet]:
        common = self._common
        if common is None:
            version = self._version
            rows = connection.execute(
                "SELECT min(name) FROM clinic_eservices GROUP BY name_key ORDER BY count(*) DESC, name_key LIMIT ?",
                (ESERVICE_FACETS,),
            )
            common = [Facet(row[0], None) for row in rows]
            with self._lock:
                if self._still(version):
                    self._common = common
        return common

    def search(self, query: Query) -> Results:
        """The results of a query, the same for as long as the state (the index's version, and
        which mottagningar are open) stays: the same queries recur, so the last RESULTS_KEPT are kept."""
        key = (query.text, query.municipality, query.eservice, query.open_only, self.state(query.moment),
               query.page, query.per_page)  # fmt: skip
        with self._lock:
            cached = self._results.get(key)
            if cached is not None:
                self._results.move_to_end(key)
                return cached
        results = self._search(query)
        with self._lock:
            self._results[key] = results
            while len(self._results) > RESULTS_KEPT:
                self._results.popitem(last=False)
        return results

    def _search(self, query: Query) -> Results:
        """The matches' ids (every active filter applied), counted and grouped from memory; only
        the page's own rows are ranked by SQLite (a broad word's thousands are never all sorted),
        so a deep page of a broad query ranks no more than the pages before it."""
        with self._connect() as connection:
            connection.execute("BEGIN")  # one snapshot for the matches and the page's details
            catalogue = self._catalogue_of(connection)
            open_hours = self._open_hours(connection, query.moment)
            expression = match_expression(query.text)
            words = self._words

            def keep(ids: list[int]) -> list[int]:
                return self._kept(catalogue, query, open_hours, ids)

            if expression is not None:  # every word's matches: what the words' AND matches
                typed = query_words(query.text)
                matched = words.starts(connection, typed[0]).intersection(
                    *(words.starts(connection, word) for word in typed[1:])
                )
                found = keep(list(matched))
                inside = compound_hits(connection, words, catalogue, query, open_hours, keep, set(found))
            else:  # no words: every mottagning the filters keep, alphabetically
                everyone = catalogue.order
                if query.municipality is not None:
                    everyone = catalogue.by_municipality.get(key(query.municipality), [])
                found, inside = keep(everyone), []
            total = len(found) + len(inside)
            pages = max(1, -(-total // query.per_page))
            page = min(max(1, query.page), pages)
            start, end = (page - 1) * query.per_page, page * query.per_page
            shown = inside[max(0, start - len(found)) : max(0, end - len(found))]
            if start < len(found):
                ranked = self._ranked(connection, catalogue, query, expression, open_hours, found, start, end)
                shown = ranked + shown
            details = {
                row[0]: row[1:]
                for row in connection.execute(
                    "SELECT id, slug, name, street, postal_code, city, municipality, eservice_count, hours"
                    " FROM clinics WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(shown),),
                )
            }
            hits = [Hit(*details[i][:7], open_now=details[i][7] in open_hours) for i in shown]
            matched = found + inside
            if total > COUNTED_ESERVICES:
                eservices = self._common_eservices(connection)
            else:
                eservices = catalogue.eservice_facets(matched, ESERVICE_FACETS)
        clinics = catalogue.clinics
        return Results(
            total=total,
            page=page,
            hits=hits,
            municipalities=catalogue.municipality_facets(matched),
            eservices=eservices,
            open_count=sum(1 for i in matched if clinics[i].hours in open_hours),
            per_page=query.per_page,
        )

    @staticmethod
    def _kept(catalogue: Catalogue, query: Query, open_hours: frozenset[str], ids: list[int]) -> list[int]:
        """The ids the query's filters keep (the conditions of expressions.filters, in memory)."""
        clinics = catalogue.clinics
        kept = [i for i in ids if i in clinics]
        if query.municipality is not None:
            municipality_key = key(query.municipality)
            kept = [i for i in kept if clinics[i].municipality_key == municipality_key]
        if query.eservice is not None:
            eservice_key, offered = key(query.eservice), catalogue.eservice_keys
            kept = [i for i in kept if eservice_key in offered.get(i, ())]
        if query.open_only:
            kept = [i for i in kept if clinics[i].hours in open_hours]
        return kept

    def _ranked(
        self,
        connection: sqlite3.Connection,
        catalogue: Catalogue,
        query: Query,
        expression: str | None,
        open_hours: frozenset[str],
        found: list[int],
        start: int,
        end: int,
    ) -> list[int]:
        """The word-start matches from `start` to `end` in the order of the results: best first
        (BM25), then alphabetically. Only the best `end` are ever ordered, by the words' kept
        scores (sitegen/search/words.py), so a broad word is scored once, not per filter and page;
        of several words by SQLite among their matches, up to the page shown."""
        if expression is None or len(found) == 1:
            return found[start:end]  # already alphabetical, or nothing to order
        typed, words, clinics = query_words(query.text), self._words, catalogue.clinics
        if len(typed) == 1:
            scores = words.scores(connection, typed[0])
            return heapq.nsmallest(end, found, key=lambda i: (scores[i], clinics[i].position))[start:]
        source, params = filters(query, expression, open_hours)
        rows = connection.execute(
            f"SELECT c.id FROM {source} ORDER BY bm25(fts, {RANK}), c.sort_key, c.slug LIMIT ? OFFSET ?",
            [*params, end - start, start],
        )
        return [row[0] for row in rows]

    def state(self, moment: datetime.datetime) -> tuple[tuple[int, int, int] | None, frozenset[str]]:
        self._check_version()
        version = self._version
        minute = moment.replace(second=0, microsecond=0)
        open_hours = self._open_cache.get(minute)
        if open_hours is None:
            with self._connect() as connection:
                open_hours = self._open_hours(connection, moment)
        return version, open_hours

    def warm(self, moment: datetime.datetime) -> None:
        """The opening hours open at `moment` (each set of hours read for the day), the list of
        municipalities, the most common e-services and the suggestion vocabulary."""
        with self._connect() as connection:
            self._open_hours(connection, moment)
            self._catalogue_of(connection)
            self._common_eservices(connection)
            self._suggester_of(connection)
        self.municipalities()

    def municipalities(self) -> list[Facet]:
        """Kept per version of the index: the no-hit page and the empty search show them all,
        each by the name the filter list gives it (Catalogue.municipality_names)."""
        self._check_version()
        kept = self._municipalities
        if kept is None:
            version = self._version
            catalogue = self._known_catalogue()
            kept = catalogue.municipality_facets(catalogue.order)
            with self._lock:
                if self._still(version):
                    self._municipalities = kept
        return kept

    def municipality_named(self, name: str) -> str | None:
        return self._known_catalogue().municipality_names.get(key(name))

    def eservice_named(self, name: str) -> str | None:
        return self._known_catalogue().eservice_names.get(key(name))

    def _suggester_of(self, connection: sqlite3.Connection) -> Suggester:
        suggester = self._suggester
        if suggester is None:
            version = self._version
            names = [row[0] for row in connection.execute("SELECT DISTINCT name FROM clinics")]
            places = [row[0] for row in connection.execute("SELECT DISTINCT municipality FROM clinics")]
            suggester = Suggester(names, places)
            with self._lock:
                if self._still(version):
                    self._suggester = suggester
        return suggester

    def suggestions(self, text: str) -> list[str]:
        with self._connect() as connection:
            suggester = self._suggester_of(connection)
            found: list[str] = []
            for candidate in suggester.candidates(text):
                expression = match_expression(candidate)
                if expression is None:
                    continue
                if connection.execute("SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", (expression,)).fetchone():
                    found.append(candidate)  # only spellings that find something
                if len(found) == 3:
                    break
        return found
