"""Where a Boka tid journey books: this mottagning, or one of those its `boka` entry lists.

Seed 004's menu lets one mottagning's Boka tid offer times at others (`clinics:` of the entry,
CONTRACT section 9). Content guarantees each listed slug is a mottagning with a `boka` entry;
whether its tidbok has anything to book is the app's to know (the standalone tidbok lives in the
database and its lokal administratör may remove every time type), so it is decided here, at each
request: a listed mottagning with no time type the citizen may book is not offered, and with none
left the question is not asked at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from forms.booking import common
from forms.platform.services import services


@dataclass(frozen=True)
class Place:
    slug: str
    name: str
    hint: str | None  # the street address, to tell two mottagningar of one name apart


def _place(slug: str) -> Place:
    clinic = services().content.clinics[slug]
    address = clinic.address
    return Place(slug, clinic.name, f"{address.street}, {address.city}" if address is not None else None)


def choices(slug: str, subject: str, at: datetime.datetime) -> list[Place]:
    """This mottagning first, then the listed ones (in the file's order) that have times to offer."""
    entry = common.entries(slug).get("boka")
    listed = entry.clinics if entry is not None else []
    others = [
        other for other in listed
        if other in services().content.clinics and common.offered_types(other, subject, at)
    ]
    return [_place(slug)] + [_place(other) for other in others] if others else [_place(slug)]


def target(slug: str, raw: Mapping[str, object], places: list[Place]) -> str:
    """The mottagning whose tidbok the journey books in: the chosen one, while it is offered."""
    chosen = raw.get("where")
    return chosen if isinstance(chosen, str) and any(p.slug == chosen for p in places) else slug


def chosen(raw: Mapping[str, object], places: list[Place]) -> bool:
    """Whether "Var vill du boka tid?" is answered with a mottagning still offered."""
    return any(p.slug == raw.get("where") for p in places)
