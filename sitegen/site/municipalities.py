"""Municipalities: their page addresses and the mottagningar grouped under them.

The front page lists municipalities (not 10,000 mottagningar) and each municipality has its own
page, `/kommuner/<slug>/`. The slug is made from the name alone (å, ä → a, ö → o, anything not a
letter or digit → "-"), so a contact page can link to its municipality's page knowing only its
own card, and the incremental build's per-page dependencies stay as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sitegen.site.view import swedish_sort_key

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class Entry(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def clinic(self) -> Any: ...


def municipality_slug(name: str) -> str:
    """"Upplands Väsby" → "upplands-vasby"; "Malmö" → "malmo"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_SLUG.sub("-", ascii_only).strip("-") or "kommun"


def municipality_path(name: str) -> str:
    return f"kommuner/{municipality_slug(name)}/"


@dataclass(frozen=True)
class MunicipalityGroup:
    name: str
    slug: str
    pages: Sequence[Entry]  # in Swedish alphabetical order of the mottagningar's names

    @property
    def path(self) -> str:
        return f"kommuner/{self.slug}/"

    @property
    def count(self) -> int:
        return len(self.pages)


def group_by_municipality(entries: Iterable[Entry]) -> list[MunicipalityGroup]:
    """Contact pages by municipality (one page per slug), both in Swedish alphabetical order.

    Two spellings with one slug ("Åby", "Aby") share a page, named by the first in Swedish order.
    """
    by_slug: dict[str, list[Entry]] = {}
    names: dict[str, set[str]] = {}
    for entry in entries:
        name = entry.clinic.municipality
        slug = municipality_slug(name)
        by_slug.setdefault(slug, []).append(entry)
        names.setdefault(slug, set()).add(name)
    groups = [
        MunicipalityGroup(
            name=min(names[slug], key=lambda name: (swedish_sort_key(name), name)),
            slug=slug,
            pages=sorted(pages, key=lambda entry: (swedish_sort_key(entry.clinic.name), entry.path)),
        )
        for slug, pages in by_slug.items()
    ]
    return sorted(groups, key=lambda group: (swedish_sort_key(group.name), group.slug))
