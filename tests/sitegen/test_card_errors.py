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


def test_days_as_a_number_of_list_separators_read_as_one_line(tmp_path: Path) -> None:
    text = CLINIC.replace('  - {days: Måndag–fredag, hours: "08.00–17.00"}', '  - {days: "Måndag, onsdag och", hours: "08.00–17.00"}')
    errors = errors_for(tmp_path, text)
    assert errors == [
        f"{FILE}:6: opening_hours[0].days: 'Måndag, onsdag och' går inte att läsa som veckodagar "
        "('onsdag och' är ingen veckodag); skriv till exempel Måndag–fredag, Tisdag och torsdag, Vardagar eller "
        "Lördag–söndag"
    ]


def test_hours_that_end_before_they_start(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC.replace('hours: "08.00–17.00"', 'hours: "17.00–08.00"'))
    assert errors == [
        f"{FILE}:6: opening_hours[0].hours: '17.00–08.00' slutar inte efter att den börjar; "
        'skriv till exempel "08.00–17.00", "08.00–12.00, 13.00–16.30" eller Stängt'
    ]


def test_phone_that_is_not_a_swedish_number(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC.replace('phone: "010-123 45 67"', 'phone: "010-123"'))
    assert errors == [
        f"{FILE}:4: phone: '010-123' är inget giltigt svenskt telefonnummer; skriv det med riktnummer, "
        'till exempel "010-242 10 00"'
    ]


def test_phone_that_is_words(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC.replace('phone: "010-123 45 67"', "phone: ring växeln"))
    assert errors == [
        f"{FILE}:4: phone: 'ring växeln' är inget giltigt svenskt telefonnummer; skriv det med riktnummer, "
        'till exempel "010-242 10 00"'
    ]


def test_postal_code_that_is_not_five_digits(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC.replace('postal_code: "123 45"', 'postal_code: "1234"'))
    assert errors == [
        f"{FILE}:3: address.postal_code: '1234' är inget svenskt postnummer; skriv fem siffror, "
        'till exempel "553 20"'
    ]


@pytest.mark.parametrize(
    ("line", "key", "placeholder", "example"),
    [
        ("municipality: Testby", "municipality", "Ange kommun", "kommunen, till exempel Jönköping"),
        ("street: Testgatan 1", "address.street", "Ange gatuadress", "gatuadressen, till exempel Storgatan 1"),
        ("city: Testby", "address.city", "Ange ort", "orten, till exempel Jönköping"),
        ('postal_code: "123 45"', "address.postal_code", "Ange postnummer", 'postnumret, till exempel "553 20"'),
        (
            'phone: "010-123 45 67"',
            "phone",
            "Ange telefonnummer",
            'mottagningens telefonnummer med riktnummer, till exempel "010-242 10 00"',
        ),
    ],
)
def test_a_scaffold_placeholder_left_in_place(
    tmp_path: Path, line: str, key: str, placeholder: str, example: str
) -> None:
    name = line.split(":")[0]
    errors = errors_for(tmp_path, CLINIC.replace(line, f'{name}: "{placeholder}"'))
    number = next(i for i, text in enumerate(CLINIC.splitlines(), 1) if line in text)
    assert errors == [f"{FILE}:{number}: {key}: '{placeholder}' står kvar från mallen; skriv {example}"]


def test_the_scaffold_s_hsa_id_left_in_place(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC.replace("municipality: Testby\n", "municipality: Testby\nhsa_id: SE0000000000-0000\n"))
    assert errors == [
        f"{FILE}:3: hsa_id: 'SE0000000000-0000' står kvar från mallen; skriv mottagningens HSA-id, "
        "till exempel SE2321000065-7331"
    ]


EXCEPTIONS = """\
opening_exceptions:
  - {date: 2026-12-24, hours: Stängt, note: Julafton}
  - {date: 2026-12-30, hours: "08.00–12.00"}
"""


def test_exception_hours_that_are_not_times(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + EXCEPTIONS.replace('"08.00–12.00"', "förmiddag"))
    assert errors == [
        f"{FILE}:20: opening_exceptions[1].hours: 'förmiddag' går inte att läsa som öppettider; "
        'skriv till exempel "08.00–17.00", "08.00–12.00, 13.00–16.30" eller Stängt'
    ]


