"""Earlier prescriptions from the record system, for the `prescriptions` question.

Seed 001 fixes what the citizen may see: only this mottagning's prescriptions, at most five years
back, none that are discontinued, and nothing at all for a citizen under 16 or for a guardian
acting for a child. Those rules live in `prescriptions_to_list`, apart from the record system, so
a real record-system adapter (Cosmic in the region) cannot bypass them.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Protocol

from forms.identity.demo_data import DemoData
from forms.identity.personnummer import age_on

LIST_MIN_AGE = 16
YEARS_BACK = 5


@dataclass(frozen=True)
class Prescription:
    """One prescription (ordination) as the record system knows it."""

    id: str  # stable across requests, so a choice posted back still names the same medicine
    clinic: str
    name: str
    strength: str | None
    form: str | None
    dosage: str | None
    prescribed: datetime.date
    discontinued: datetime.date | None

    def title(self) -> str:
        """How the medicine is named in the list: name, strength and form."""
        details = ", ".join(part for part in (self.form,) if part)
        head = " ".join(part for part in (self.name, self.strength) if part)
        return f"{head}, {details}" if details else head


class RecordSystem(Protocol):
    """The part of a record system the forms app reads."""

    def prescriptions(self, personnummer: str, clinic: str) -> list[Prescription]:
        """Every prescription of this person at this mottagning, discontinued ones included."""
        ...


def prescription_id(personnummer: str, clinic: str, name: str, strength: str | None, prescribed: datetime.date) -> str:
    """A short id from what identifies a prescription; no personal data is readable from it."""
    key = "|".join([personnummer, clinic, name, strength or "", prescribed.isoformat()])
    return "p" + hashlib.sha256(key.encode()).hexdigest()[:12]


class DemoRecordSystem:
    """The record system of the demo file's `prescriptions`."""

    def __init__(self, data: DemoData) -> None:
        self._items: dict[tuple[str, str], list[Prescription]] = {}
        for item in data.prescriptions:
            prescription = Prescription(
                id=prescription_id(item.personnummer, item.clinic, item.name, item.strength, item.prescribed),
                clinic=item.clinic,
                name=item.name,
                strength=item.strength,
                form=item.form,
                dosage=item.dosage,
                prescribed=item.prescribed,
                discontinued=item.discontinued,
            )
            self._items.setdefault((item.personnummer, item.clinic), []).append(prescription)

    def prescriptions(self, personnummer: str, clinic: str) -> list[Prescription]:
        return list(self._items.get((personnummer, clinic), []))


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def prescriptions_to_list(
    records: RecordSystem,
    subject: str,
    clinic: str,
    *,
    acting_for_child: bool,
    today: datetime.date,
) -> list[Prescription] | None:
    """The prescriptions the citizen may pick from, newest first, or None when no list is shown.

    None (not an empty list) means the rules forbid a list: the page then explains that medicines
    are typed by hand, instead of suggesting the citizen has no prescriptions.
    """
    if acting_for_child or age_on(subject, today) < LIST_MIN_AGE:
        return None
    since = _years_before(today, YEARS_BACK)
    found = [
        p for p in records.prescriptions(subject, clinic)
        if p.clinic == clinic and p.discontinued is None and since <= p.prescribed <= today
    ]
    return sorted(found, key=lambda p: (p.prescribed, p.name), reverse=True)
