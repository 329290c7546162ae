"""Personnummer, the demo identity data and the rules for which prescriptions are listed."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from forms.identity.demo_data import DEFAULT_DEMO_DATA, DemoDataInvalid, load_demo_data
from forms.identity.personnummer import InvalidPersonnummer, age_on, luhn_ok, normalize
from forms.identity.providers import DemoIdentityProvider, children_to_act_for
from forms.identity.records import DemoRecordSystem, prescriptions_to_list
from tests.forms.conftest import ADULT, CHILD, OTHER_ADULT, TEEN, TODAY


@pytest.mark.parametrize("typed", ["19121212-1212", "191212121212", " 19121212 - 1212 "])
def test_personnummer_is_normalized(typed: str) -> None:
    assert normalize(typed) == "19121212-1212"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "Skriv ditt personnummer"),
        ("121212-1212", "Skriv personnumret med 12 siffror, till exempel 19121212-1212"),
        ("19121212-121X", "Skriv personnumret med 12 siffror, till exempel 19121212-1212"),
        ("19121212-1213", "Personnumret stämmer inte. Kontrollera att alla siffror är rätt"),
        ("19121312-1212", "Personnumret innehåller inget giltigt födelsedatum"),
    ],
)
def test_invalid_personnummer_says_why(typed: str, reason: str) -> None:
    with pytest.raises(InvalidPersonnummer) as caught:
        normalize(typed)
    assert caught.value.reason == reason


def test_luhn_check_digit() -> None:
    assert luhn_ok("1212121212")
    assert luhn_ok("8112189876")
    assert not luhn_ok("8112189875")


def test_age_counts_whole_years_up_to_the_birthday() -> None:
    assert age_on("20100602-1234", datetime.date(2026, 6, 1)) == 15
    assert age_on("20100601-1234", datetime.date(2026, 6, 1)) == 16


def test_shipped_demo_data_has_the_people_the_journeys_need() -> None:
    data = load_demo_data(DEFAULT_DEMO_DATA)
    today = datetime.date(2026, 11, 21)
    identity = DemoIdentityProvider(data)
    tolvan = identity.find_person("19121212-1212")
    assert tolvan is not None and tolvan.name == "Tolvan Tolvansson"
    assert [c.birth_date.year for c in children_to_act_for(identity, tolvan, today)] == [2018]
    teens = [p for p in identity.people() if p.age_on(today) == 15]
    assert teens and teens[0].birth_date.year == 2011
    records = DemoRecordSystem(data)
    listed = prescriptions_to_list(records, tolvan.personnummer, "storgardens-vardcentral", acting_for_child=False, today=today)
    assert listed is not None and {p.name for p in listed} == {"Levaxin", "Enalapril"}
    everything = {p.name for p in records.prescriptions(tolvan.personnummer, "storgardens-vardcentral")}
    assert {"Omeprazol", "Citalopram"} <= everything  # present in the record, but never listed
    assert records.prescriptions(teens[0].personnummer, "storgardens-vardcentral")  # has some, never listed


def test_demo_data_with_a_bad_personnummer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text('people:\n  - {personnummer: "19121212-1213", name: Fel}\n', encoding="utf-8")
    with pytest.raises(DemoDataInvalid, match="19121212-1213"):
        load_demo_data(path)


def test_children_of_13_or_older_are_not_acted_for(demo_file: Path) -> None:
    identity = DemoIdentityProvider(load_demo_data(demo_file))
    adult = identity.find_person(ADULT)
    assert adult is not None
    assert [c.personnummer for c in children_to_act_for(identity, adult, TODAY)] == [CHILD]


@pytest.fixture
def records(demo_file: Path) -> DemoRecordSystem:
    return DemoRecordSystem(load_demo_data(demo_file))


def test_listed_prescriptions_are_this_mottagnings_five_years_back_without_discontinued(records: DemoRecordSystem) -> None:
    listed = prescriptions_to_list(records, ADULT, "testmottagningen", acting_for_child=False, today=TODAY)
    assert listed is not None
    # Enalapril is exactly five years old (listed); Omeprazol a day older (not); Citalopram is
    # discontinued; Salbutamol belongs to another mottagning. Newest first.
    assert [p.name for p in listed] == ["Levaxin", "Enalapril"]


def test_no_list_under_16(records: DemoRecordSystem) -> None:
    assert prescriptions_to_list(records, TEEN, "testmottagningen", acting_for_child=False, today=TODAY) is None


def test_no_list_for_a_guardian_acting_for_a_child(records: DemoRecordSystem) -> None:
    assert prescriptions_to_list(records, CHILD, "testmottagningen", acting_for_child=True, today=TODAY) is None


def test_an_adult_without_prescriptions_gets_an_empty_list_not_none(records: DemoRecordSystem) -> None:
    assert prescriptions_to_list(records, OTHER_ADULT, "testmottagningen", acting_for_child=False, today=TODAY) == []


def test_prescription_ids_are_stable_and_reveal_no_personnummer(records: DemoRecordSystem) -> None:
    first = records.prescriptions(ADULT, "testmottagningen")
    again = records.prescriptions(ADULT, "testmottagningen")
    assert [p.id for p in first] == [p.id for p in again]
    assert all(ADULT[:8] not in p.id for p in first)