def test_exception_date_that_is_not_a_date(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + EXCEPTIONS.replace("2026-12-24", "julafton"))
    assert errors == [f"{FILE}:19: opening_exceptions[0].date: 'julafton' är inget datum; skriv det som 2025-01-31"]


def test_exception_date_given_twice(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + EXCEPTIONS.replace("2026-12-30", "2026-12-24"))
    assert errors == [
        f"{FILE}:20: opening_exceptions[1].date: 2026-12-24 finns redan som opening_exceptions[0]; "
        "ett datum får bara ha en avvikande öppettid"
    ]


NOTICES = """\
notices:
  - title: Vi har flyttat
    text: |
      Från den 1 februari finns vi på Storgatan 5.
    from: 2027-01-15
    until: 2027-02-28
"""


def test_notice_that_ends_before_it_starts(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + NOTICES.replace("until: 2027-02-28", "until: 2027-01-14"))
    assert errors == [
        f"{FILE}:23: notices[0].until: 2027-01-14 är före from (2027-01-15); meddelandet visas från from till och "
        "med until, till exempel from: 2027-01-15, until: 2027-02-28"
    ]


def test_notice_without_an_until(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + NOTICES.replace("    until: 2027-02-28\n", ""))
    assert errors == [f"{FILE}:19: notices[0].until: obligatorisk nyckel saknas"]


def test_notice_with_a_date_that_is_not_a_date(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + NOTICES.replace("from: 2027-01-15", "from: 15 januari"))
    assert errors == [f"{FILE}:22: notices[0].from: '15 januari' är inget datum; skriv det som 2025-01-31"]


def test_valid_card_values_are_normalised(tmp_path: Path) -> None:
    text = CLINIC.replace('postal_code: "123 45"', 'postal_code: "12345"').replace(
        'phone: "010-123 45 67"', 'phone: "0101234567"'
    )
    root = write_content(tmp_path / "content", **{"clinics__vardcentralen-test": text + EXCEPTIONS + NOTICES})
    clinic = load_content(root).clinics["vardcentralen-test"]
    assert clinic.address is not None and clinic.address.postal_code == "123 45"
    assert clinic.phone == "010-123 45 67"
    assert [exception.hours for exception in clinic.opening_exceptions] == ["Stängt", "08.00–12.00"]
    assert clinic.notices[0].from_.isoformat() == "2027-01-15"


def test_a_borrow_error_comes_with_the_lender_s_own_error(tmp_path: Path) -> None:
    """Before: the lender's phone error hid the borrow error until the phone was fixed."""
    lender = 'name: Psykiatrin\nmunicipality: Testby\nphone: "Ange telefonnummer"\neservices:\n  - use: skicka-meddelande\n'
    root = write_content(
        tmp_path / "content",
        clinics__psykiatrin=lender,
        **{"clinics__vardcentralen-test": CLINIC.replace("borrow: skicka-meddelande", "borrow: fornya-recept")},
    )
    with pytest.raises(ContentInvalid) as raised:
        load_content(root)
    errors = [str(error).replace(str(root) + "/", "") for error in raised.value.errors]
    assert errors == [
        "clinics/psykiatrin.yaml:3: phone: 'Ange telefonnummer' står kvar från mallen; skriv mottagningens "
        'telefonnummer med riktnummer, till exempel "010-242 10 00"',
        f"{FILE}:16: eservices[3].borrow: Psykiatrin (psykiatrin) erbjuder inte 'fornya-recept'; "
        "den erbjuder: skicka-meddelande",
    ]


def test_a_borrow_of_what_a_broken_lender_offers_adds_no_error(tmp_path: Path) -> None:
    lender = 'name: Psykiatrin\nmunicipality: Testby\nphone: "123"\neservices:\n  - use: skicka-meddelande\n    options: {x: [a]}\n'
    errors_root = write_content(tmp_path / "content", clinics__psykiatrin=lender)
    with pytest.raises(ContentInvalid) as raised:
        load_content(errors_root)
    assert {error.path.name for error in raised.value.errors} == {"psykiatrin.yaml"}
