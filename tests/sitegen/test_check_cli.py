"""`sitegen check` as editors and tools use it: levels, exit status, text and JSON, on the demo.

The demo tests copy content/ and break one rule at a time, then ask the command where the problem
is: the file and line must be the ones an editor would open.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.cli import main
from tests.sitegen.editor_fixtures import CLINIC, TODAY, guided_content, line_of

DEMO = Path(__file__).resolve().parents[2] / "content"
LOCATED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<key>[^:]+): (?P<message>.+)$")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def json_report(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    code, out, _ = run(["check", "--content", str(root), "--format", "json", "--today", TODAY, *extra], capsys)
    return code, json.loads(out)


# Levels and exit status ------------------------------------------------------------------------


def test_clean_content_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "--content", str(guided_content(tmp_path)), "--strict", "--today", TODAY], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Innehållet är giltigt: 2 mottagningar, 10 e-tjänster i katalogen.",
        "Kontrollen gick igenom: 0 fel och 0 varningar.",
    ]


def test_a_warning_passes_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = guided_content(tmp_path, **{"clinics__vardcentralen-test": CLINIC.replace("2026-06-01", "2025-01-01")})
    code, out, err = run(["check", "--content", str(root), "--today", TODAY], capsys)
    assert code == 0
    assert "Kontrollen gick igenom: 0 fel och 1 varning." in out
    [line] = err.splitlines()
    match = LOCATED.match(line)
    assert match and match["line"] == "10" and match["key"] == "reviewed"
    assert match["message"].startswith("varning: kontaktkortet granskades senast 2025-01-01")

    code, out, _ = run(["check", "--content", str(root), "--today", TODAY, "--strict"], capsys)
    assert code == 1
    assert "Kontrollen gick inte igenom: 0 fel och 1 varning (med --strict räknas varningar som fel)." in out


def test_a_guideline_error_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = guided_content(tmp_path, **{"clinics__vardcentralen-test": CLINIC.replace("  - use: fornya-recept\n", "")})
    code, out, err = run(["check", "--content", str(root), "--today", TODAY], capsys)
    assert code == 1
    assert "Kontrollen gick inte igenom: 1 fel och 0 varningar." in out
    assert err.endswith(
        "clinics/vardcentralen-test.yaml:11: eservices: En mottagning som förskriver läkemedel ska erbjuda "
        "Förnya recept (offers.prescribes_medicines är true): lägg till raden '- use: fornya-recept'\n"
    )


def test_content_errors_are_reported_and_stop_the_later_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clinic = CLINIC.replace("  - use: fornya-recept\n", "").replace("municipality:", "municipalty:")
    root = guided_content(tmp_path, **{"clinics__vardcentralen-test": clinic})
    code, out, err = run(["check", "--content", str(root), "--today", TODAY], capsys)
    assert code == 1
    lines = err.splitlines()
    assert lines[-1] == "Riktlinjen, kvaliteten och länkarna kontrolleras när felen ovan är rättade."
    assert all(LOCATED.match(line) for line in lines[:-1])
    assert any("municipalty: okänd nyckel" in line for line in lines)
    assert not any("Förnya recept" in line for line in lines)
    assert "Innehållet är giltigt" not in out
    assert "Kontrollen gick inte igenom: 2 fel och 0 varningar." in out


# JSON ------------------------------------------------------------------------------------------


def test_json_lists_every_finding_with_its_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic = CLINIC.replace("  - use: fornya-recept\n", "").replace("2026-06-01", "2025-01-01")
    guided_content(tmp_path / "content", **{"clinics__vardcentralen-test": clinic})
    monkeypatch.chdir(tmp_path)
    code, report = json_report(Path("content"), capsys)
    assert code == 1
    assert report == {
        "ok": False,
        "errors": 1,
        "warnings": 1,
        "findings": [
            {
                "file": "content/clinics/vardcentralen-test.yaml",
                "line": 10,
                "key": "reviewed",
                "level": "warning",
                "rule": "quality.reviewed",
                "message": "kontaktkortet granskades senast 2025-01-01, för mer än 12 månader sedan: "
                "kontrollera uppgifterna och skriv dagens datum",
            },
            {
                "file": "content/clinics/vardcentralen-test.yaml",
                "line": 11,
                "key": "eservices",
                "level": "error",
                "rule": "guideline.fornya-recept",
                "message": "En mottagning som förskriver läkemedel ska erbjuda Förnya recept "
                "(offers.prescribes_medicines är true): lägg till raden '- use: fornya-recept'",
            },
        ],
    }


def test_json_of_clean_content_and_of_content_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert json_report(guided_content(tmp_path / "ok"), capsys) == (
        0,
        {"ok": True, "errors": 0, "warnings": 0, "findings": []},
    )
    bad = guided_content(tmp_path / "bad", site="name: X\n")
    code, report = json_report(bad, capsys)
    assert code == 1
    assert {(f["key"], f["level"], f["rule"]) for f in report["findings"]} == {
        ("region", "error", "content"),
        ("base_url", "error", "content"),
    }


def test_json_ok_follows_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = guided_content(tmp_path, **{"clinics__vardcentralen-test": CLINIC.replace("2026-06-01", "2025-01-01")})
    assert json_report(root, capsys)[1]["ok"] is True
    code, report = json_report(root, capsys, "--strict")
    assert (code, report["ok"]) == (1, False)


# The demo --------------------------------------------------------------------------------------


def test_the_demo_passes_strictly(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "--content", str(DEMO), "--strict", "--today", TODAY], capsys)
    assert (code, err) == (0, "")
    assert "Kontrollen gick igenom: 0 fel och 0 varningar." in out


def _remove(line: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(line) == 1, line
        return text.replace(line, "")

    return edit


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return edit


def _replace_block(key_line: str, body: str) -> Callable[[str], str]:
    """Replace the text block under `key_line` (the lines indented deeper, and blank ones) with `body`."""

    def edit(text: str) -> str:
        lines = text.splitlines(keepends=True)
        [start] = [i for i, line in enumerate(lines) if line.rstrip("\n") == key_line]
        indent = len(key_line) - len(key_line.lstrip())
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
            end += 1
        return "".join([*lines[: start + 1], " " * (indent + 2) + body + "\n", *lines[end:]])

    return edit


HARD = (
    "Vårdgivarens kommunikationskanaler tillhandahålls för administrativa förfrågningar avseende "
    "receptförnyelse, remisshantering och journalrelaterade ärenden samt för övrig korrespondens."
)

# (file, edit, rule, level, key, the text on the line the finding must name)
BREAKS = [
    (
        "clinics/asviks-vardcentral.yaml",
        _remove("  - use: lamna-synpunkter-och-klagomal\n"),
        "guideline.synpunkter",
        "error",
        "eservices",
        "eservices:",
    ),
    (
        "clinics/vardcentralen-granberga.yaml",
        _remove("  - use: fornya-recept\n"),
        "guideline.fornya-recept",
        "error",
        "eservices",
        "eservices:",
    ),
    (
        "clinics/lung-och-somnmottagningen.yaml",
        _remove("  - use: fornya-hjalpmedel\n"),
        "guideline.fornya-hjalpmedel",
        "error",
        "eservices",
        "eservices:",
    ),
    (
        "clinics/bvc-storgarden.yaml",
        _remove("  - use: kontakta-mig\n"),
        "guideline.radgivning",
        "error",
        "eservices",
        "eservices:",
    ),
    (
        "clinics/storgardens-vardcentral.yaml",
        _remove("  - use: av-eller-omboka-tid\n"),
        "guideline.tidbokning",
        "error",
        "eservices",
        "eservices:",
    ),
    (
        "clinics/folktandvarden-sjolunda.yaml",
        _remove("  - use: bestall-tid\n"),
        "guideline.tidbokning",
        "error",
        "eservices",
        "eservices:",
    ),
    (
        "clinics/psykiatriska-mottagningen.yaml",
        _replace("  direct_booking: true\n", "  direct_booking: false\n"),
        "guideline.tidbokning",
        "error",
        "eservices",
        "eservices:",
    ),
    (
        "clinics/hudmottagningen-storkoping.yaml",
        _remove('phone: "010-555 22 00"\n'),
        "guideline.kontaktuppgifter",
        "error",
        "phone",
        "name:",
    ),
    (
        "clinics/vardcentralen-sjolunda.yaml",
        _remove('address: {street: Strandvägen 21, postal_code: "456 78", city: Sjölunda}\n'),
        "guideline.kontaktuppgifter",
        "error",
        "address",
        "name:",
    ),
    (
        "clinics/rehabmottagningen-asvik.yaml",
        _replace("reviewed: 2026-05-20", "reviewed: 2025-05-20"),
        "quality.reviewed",
        "warning",
        "reviewed",
        "reviewed: 2025-05-20",
    ),
    (
        "clinics/storgardens-vardcentral.yaml",
        _replace(
            "    info: |\n      Boka en tid för provtagning hos Laboratoriet i Storköping. Du behöver en remiss från din\n"
            "      läkare för att kunna boka.\n",
            "    info: Provtagning.\n",
        ),
        "quality.info",
        "warning",
        "eservices[12].info",
        "info: Provtagning.",
    ),
    (
        "eservices/fornya-recept.yaml",
        _replace_block("villkor: |", HARD),
        "quality.text",
        "warning",
        "villkor",
        "villkor: |",
    ),
    (
        "clinics/lung-och-somnmottagningen.yaml",
        _replace_block("    villkor: |", HARD),
        "quality.text",
        "warning",
        "eservices[0].villkor",
        "villkor: |",
    ),
]


@pytest.mark.parametrize(
    ("file", "edit", "rule", "level", "key", "at"),
    BREAKS,
    ids=[f"{rule}-{file.split('/')[-1][:-5]}" for file, _, rule, *_ in BREAKS],
)
def test_breaking_a_rule_in_the_demo_names_the_file_and_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    file: str,
    edit: Callable[[str], str],
    rule: str,
    level: str,
    key: str,
    at: str,
) -> None:
    copy = Path(shutil.copytree(DEMO, tmp_path / "content"))
    path = copy / file
    text = edit(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, report = json_report(Path("content"), capsys)
    [finding] = report["findings"]
    assert (finding["file"], finding["line"], finding["key"]) == (f"content/{file}", line_of(text, at), key)
    assert (finding["rule"], finding["level"]) == (rule, level)
    assert code == (1 if level == "error" else 0)


def test_a_guideline_rule_naming_an_unknown_eservice_is_located_in_site_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = Path(shutil.copytree(DEMO, tmp_path / "content"))
    site = (
        (copy / "site.yaml").read_text(encoding="utf-8").replace("any_of: [fornya-recept]", "any_of: [fornya-recpet]")
    )
    (copy / "site.yaml").write_text(site, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, report = json_report(Path("content"), capsys)
    assert code == 1
    [finding] = report["findings"]
    assert (finding["file"], finding["line"], finding["key"], finding["rule"]) == (
        "content/site.yaml",
        line_of(site, "fornya-recpet"),
        "guideline[1].any_of[0]",
        "guideline.config",
    )


def test_a_malformed_today_is_refused_in_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--content", str(DEMO), "--today", "igår"])
    assert exited.value.code == 2
    assert "'igår' är inget datum; skriv det som 2026-01-31" in capsys.readouterr().err
