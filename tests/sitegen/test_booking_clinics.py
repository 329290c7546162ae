"""`clinics:` of a `booking: boka` entry (CONTRACT section 9, "Book at another mottagning"): every
slug is another mottagning that books on the web, else an error at file:line: key; the incremental
build agrees with the plain one and notices when a listed mottagning stops booking."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build.run import build_site
from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import load_content
from tests.sitegen.conftest import CLINIC, OTHER, write_content

BOKA = "  - booking: boka\n    villkor: Boka en tid hos oss.\n"
# vardcentralen-test lists psykiatrin: lines 18-21 of the clinic file.
LISTING = "  - booking: boka\n    villkor: Boka en tid hos oss.\n    clinics: [{slugs}]\n"
BOOKING_OTHER = OTHER + BOKA


def errors_for(tmp_path: Path, clinic: str, other: str = BOOKING_OTHER) -> list[str]:
    root = write_content(tmp_path / "content", **{"clinics__vardcentralen-test": clinic, "clinics__psykiatrin": other})
    with pytest.raises(ContentInvalid) as raised:
        load_content(root)
    return [str(error).replace(str(root) + "/", "") for error in raised.value.errors]


def test_a_listed_mottagning_with_a_boka_entry_is_accepted(tmp_path: Path) -> None:
    root = write_content(
        tmp_path / "content",
        **{"clinics__vardcentralen-test": CLINIC + LISTING.format(slugs="psykiatrin"), "clinics__psykiatrin": BOOKING_OTHER},
    )
    content = load_content(root)
    entry = content.clinics["vardcentralen-test"].eservices[-1]
    assert entry.clinics == ["psykiatrin"]  # type: ignore[union-attr]


def test_an_unknown_slug_is_an_error_at_its_line(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + LISTING.format(slugs="psykiatrin, finns-inte"))
    assert errors == [
        "clinics/vardcentralen-test.yaml:20: eservices[4].clinics[1]: mottagningen 'finns-inte' finns inte "
        "(content/clinics/finns-inte.yaml saknas)"
    ]


def test_a_mottagning_without_a_boka_entry_is_an_error(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + LISTING.format(slugs="psykiatrin"), other=OTHER)
    assert errors == [
        "clinics/vardcentralen-test.yaml:20: eservices[4].clinics[0]: Psykiatrin (psykiatrin) har ingen "
        "'booking: boka' och tar inte emot bokningar på webben"
    ]


def test_clinics_on_an_avboka_entry_is_an_error(tmp_path: Path) -> None:
    clinic = CLINIC + "  - booking: avboka\n    villkor: Avboka.\n    clinics: [psykiatrin]\n"
    errors = errors_for(tmp_path, clinic)
    assert errors == [
        "clinics/vardcentralen-test.yaml:20: eservices[4].clinics: clinics gäller bara 'booking: boka': "
        "där väljer invånaren var tiden bokas"
    ]


def test_itself_twice_or_a_bad_slug_are_errors(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + LISTING.format(slugs="vardcentralen-test, psykiatrin, psykiatrin"))
    assert errors == [
        "clinics/vardcentralen-test.yaml:20: eservices[4].clinics[0]: mottagningen själv ska inte stå i listan; "
        "den kommer alltid först i frågan",
        "clinics/vardcentralen-test.yaml:20: eservices[4].clinics[2]: 'psykiatrin' står redan i listan",
    ]
    errors = errors_for(tmp_path, CLINIC + LISTING.format(slugs="Psykiatrin"))
    assert errors == [
        "clinics/vardcentralen-test.yaml:20: eservices[4].clinics[0]: 'Psykiatrin' är inget giltigt id: "
        "använd små bokstäver a–z, siffror och bindestreck"
    ]


def test_the_incremental_build_notices_a_listed_mottagning_that_stops_booking(tmp_path: Path) -> None:
    # barnmottagningen borrows nothing: only its `clinics:` list ties its file to psykiatrin's.
    third = "name: Barnmottagningen\nmunicipality: Åby\neservices:\n" + LISTING.format(slugs="psykiatrin")
    root = write_content(tmp_path / "content", clinics__barnmottagningen=third, clinics__psykiatrin=BOOKING_OTHER)
    out = tmp_path / "site"
    build_site(root, out)
    # Its own change is checked against psykiatrin's summary, without falling back to a full load.
    (root / "clinics/barnmottagningen.yaml").write_text(third.replace("Åby", "Öby"), encoding="utf-8")
    assert build_site(root, out).incremental
    (root / "clinics/psykiatrin.yaml").write_text(OTHER, encoding="utf-8")
    with pytest.raises(ContentInvalid) as raised:
        build_site(root, out)
    assert [(error.path.name, error.key) for error in raised.value.errors] == [
        ("barnmottagningen.yaml", "eservices[0].clinics[0]")
    ]
