"""Every content error names the file, the line and the key, in plain words; all are reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import load_content
from tests.sitegen.conftest import CLINIC, INTYG, write_content


def errors_for(tmp_path: Path, **files: str) -> list[str]:
    root = write_content(tmp_path / "content", **files)
    with pytest.raises(ContentInvalid) as raised:
        load_content(root)
    return [str(error).replace(str(root) + "/", "") for error in raised.value.errors]


def clinic(text: str) -> dict[str, str]:
    return {"clinics__vardcentralen-test": text}


def test_valid_content_loads(content_dir: Path) -> None:
    content = load_content(content_dir)
    assert sorted(content.clinics) == ["psykiatrin", "vardcentralen-test"]
    assert sorted(content.eservices) == ["begar-intyg", "lamna-synpunkter-och-klagomal", "skicka-meddelande"]


def test_unknown_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace("phone:", "phonee:")))
    assert errors == ["clinics/vardcentralen-test.yaml:4: phonee: okänd nyckel (stavfel?); menade du 'phone'?"]


def test_unknown_key_in_a_nested_mapping_names_the_full_key(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace("city: Testby", "stad: Testby")))
    assert any(
        error.startswith("clinics/vardcentralen-test.yaml:3: address.stad: okänd nyckel (stavfel?)") for error in errors
    )
    assert any("address.city: obligatorisk nyckel saknas" in error for error in errors)


def test_missing_required_key_is_reported_at_its_mapping(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace("municipality: Testby\n", "")))
    assert errors == ["clinics/vardcentralen-test.yaml:1: municipality: obligatorisk nyckel saknas"]


def test_unknown_category_lists_the_allowed_ones(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace("category: kontakt", "category: kontakter")))
    assert len(errors) == 1
    assert errors[0].startswith(
        "clinics/vardcentralen-test.yaml:14: eservices[2].category: 'kontakter' är ingen kategori"
    )
    assert "kontakt, boka, avboka" in errors[0]


def test_hand_added_eservice_without_info_is_an_error(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace("    info: Videobesök i appen.\n", "")))
    assert errors == ["clinics/vardcentralen-test.yaml:12: eservices[2].info: obligatorisk nyckel saknas"]


def test_hand_added_url_must_be_absolute(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace("https://video.test.se/", "video.test.se")))
    assert errors == [
        "clinics/vardcentralen-test.yaml:13: eservices[2].url: 'video.test.se' är ingen fullständig adress; börja med https://"
    ]


def test_use_of_unknown_eservice(tmp_path: Path) -> None:
    errors = errors_for(
        tmp_path, **clinic(CLINIC.replace("use: lamna-synpunkter-och-klagomal", "use: lamna-synpunkter"))
    )
    assert errors == [
        "clinics/vardcentralen-test.yaml:8: eservices[0].use: 'lamna-synpunkter' finns inte i e-tjänstkatalogen "
        "(content/eservices/lamna-synpunkter.yaml saknas)"
    ]


def test_borrow_from_unknown_clinic(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace("from: psykiatrin", "from: psyk")))
    assert errors == [
        "clinics/vardcentralen-test.yaml:17: eservices[3].from: mottagningen 'psyk' finns inte "
        "(content/clinics/psyk.yaml saknas)"
    ]


def test_borrow_of_eservice_the_other_clinic_does_not_offer(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace("borrow: skicka-meddelande", "borrow: fornya-recept")))
    assert errors == [
        "clinics/vardcentralen-test.yaml:16: eservices[3].borrow: Psykiatrin (psykiatrin) erbjuder inte "
        "'fornya-recept'; den erbjuder: skicka-meddelande"
    ]


def test_duplicate_id_within_a_clinic(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC + "  - use: begar-intyg\n    options: {intyg_types: [A]}\n"))
    assert errors == [
        "clinics/vardcentralen-test.yaml:18: eservices[4].use: 'begar-intyg' finns redan som eservices[1]; "
        "ett id får bara förekomma en gång per mottagning"
    ]


def test_options_from_without_options(tmp_path: Path) -> None:
    text = CLINIC.replace("    options:\n      intyg_types: [Körkortsintyg]\n", "")
    errors = errors_for(tmp_path, **clinic(text))
    assert errors == [
        "clinics/vardcentralen-test.yaml:9: eservices[1].use: formuläret hämtar svarsalternativ från "
        "options_from: intyg_types, men options.intyg_types saknas"
    ]


def test_misspelt_option_list(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace("intyg_types:", "intyg_typ:")))
    assert "clinics/vardcentralen-test.yaml:10: eservices[1].options: formuläret hämtar svarsalternativ" in errors[0]
    assert (
        "clinics/vardcentralen-test.yaml:11: eservices[1].options.intyg_typ: formuläret använder inte "
        "options.intyg_typ (stavfel?); det behöver: intyg_types"
    ) in errors


def test_entry_that_is_not_a_mapping(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC + "  - begar-intyg\n"))
    assert errors == [
        "clinics/vardcentralen-test.yaml:18: eservices[4]: en e-tjänst ska vara en mappning med use, borrow, "
        "local eller name/url/category/info"
    ]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace('phone: "010-123 45 67"', 'phone: "010-123')))
    assert len(errors) == 1
    assert errors[0].startswith("clinics/vardcentralen-test.yaml:")
    assert ": (yaml): ogiltig YAML" in errors[0]


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC + "name: Igen\n"))
    assert errors == ["clinics/vardcentralen-test.yaml:18: (yaml): ogiltig YAML: nyckeln 'name' förekommer två gånger"]


def test_empty_file(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(""))
    assert errors[0].startswith("clinics/vardcentralen-test.yaml:1: (filen): filen är tom")


def test_file_name_must_be_a_slug(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **{"clinics__Vardcentral_Ny": CLINIC})
    assert errors == [
        "clinics/Vardcentral_Ny.yaml:1: (filnamn): 'Vardcentral_Ny' är inget giltigt filnamn: "
        "använd små bokstäver a–z, siffror och bindestreck"
    ]


def test_number_where_text_is_expected(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace('postal_code: "123 45"', "postal_code: 12345")))
    assert errors == [
        "clinics/vardcentralen-test.yaml:3: address.postal_code: ska vara text, inte ett tal (sätt citattecken runt värdet)"
    ]


def test_when_must_refer_to_an_earlier_question(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **{"eservices__begar-intyg": INTYG.replace("when: {renewal:", "when: {fornyelse:")})
    assert errors == [
        "eservices/begar-intyg.yaml:17: pages[1].when.fornyelse: 'fornyelse' är inte en fråga på en tidigare sida; "
        "when kan bara bero på tidigare svar"
    ]


def test_when_value_must_be_an_option(tmp_path: Path) -> None:
    errors = errors_for(
        tmp_path, **{"eservices__begar-intyg": INTYG.replace("{renewal: Förnyelse}", "{renewal: Förnya}")}
    )
    assert errors == [
        "eservices/begar-intyg.yaml:17: pages[1].when.renewal: 'Förnya' är inget av svarsalternativen till renewal "
        "(Nytt intyg, Förnyelse)"
    ]


def test_choice_needs_options(tmp_path: Path) -> None:
    errors = errors_for(
        tmp_path, **{"eservices__begar-intyg": INTYG.replace("        options: [Nytt intyg, Förnyelse]\n", "")}
    )
    assert (
        "eservices/begar-intyg.yaml:12: pages[0].questions[1]: en fråga av typen choice behöver options eller options_from"
        in errors
    )


def test_duplicate_question_id(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **{"eservices__begar-intyg": INTYG.replace("id: issued_by", "id: intyg")})
    assert errors == ["eservices/begar-intyg.yaml:19: pages[1].questions[0].id: två frågor i formuläret har id 'intyg'"]


def test_unknown_question_type(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **{"eservices__begar-intyg": INTYG.replace("type: text", "type: fritext")})
    assert len(errors) == 1
    assert errors[0].startswith("eservices/begar-intyg.yaml:19: pages[1].questions[0].type: 'fritext' är inte tillåtet")


def test_min_greater_than_max(tmp_path: Path) -> None:
    text = INTYG.replace("{id: issued_by, type: text,", "{id: issued_by, type: number, min: 5, max: 2,")
    errors = errors_for(tmp_path, **{"eservices__begar-intyg": text})
    assert errors == ["eservices/begar-intyg.yaml:19: pages[1].questions[0].min: min (5) är större än max (2)"]


def test_repeat_needs_fields(tmp_path: Path) -> None:
    text = INTYG.replace("{id: issued_by, type: text,", "{id: issued_by, type: repeat,")
    errors = errors_for(tmp_path, **{"eservices__begar-intyg": text})
    assert errors == [
        "eservices/begar-intyg.yaml:19: pages[1].questions[0]: en fråga av typen repeat behöver fields "
        "(fälten som frågas för varje post)"
    ]


def test_max_length_only_for_text(tmp_path: Path) -> None:
    text = INTYG.replace("{id: issued_by, type: text,", "{id: issued_by, type: date, max_length: 10,")
    errors = errors_for(tmp_path, **{"eservices__begar-intyg": text})
    assert errors == [
        "eservices/begar-intyg.yaml:19: pages[1].questions[0].max_length: max_length gäller bara text och textarea, inte date"
    ]


def test_site_requires_absolute_base_url(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, site="name: X\nregion: Y\nbase_url: hittavard.se\n")
    assert errors == ["site.yaml:3: base_url: 'hittavard.se' är ingen fullständig adress; börja med https://"]


def test_missing_site_yaml(tmp_path: Path) -> None:
    root = write_content(tmp_path / "content")
    (root / "site.yaml").unlink()
    with pytest.raises(ContentInvalid) as raised:
        load_content(root)
    assert [error.key for error in raised.value.errors] == ["(filen)"]
    assert raised.value.errors[0].message == "site.yaml saknas"


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        CLINIC.replace("phone:", "phonee:")
        .replace("category: kontakt", "category: x")
        .replace("from: psykiatrin", "from: psyk")
    )
    errors = errors_for(tmp_path, **clinic(text))
    assert [error.split(": ")[1] for error in errors] == ["phonee", "eservices[2].category"]
    # The reference check runs only on content that validates; schema errors come first.


def test_reference_errors_across_files_are_reported_together(tmp_path: Path) -> None:
    other = "name: Ny\nmunicipality: X\neservices:\n  - use: finns-inte\n"
    text = CLINIC.replace("from: psykiatrin", "from: psyk")
    errors = errors_for(tmp_path, **clinic(text), **{"clinics__ny": other})
    assert [error.split(":")[0] for error in errors] == ["clinics/ny.yaml", "clinics/vardcentralen-test.yaml"]


def test_invalid_catalogue_file_does_not_also_report_its_users(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **{"eservices__begar-intyg": INTYG.replace("category: fornya", "category: nej")})
    assert len(errors) == 1
    assert errors[0].startswith("eservices/begar-intyg.yaml:2: category:")


def test_python_style_from_key_is_unknown(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **clinic(CLINIC.replace("    from: psykiatrin", "    from_: psykiatrin")))
    assert "clinics/vardcentralen-test.yaml:17: eservices[3].from_: okänd nyckel (stavfel?); menade du 'from'?" in errors


def test_empty_hint_is_an_error(tmp_path: Path) -> None:
    text = INTYG.replace("label: Vilket intyg vill du ha?", 'label: Vilket intyg vill du ha?\n        hint: ""')
    errors = errors_for(tmp_path, **{"eservices__begar-intyg": text})
    assert errors == ["eservices/begar-intyg.yaml:11: pages[0].questions[0].hint: får inte vara tom"]


def test_choices_cannot_require_more_than_its_options(tmp_path: Path) -> None:
    text = INTYG.replace("type: choice\n        label: Är det", "type: choices\n        min: 3\n        label: Är det")
    errors = errors_for(tmp_path, **{"eservices__begar-intyg": text})
    assert "eservices/begar-intyg.yaml:14: pages[0].questions[1].min: min (3) är fler än antalet svarsalternativ (2)" in errors


def test_negative_visible_eservices(tmp_path: Path) -> None:
    from tests.sitegen.conftest import SITE

    errors = errors_for(tmp_path, site=SITE.replace("visible_eservices: 3", "visible_eservices: -1"))
    assert errors == ["site.yaml:5: visible_eservices: ska vara minst 0"]


def test_unknown_question_type_lists_the_types_in_swedish(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, **{"eservices__begar-intyg": INTYG.replace("type: text", "type: fritext")})
    assert errors[0].endswith(
        "'fritext' är inte tillåtet; tillåtna är: text, textarea, choice, choices, date, number, repeat, prescriptions"
    )
