"""What the search page needs of an index, whichever kind answers it."""

from __future__ import annotations

import datetime
from typing import Protocol

from sitegen.search.query import Facet, Query, Results


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

    def suggestions(self, text: str) -> list[str]:
        """Queries that do find something, close to a text that found nothing ("Menade du …?")."""
        ...

    def state(self, moment: datetime.datetime) -> object:
        """What every answer depends on besides the query: the index's version and which
        mottagningar are open at `moment`. Equal for as long as neither changes (most minutes,
        nobody opens or closes), so a page kept for it stays true; raises IndexMissing."""
        ...

    def warm(self, moment: datetime.datetime) -> None:
        """Work out now what the first searches would otherwise each pay for (a worker's start)."""
        ...
