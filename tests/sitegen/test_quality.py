"""Quality warnings: info texts that say nothing, hard or long texts (LIX), stale contact cards."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from sitegen.content.loader import load_content
from sitegen.content.models import Quality
from sitegen.editor.findings import Finding
from sitegen.editor.quality import info_problem, lix, months_before, quality_findings, readability, text_problems
from tests.sitegen.editor_fixtures import CLINIC, GUIDED_SITE, guided_content, line_of

DEMO = Path(__file__).resolve().parents[2] / "content"
TODAY = datetime.date(2026, 11, 21)

# 27 words in one sentence, 17 of them long: LIX 27 + 63 = 90. Officialese, as villkor must not be.
HARD = (
    "Vårdgivarens kommunikationskanaler tillhandahålls för administrativa förfrågningar avseende "
    "receptförnyelse, remisshantering och journalrelaterade ärenden samt för övrig korrespondens som "
    "inte kräver omedelbar medicinsk bedömning av legitimerad personal på mottagningen."
)
# 19 words in 3 sentences, 1 long: LIX 6 + 5 = 12.
EASY = "Här kan du skicka en fråga till oss. Du får svar inom en dag. Ring 112 om det är bråttom."


def findings_for(root: Path, today: datetime.date = TODAY) -> list[Finding]:
    return sorted(quality_findings(load_content(root), today))


# LIX itself --------------------------------------------------------------------------------------


def test_lix_counts_words_sentences_and_long_words() -> None:
    measured = readability("Du får svar inom en arbetsdag.")
    assert (measured.words, measured.sentences, measured.long_words) == (6, 1, 1)
    assert lix("Du får svar inom en arbetsdag.") == pytest.approx(6 + 100 / 6)


def test_each_list_item_and_paragraph_ends_a_sentence() -> None:
    text = "Så här gör du:\n\n- Logga in\n- Välj mottagning\n\nDu får svar i inkorgen"
    assert readability(text).sentences == 4


def test_times_and_numbers_are_neither_words_nor_sentence_ends() -> None:
    measured = readability("Vi har öppet 08.00–17.00 varje dag.")
    assert (measured.words, measured.sentences) == (5, 1)


def test_markdown_markup_is_not_counted() -> None:
    assert readability("Läs **mer** på [1177](https://www.1177.se/).") == readability("Läs mer på 1177.")


def test_the_hard_and_easy_samples_score_as_intended() -> None:
    assert lix(HARD) == pytest.approx(27 + 100 * 17 / 27)
    assert lix(EASY) == pytest.approx(19 / 3 + 100 / 19)


def test_a_short_text_is_not_scored() -> None:
    """Nine words of officialese: too few for LIX to mean anything, so no warning."""
    text = "Kommunikationskanaler tillhandahålls för administrativa förfrågningar avseende receptförnyelse och remisshantering."
    assert lix(text) > 60
    assert list(text_problems(text, Quality())) == []


# Villkor and info texts --------------------------------------------------------------------------


def test_the_fixture_and_the_demo_have_no_quality_warnings(tmp_path: Path) -> None:
    assert findings_for(guided_content(tmp_path)) == []
    assert quality_findings(load_content(DEMO), TODAY) == []


def test_a_hard_catalogue_villkor_is_a_warning_at_its_line(tmp_path: Path) -> None:
    eservice = f"name: Förnya recept\ncategory: fornya\nvillkor: |\n  {HARD}\n"
    [finding] = findings_for(guided_content(tmp_path, **{"eservices__fornya-recept": eservice}))
    assert (finding.path.name, finding.line, finding.key) == ("fornya-recept.yaml", 3, "villkor")
    assert (finding.level, finding.rule) == ("warning", "quality.text")
    assert "svårläst (LIX 90; gränsen är 50)" in finding.message


def test_a_hard_local_villkor_is_a_warning_at_its_line(tmp_path: Path) -> None:
    clinic = CLINIC + f"  - local: egen\n    name: Egen\n    category: kontakt\n    villkor: {HARD}\n"
    [finding] = findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic}))
    assert (finding.line, finding.key) == (line_of(clinic, "villkor: Vårdgivarens"), "eservices[7].villkor")
    assert finding.rule == "quality.text"


def test_a_hard_info_text_is_a_warning(tmp_path: Path) -> None:
    clinic = CLINIC.replace("Boka och genomför ett videobesök med din läkare i appen.", HARD)
    [finding] = findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic}))
    assert (finding.line, finding.key) == (line_of(clinic, "    info:"), "eservices[6].info")
    assert "svårläst" in finding.message


def test_a_long_villkor_is_a_warning(tmp_path: Path) -> None:
    long_text = " ".join([EASY] * 8)  # 8 × 19 = 152 words, easy to read
    eservice = f"name: Förnya recept\ncategory: fornya\nvillkor: {long_text}\n"
    [finding] = findings_for(guided_content(tmp_path, **{"eservices__fornya-recept": eservice}))
    assert finding.message.startswith("texten är lång (152 ord; gränsen är 150)")


def test_the_thresholds_come_from_site_yaml(tmp_path: Path) -> None:
    site = GUIDED_SITE + "quality:\n  lix_max: 10\n  max_words: 10\n"
    eservice = f"name: Förnya recept\ncategory: fornya\nvillkor: {EASY}\n"
    found = findings_for(guided_content(tmp_path, site=site, **{"eservices__fornya-recept": eservice}))
    messages = [finding.message for finding in found if finding.path.name == "fornya-recept.yaml"]
    assert [message.split(" (")[0] for message in messages] == ["texten är lång", "texten är svårläst"]


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ('" "', "informationstexten är tom"),
        ("Videobesök.", "informationstexten är för kort (1 ord; minst 5)"),
        ('"**Boka** [tid](https://x.se/)"', "informationstexten är för kort (2 ord; minst 5)"),
    ],
)
def test_a_hand_added_eservice_without_a_real_info_text_is_a_warning(tmp_path: Path, info: str, expected: str) -> None:
    clinic = CLINIC.replace("info: Boka och genomför ett videobesök med din läkare i appen.", f"info: {info}")
    [finding] = findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic}))
    assert (finding.line, finding.key) == (line_of(clinic, "    info:"), "eservices[6].info")
    assert (finding.level, finding.rule) == ("warning", "quality.info")
    assert finding.message.startswith(expected)


def test_an_info_text_of_the_minimum_length_is_enough() -> None:
    assert info_problem("Boka ett videobesök i appen.", Quality()) is None
    assert info_problem("Boka videobesök i appen.", Quality()) is not None


# Review dates ------------------------------------------------------------------------------------


def _reviewed(tmp_path: Path, reviewed: str, site: str = GUIDED_SITE) -> list[Finding]:
    clinic = CLINIC.replace("reviewed: 2026-06-01", f"reviewed: {reviewed}")
    return findings_for(guided_content(tmp_path, site=site, **{"clinics__vardcentralen-test": clinic}))


def test_a_card_reviewed_more_than_twelve_months_ago_is_a_warning(tmp_path: Path) -> None:
    [finding] = _reviewed(tmp_path, "2025-11-20")
    assert (finding.path.name, finding.line, finding.key) == ("vardcentralen-test.yaml", 10, "reviewed")
    assert (finding.level, finding.rule) == ("warning", "quality.reviewed")
    assert "granskades senast 2025-11-20, för mer än 12 månader sedan" in finding.message


@pytest.mark.parametrize("reviewed", ["2025-11-21", "2026-01-01", "2026-11-21"])
def test_a_card_reviewed_within_twelve_months_is_fine(tmp_path: Path, reviewed: str) -> None:
    assert _reviewed(tmp_path, reviewed) == []


def test_a_card_without_a_review_date_is_not_warned_about(tmp_path: Path) -> None:
    clinic = CLINIC.replace("reviewed: 2026-06-01\n", "")
    assert findings_for(guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic})) == []


def test_a_review_date_in_the_future_is_a_warning(tmp_path: Path) -> None:
    [finding] = _reviewed(tmp_path, "2027-01-01")
    assert "ligger i framtiden" in finding.message


def test_the_review_period_comes_from_site_yaml(tmp_path: Path) -> None:
    [finding] = _reviewed(tmp_path, "2026-04-01", site=GUIDED_SITE + "quality:\n  review_months: 6\n")
    assert "för mer än 6 månader sedan" in finding.message


def test_today_is_injected(tmp_path: Path) -> None:
    root = guided_content(tmp_path)  # reviewed 2026-06-01
    assert findings_for(root, today=datetime.date(2027, 6, 1)) == []
    assert [f.rule for f in findings_for(root, today=datetime.date(2027, 6, 2))] == ["quality.reviewed"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 11, 21), 12, datetime.date(2025, 11, 21)),
        (datetime.date(2024, 3, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2025, 2, 28), 12, datetime.date(2024, 2, 28)),
        (datetime.date(2026, 1, 15), 13, datetime.date(2024, 12, 15)),
    ],
)
def test_months_before(day: datetime.date, months: int, expected: datetime.date) -> None:
    assert months_before(day, months) == expected
