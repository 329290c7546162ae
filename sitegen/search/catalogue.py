"""What a searcher keeps in memory of one version of the index: every mottagning's place in the
alphabet, municipality and opening hours, and the spellings of the filters' names.

A new query used to ask SQLite to join, sort and return every match (thousands for a broad word)
only to show twenty of them and count the rest. With these few values per mottagning (about 2 MB
at 10,000), the matches are counted, filtered and grouped per municipality from their ids alone,
the alphabetical order needs no sort of strings, and the filters' names need no statement; only
the page's own twenty are ranked by SQLite (docs/performance.md, "Search").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

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
    municipality_names: dict[str, str]  # key → the spelling of its first mottagning (as `WHERE key = ? LIMIT 1`)
    municipality_places: dict[str, int]  # key → its place in the Swedish alphabetical list of municipalities
    eservice_names: dict[str, str]  # key → the spelling of its first row (as `WHERE name_key = ? LIMIT 1`)

    @classmethod
    def read(cls, connection: sqlite3.Connection) -> Catalogue:
        clinics: dict[int, Clinic] = {}
        order: list[int] = []
        by_municipality: dict[str, list[int]] = {}
        rows = connection.execute("SELECT id, municipality_key, hours FROM clinics ORDER BY sort_key, slug")
        for position, (clinic_id, municipality_key, hours) in enumerate(rows):
            clinics[clinic_id] = Clinic(position, municipality_key, hours)
            order.append(clinic_id)
            by_municipality.setdefault(municipality_key, []).append(clinic_id)
        # SQLite takes a bare column from the row that min() picked: the spelling of the lowest id.
        municipalities = {
            name_key: name
            for name_key, name, _ in connection.execute(
                "SELECT municipality_key, municipality, min(id) FROM clinics GROUP BY municipality_key"
            )
        }
        places = sorted(municipalities, key=lambda name_key: swedish_sort_key(municipalities[name_key]))
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
