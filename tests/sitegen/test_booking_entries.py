"""The web booking entries (`booking: boka|avboka`) of a clinic file: validated, linked, ordered, required."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import load_content
from sitegen.editor.guideline import guideline_findings
from sitegen.site.view import contact_page
from tests.sitegen.conftest import CLINIC, SITE, write_content

BOKA = "  - booking: boka\n    villkor: Boka en tid hos oss.\n"
AVBOKA = "  - booking: avboka\n    villkor: Av- och omboka dina tider.\n"


def errors_for(tmp_path: Path, clinic: str) -> list[str]:
    root = write_content(tmp_path / "content", **{"clinics__vardcentralen-test": clinic})
    with pytest.raises(ContentInvalid) as raised:
        load_content(root)
    return [str(error).replace(str(root) + "/", "") for error in raised.value.errors]


def test_an_unknown_booking_kind_is_an_error_at_its_line(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + BOKA.replace("boka\n", "bokaa\n"))
    assert errors == [
        "clinics/vardcentralen-test.yaml:18: eservices[4].booking: 'bokaa' är inte tillåtet; tillåtna är: boka, avboka"
    ]


def test_a_booking_entry_without_villkor_is_an_error(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + "  - booking: avboka\n")
    assert errors == ["clinics/vardcentralen-test.yaml:18: eservices[4].villkor: obligatorisk nyckel saknas"]


def test_a_second_boka_in_one_clinic_is_an_error_at_the_second(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + BOKA + AVBOKA + BOKA)
    assert len(errors) == 1
    assert errors[0].startswith(
        "clinics/vardcentralen-test.yaml:22: eservices[6].booking: 'booking: boka' finns redan som eservices[4]"
    )


def test_an_unknown_key_in_a_booking_entry_is_an_error(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, CLINIC + BOKA + "    kategori: boka\n")
    assert errors == [
        "clinics/vardcentralen-test.yaml:20: eservices[4].kategori: okänd nyckel (stavfel?); "
        "tillåtna nycklar: booking, villkor, name, clinics"
    ]


def test_tidbok_is_reserved_as_an_id_and_as_a_clinic_slug(tmp_path: Path) -> None:
    local = "  - local: tidbok\n    name: Tidbok\n    category: boka\n    villkor: X.\n"
    errors = errors_for(tmp_path, CLINIC + local)
    assert errors == [
        "clinics/vardcentralen-test.yaml:18: eservices[4].local: 'tidbok' är reserverat för e-tjänsternas "
        "egna sidor; välj ett annat namn"
    ]
    root = write_content(tmp_path / "slug", **{"clinics__tidbok": CLINIC})
    with pytest.raises(ContentInvalid) as raised:
        load_content(root)
    assert any("'tidbok' är reserverat" in error.message for error in raised.value.errors)


def test_the_contact_page_links_orders_names_and_explains_the_booking_entries(tmp_path: Path) -> None:
    clinic = CLINIC + AVBOKA + "  - booking: boka\n    name: Boka besök\n    villkor: Boka en tid hos **oss**.\n"
    content = load_content(write_content(tmp_path / "content", **{"clinics__vardcentralen-test": clinic}))
    page = contact_page(content, "vardcentralen-test")
    items = [*page.visible, *page.more]
    names = [item.name for item in items]
    assert names.index("Videobesök") < names.index("Boka besök") < names.index("Av- och omboka tid")
    assert names.index("Av- och omboka tid") < names.index("Begär intyg")  # boka, avboka, then fornya
    by_name = {item.name: item for item in items}
    assert by_name["Boka besök"].href == "/e-tjanster/vardcentralen-test/tidbok/boka/"
    assert by_name["Av- och omboka tid"].href == "/e-tjanster/vardcentralen-test/tidbok/"
    assert "<strong>oss</strong>" in by_name["Boka besök"].info_html
    assert "Av- och omboka dina tider." in by_name["Av- och omboka tid"].info_html
    default = load_content(write_content(tmp_path / "default", **{"clinics__vardcentralen-test": CLINIC + BOKA}))
    assert "Boka tid" in [item.name for item in [*contact_page(default, "vardcentralen-test").visible]]


RULE = """\
guideline:
  - id: webbtidbok
    when: direct_booking
    message: En mottagning med direkttidbokning ska erbjuda Boka tid
    booking: [boka]
"""


def test_the_guideline_can_require_a_boka_entry_of_a_mottagning_with_direct_booking(tmp_path: Path) -> None:
    direct = CLINIC.replace("eservices:\n", "offers:\n  direct_booking: true\neservices:\n")
    missing = load_content(write_content(tmp_path / "a", site=SITE + RULE, **{"clinics__vardcentralen-test": direct}))
    [finding] = guideline_findings(missing)
    assert finding.rule == "guideline.webbtidbok"
    assert "(offers.direct_booking är true): lägg till '- booking: boka' (Boka tid) med villkor" in finding.message
    met = load_content(write_content(tmp_path / "b", site=SITE + RULE, **{"clinics__vardcentralen-test": direct + BOKA}))
    assert guideline_findings(met) == []
    without_flag = load_content(write_content(tmp_path / "c", site=SITE + RULE))
    assert guideline_findings(without_flag) == []
