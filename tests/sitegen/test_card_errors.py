"""Each bad value on a contact card is an error naming file, line and key, with an example of the right form."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import load_content
from tests.sitegen.conftest import CLINIC, write_content

FILE = "clinics/vardcentralen-test.yaml"


def errors_for(tmp_path: Path, clinic_text: str) -> list[str]:
    root = write_content(tmp_path / "content", **{"clinics__vardcentralen-test": clinic_text})
    with pytest.raises(ContentInvalid) as raised:
        load_content(root)
    return [str(error).replace(str(root) + "/", "") for error in raised.value.errors]


def test_days_that_are_not_weekdays(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC.replace("days: Måndag–fredag", "days: Mån–fre"))
    assert errors == [
        f"{FILE}:6: opening_hours[0].days: 'Mån–fre' går inte att läsa som veckodagar ('mån' är ingen veckodag); "
        "skriv till exempel Måndag–fredag, Tisdag och torsdag, Vardagar eller Lördag–söndag"
    ]


def test_hours_that_are_not_times(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC.replace('hours: "08.00–17.00"', "hours: åtta till fem"))
    assert errors == [
        f"{FILE}:6: opening_hours[0].hours: 'åtta till fem' går inte att läsa som öppettider; "
        'skriv till exempel "08.00–17.00", "08.00–12.00, 13.00–16.30" eller Stängt'
    ]
