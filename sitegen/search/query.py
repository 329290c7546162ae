"""A search as the index understands it, and what comes back: plain values, no SQL, no Flask."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

PER_PAGE = 20


@dataclass(frozen=True)
class Query:
    text: str = ""  # free text; only its words are used (schema.words)
    municipality: str | None = None  # a municipality's name, as the index knows it
    eservice: str | None = None  # an e-service's name, as the index knows it
    open_only: bool = False  # only the mottagningar open at `moment`
    moment: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class Hit:
    slug: str
    name: str
    street: str
    postal_code: str
    city: str
    municipality: str
    eservice_count: int
    open_now: bool


@dataclass(frozen=True)
class Facet:
    name: str
    count: int | None  # None: not counted (see reader.COUNTED_ESERVICES)


@dataclass(frozen=True)
class Results:
    total: int
    page: int  # the page shown: the asked one, within 1 … pages
    hits: list[Hit]
    municipalities: list[Facet]  # of the matches (shown while no municipality is chosen)
    eservices: list[Facet]  # of the matches, most common first (shown while none is chosen)
    open_count: int  # how many of the matches are open now
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))
