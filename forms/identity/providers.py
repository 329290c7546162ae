"""Who a logged-in citizen is, and for which children they may act.

The app never checks a password or an e-legitimation itself. An upstream identity provider (BankID
or Freja through the region's login service in production, the test login in development) vouches
for a personnummer; everything the app then needs to know about that person comes through the
`IdentityProvider` protocol below. See docs/operators.md for plugging in a real one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Protocol

from forms.identity.demo_data import DemoData
from forms.identity.personnummer import age_on, birth_date

# Seed 001: a guardian acts for a child of 0–13 years; from 13 a child uses its own login.
GUARDIAN_AGE_LIMIT = 13


@dataclass(frozen=True)
class Person:
    """A citizen as the identity provider describes them."""

    personnummer: str
    name: str

    @property
    def birth_date(self) -> datetime.date:
        return birth_date(self.personnummer)

    def age_on(self, today: datetime.date) -> int:
        return age_on(self.personnummer, today)


class IdentityProvider(Protocol):
    """What the app asks about a citizen once their personnummer is verified.

    A production implementation looks the person up in the region's population register (and the
    guardianship register for `children_of`); it must return None for a personnummer it does not
    know, never raise.
    """

    def find_person(self, personnummer: str) -> Person | None:
        """The person with this normalized personnummer, if known."""
        ...

    def children_of(self, person: Person) -> list[Person]:
        """Every child this person is a guardian of, of any age."""
        ...


class DemoIdentityProvider:
    """The identity provider of the demo file: its `people` and their `children`."""

    def __init__(self, data: DemoData) -> None:
        self._people = {p.personnummer: Person(p.personnummer, p.name) for p in data.people}
        self._children = {p.personnummer: list(p.children) for p in data.people}

    def find_person(self, personnummer: str) -> Person | None:
        return self._people.get(personnummer)

    def people(self) -> list[Person]:
        """Everyone in the demo file: listed on the test login page so a newcomer can pick one."""
        return list(self._people.values())

    def children_of(self, person: Person) -> list[Person]:
        found = (self._people.get(number) for number in self._children.get(person.personnummer, []))
        return [child for child in found if child is not None]


def children_to_act_for(identity: IdentityProvider, guardian: Person, today: datetime.date) -> list[Person]:
    """The children a guardian may act for today: their own, under GUARDIAN_AGE_LIMIT."""
    return [child for child in identity.children_of(guardian) if child.age_on(today) < GUARDIAN_AGE_LIMIT]
