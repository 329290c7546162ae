"""The region's guideline (seed 003): each rule met and broken, configured in site.yaml."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import load_content
from sitegen.content.models import GuidelineWhen, Offers
from sitegen.editor.findings import Finding
from sitegen.editor.guideline import guideline_findings
from tests.sitegen.conftest import SITE
from tests.sitegen.editor_fixtures import CLINIC, CLINIC_ESERVICES_LINE, GUIDED_SITE, guided_content, line_of

DEMO = Path(__file__).resolve().parents[2] / "content"


def findings_for(root: Path) -> list[Finding]:
    return sorted(guideline_findings(load_content(root)))


def without(text: str, line: str) -> str:
    assert line in text
    return text.replace(line, "", 1)


def test_the_fixture_meets_every_rule(tmp_path: Path) -> None:
    assert findings_for(guided_content(tmp_path)) == []


def test_the_demo_content_meets_the_guideline() -> None:
    assert guideline_findings(load_content(DEMO)) == []


def test_the_demo_configures_every_rule_of_seed_003() -> None:
    rules = {rule.id: rule for rule in load_content(DEMO).site.guideline}
    assert rules["synpunkter"].when == "always"
    assert rules["synpunkter"].any_of == ["lamna-synpunkter-och-klagomal"]
    assert (rules["fornya-recept"].when, rules["fornya-recept"].any_of) == ("prescribes_medicines", ["fornya-recept"])
    assert (rules["fornya-hjalpmedel"].when, rules["fornya-hjalpmedel"].any_of) == (
        "prescribes_aids",
        ["fornya-hjalpmedel"],
    )
    assert rules["radgivning"].when == "advice"
    assert rules["radgivning"].any_of == ["radgivning", "fraga-sjukskoterskan", "kontakta-mig"]
    assert rules["tidbokning"].when == "not direct_booking"
    assert rules["tidbokning"].all_of == ["bestall-tid", "av-eller-omboka-tid"]
    assert rules["kontaktuppgifter"].requires == ["address", "phone"]


@pytest.mark.parametrize(
    ("removed", "rule", "named"),
    [
        ("  - use: lamna-synpunkter-och-klagomal\n", "guideline.synpunkter", "lamna-synpunkter-och-klagomal"),
        ("  - use: fornya-recept\n", "guideline.fornya-recept", "fornya-recept"),
        ("  - use: fornya-hjalpmedel\n", "guideline.fornya-hjalpmedel", "fornya-hjalpmedel"),
        ("  - use: bestall-tid\n", "guideline.tidbokning", "Beställ tid (bestall-tid) saknas"),
        ("  - use: av-eller-omboka-tid\n", "guideline.tidbokning", "Av- eller omboka tid (av-eller-omboka-tid) saknas"),
    ],
)
def test_a_missing_eservice_is_an_error_at_eservices(tmp_path: Path, removed: str, rule: str, named: str) -> None:
    root = guided_content(tmp_path, **{"clinics__vardcentralen-test": without(CLINIC, removed)})
    [finding] = findings_for(root)
    assert (finding.path.name, finding.line, finding.key) == (
        "vardcentralen-test.yaml",
        CLINIC_ESERVICES_LINE,
        "eservices",
    )
    assert (finding.level, finding.rule) == ("error", rule)
    assert named in finding.message


def test_advice_is_met_by_any_one_of_the_three(tmp_path: Path) -> None:
    clinic = CLINIC.replace("  - use: radgivning\n", "  - use: kontakta-mig\n")
    assert findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic})) == []


def test_advice_without_any_of_the_three_is_an_error_naming_all_three(tmp_path: Path) -> None:
    root = guided_content(tmp_path, **{"clinics__vardcentralen-test": without(CLINIC, "  - use: radgivning\n")})
    [finding] = findings_for(root)
    assert finding.rule == "guideline.radgivning"
    assert finding.line == CLINIC_ESERVICES_LINE
    assert "(offers.advice är true)" in finding.message
    assert "Rådgivning (radgivning), Fråga sjuksköterskan (fraga-sjukskoterskan) eller Kontakta mig" in finding.message


@pytest.mark.parametrize(
    ("flag", "removed"),
    [
        ("  prescribes_medicines: true\n", "  - use: fornya-recept\n"),
        ("  prescribes_aids: true\n", "  - use: fornya-hjalpmedel\n"),
        ("  advice: true\n", "  - use: radgivning\n"),
    ],
)
def test_a_flag_that_is_off_asks_for_nothing(tmp_path: Path, flag: str, removed: str) -> None:
    clinic = without(without(CLINIC, removed), flag)
    assert findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic})) == []


def test_direct_booking_removes_the_booking_rule(tmp_path: Path) -> None:
    clinic = CLINIC.replace("direct_booking: false", "direct_booking: true")
    clinic = without(without(clinic, "  - use: bestall-tid\n"), "  - use: av-eller-omboka-tid\n")
    assert findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic})) == []


def test_without_direct_booking_both_booking_eservices_missing_is_one_finding(tmp_path: Path) -> None:
    clinic = without(without(CLINIC, "  - use: bestall-tid\n"), "  - use: av-eller-omboka-tid\n")
    [finding] = findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic}))
    assert "(offers.direct_booking är false)" in finding.message
    assert "Beställ tid (bestall-tid) och Av- eller omboka tid (av-eller-omboka-tid) saknas" in finding.message


@pytest.mark.parametrize(("line", "key"), [('phone: "010-123 45 67"\n', "phone"), ("address: {", "address")])
def test_a_missing_address_or_phone_is_an_error(tmp_path: Path, line: str, key: str) -> None:
    clinic = "".join(row for row in CLINIC.splitlines(keepends=True) if not row.startswith(line))
    [finding] = findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic}))
    # A missing key is reported where it has to be written: the top of the file.
    assert (finding.line, finding.key, finding.rule) == (1, key, "guideline.kontaktuppgifter")
    assert finding.message.endswith("saknas")


def test_a_borrowed_eservice_counts_as_offered(tmp_path: Path) -> None:
    clinic = CLINIC.replace(
        "  - use: lamna-synpunkter-och-klagomal\n",
        "  - borrow: lamna-synpunkter-och-klagomal\n    from: psykiatrin\n",
    )
    assert findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic})) == []


def test_a_hand_added_eservice_does_not_count(tmp_path: Path) -> None:
    clinic = CLINIC.replace(
        "  - use: lamna-synpunkter-och-klagomal\n",
        "  - name: Lämna synpunkter och klagomål\n    url: https://synpunkter.test.se/\n"
        "    category: synpunkter\n    info: Lämna dina synpunkter på vården i vårt eget formulär.\n",
    )
    [finding] = findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic}))
    assert finding.rule == "guideline.synpunkter"


def test_a_local_eservice_with_the_same_id_does_not_count(tmp_path: Path) -> None:
    clinic = CLINIC.replace(
        "  - use: fornya-recept\n",
        "  - local: fornya-recept\n    name: Förnya recept\n    category: fornya\n    villkor: Vårt eget formulär.\n",
    )
    [finding] = findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic}))
    assert finding.rule == "guideline.fornya-recept"


def test_without_a_guideline_in_site_yaml_nothing_is_required(tmp_path: Path) -> None:
    root = guided_content(tmp_path, site=SITE, **{"clinics__vardcentralen-test": "name: Tom\nmunicipality: Testby\n"})
    assert findings_for(root) == []


def test_the_rules_are_the_region_s_own(tmp_path: Path) -> None:
    """A region may require other e-services and details: the program has no list of its own."""
    site = SITE + (
        "guideline:\n"
        "  - id: meddelande\n"
        "    message: Alla ska kunna skicka meddelanden\n"
        "    any_of: [skicka-meddelande]\n"
        "  - id: hsa\n"
        "    message: Alla ska ha ett HSA-id\n"
        "    requires: [hsa_id]\n"
    )
    root = guided_content(tmp_path, site=site)
    found = {(finding.path.stem, finding.rule) for finding in findings_for(root)}
    assert found == {
        ("vardcentralen-test", "guideline.meddelande"),
        ("vardcentralen-test", "guideline.hsa"),
        ("psykiatrin", "guideline.hsa"),
    }


def test_a_rule_naming_an_unknown_eservice_is_an_error_in_site_yaml(tmp_path: Path) -> None:
    site = GUIDED_SITE.replace(
        "any_of: [radgivning, fraga-sjukskoterskan, kontakta-mig]", "any_of: [radgivning, ring-mig]"
    )
    [finding] = findings_for(guided_content(tmp_path, site=site))
    assert finding.path.name == "site.yaml"
    assert finding.line == line_of(site, "any_of: [radgivning, ring-mig]")
    assert (finding.key, finding.rule) == ("guideline[3].any_of[1]", "guideline.config")
    assert "'ring-mig' finns inte i e-tjänstkatalogen" in finding.message


def test_two_rules_with_the_same_id_are_an_error(tmp_path: Path) -> None:
    site = GUIDED_SITE.replace("  - id: fornya-hjalpmedel\n", "  - id: fornya-recept\n")
    [finding] = findings_for(guided_content(tmp_path, site=site))
    assert (finding.key, finding.line) == ("guideline[2].id", line_of(site, "prescribes_aids") - 1)


def test_a_rule_needs_exactly_one_demand(tmp_path: Path) -> None:
    site = GUIDED_SITE.replace(
        "    any_of: [fornya-recept]\n", "    any_of: [fornya-recept]\n    all_of: [bestall-tid]\n"
    )
    with pytest.raises(ContentInvalid) as raised:
        load_content(guided_content(tmp_path, site=site))
    [error] = raised.value.errors
    assert (error.key, error.line) == ("guideline[1]", line_of(site, "  - id: fornya-recept"))
    assert "exakt en av any_of, all_of och requires" in error.message


def test_an_unknown_condition_lists_the_allowed_ones(tmp_path: Path) -> None:
    site = GUIDED_SITE.replace("when: advice", "when: radgivning")
    with pytest.raises(ContentInvalid) as raised:
        load_content(guided_content(tmp_path, site=site))
    [error] = raised.value.errors
    assert (error.key, error.line) == ("guideline[3].when", line_of(site, "when: radgivning"))
    assert "not direct_booking" in error.message


def test_every_offers_flag_can_be_a_condition() -> None:
    conditions = set(typing.get_args(GuidelineWhen))
    flags = set(Offers.model_fields)
    assert conditions == {"always"} | flags | {f"not {flag}" for flag in flags}
