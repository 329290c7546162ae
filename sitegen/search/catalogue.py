"""What a searcher keeps in memory of one version of the index: every mottagning's place in the
alphabet, municipality and opening hours, and the spellings of the filters' names.

A new query used to ask SQLite to join, sort and return every match (thousands for a broad word)
only to show twenty of them and count the rest. With these few values per mottagning (about 2 MB
at 10,000), the matches are counted, filtered and grouped per municipality from their ids alone,
the alphabetical order needs no sort of strings, and the filters' names need no statement; only
the page's own twenty are ranked by SQLite (docs/performance.md, "Search").
"""

from __future__ import annotations

import heapq
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from sitegen.search.query import Facet
from sitegen.site.view import swedish_sort_key


@dataclass(frozen=True)
class Clinic:
    position: int  # in the order of the clinics' (sort_key, slug): the alphabetical order of the results
    municipality_key: str
    hours: str


@dataclass(frozen=True)
class Catalogue:
    clinics: dict[int, Clinic]
    order: list[int]  # every id, alphabetically (a search without words lists them so)
    by_municipality: dict[str, list[int]]  # municipality key → its ids, alphabetically
    municipality_names: dict[str, str]  # key → its most common spelling (see read)
    municipality_places: dict[str, int]  # key → its place in the Swedish alphabetical list of municipalities
    eservice_names: dict[str, str]  # key → the spelling of its first row (as `WHERE name_key = ? LIMIT 1`)
    eservice_keys: dict[int, tuple[str, ...]]  # id → the keys of its e-services
    spellings: dict[str, str]  # key → its one spelling, for the keys spelled one way only
    spelled: dict[tuple[int, str], str]  # (id, key) → the spelling, for the keys spelled more ways

    @classmethod
    def read(cls, connection: sqlite3.Connection) -> Catalogue:
        """Read once per index version (at a worker's warm-up): a handful of statements over the
        whole index, so that no search afterwards needs one to count, group or name its matches."""
        clinics: dict[int, Clinic] = {}
        order: list[int] = []
        by_municipality: dict[str, list[int]] = {}
        spelled_as: dict[str, Counter[str]] = {}
        rows = connection.execute(
            "SELECT id, municipality_key, municipality, hours FROM clinics ORDER BY sort_key, slug"
        )
        for position, (clinic_id, municipality_key, municipality, hours) in enumerate(rows):
            clinics[clinic_id] = Clinic(position, municipality_key, hours)
            order.append(clinic_id)
            by_municipality.setdefault(municipality_key, []).append(clinic_id)
            spelled_as.setdefault(municipality_key, Counter())[municipality] += 1
        # One name per municipality wherever it is listed, whatever matched: the spelling most of its
        # mottagningar use (one card's "MALMÖ" does not rename Malmö), on a tie the smallest.
        municipalities = {
            name_key: min(counts, key=lambda name: (-counts[name], name)) for name_key, counts in spelled_as.items()
        }
        places = sorted(municipalities, key=lambda name_key: swedish_sort_key(municipalities[name_key]))
        offered: dict[int, list[str]] = {}
        names: dict[str, set[str]] = {}
        rows = connection.execute("SELECT clinic_id, name_key, name FROM clinic_eservices").fetchall()
        for clinic_id, name_key, name in rows:
            offered.setdefault(clinic_id, []).append(name_key)
            names.setdefault(name_key, set()).add(name)
        spellings = {name_key: next(iter(found)) for name_key, found in names.items() if len(found) == 1}
        return cls(
            clinics=clinics,
            order=order,
            by_municipality=by_municipality,
            municipality_names=municipalities,
            municipality_places={name_key: place for place, name_key in enumerate(places)},
            eservice_names={
                name_key: name
                for name_key, name, _ in connection.execute(
                    "SELECT name_key, name, min(clinic_id) FROM clinic_eservices GROUP BY name_key"
                )
            },
            eservice_keys={clinic_id: tuple(keys) for clinic_id, keys in offered.items()},
            spellings=spellings,
            spelled={(row[0], row[1]): row[2] for row in rows if row[1] not in spellings},
        )

    def municipality_facets(self, ids: Iterable[int]) -> list[Facet]:
        """The municipalities of `ids` with their counts, in Swedish alphabetical order."""
        counts: dict[str, int] = {}
        clinics = self.clinics
        for clinic_id in ids:
            municipality_key = clinics[clinic_id].municipality_key
            counts[municipality_key] = counts.get(municipality_key, 0) + 1
        places = self.municipality_places
        return [
            Facet(self.municipality_names[name_key], counts[name_key])
            for name_key in sorted(counts, key=places.__getitem__)
        ]

    def eservice_facets(self, ids: list[int], limit: int) -> list[Facet]:
        """The `limit` e-services most offered among `ids`, with their counts: most first, then by
        key; each named by its smallest spelling among them (as SQL's min(name) did)."""
        keys = self.eservice_keys
        counts = Counter(chain.from_iterable(keys.get(clinic_id, ()) for clinic_id in ids))
        top = heapq.nsmallest(limit, counts.items(), key=lambda item: (-item[1], item[0]))
        return [Facet(self._spelling(name_key, ids), count) for name_key, count in top]

    def _spelling(self, name_key: str, ids: list[int]) -> str:
        spelling = self.spellings.get(name_key)
        if spelling is None:
            spelled = self.spelled
            spelling = min(spelled[clinic_id, name_key] for clinic_id in ids if (clinic_id, name_key) in spelled)
        return spelling
