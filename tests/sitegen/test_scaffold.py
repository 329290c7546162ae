"""`sitegen new`: a commented starting file that passes `check --strict`, never over an existing one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sitegen.cli import main
from sitegen.content.loader import load_content
from tests.sitegen.conftest import SITE
from tests.sitegen.editor_fixtures import TODAY, guided_content

DEMO = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "content"))


def strict_check(content: Path) -> int:
    return main(["check", "--content", str(content), "--strict", "--today", TODAY])


# What an editor writes over the scaffold's placeholders.
FILLED_IN = {
    "Ange kommun": "Norrby",
    "Ange gatuadress": "Norrgatan 2",
    '"Ange postnummer"': '"12346"',
    "Ange ort": "Norrby",
    '"Ange telefonnummer"': '"010-242 10 00"',
    "SE0000000000-0000": "SE2321000065-7331",
    "Ange några meningar om mottagningen.": "Vi är en vårdcentral för alla åldrar.",
}


def fill_in(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for placeholder, value in FILLED_IN.items():
        text = text.replace(placeholder, value)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("strict", [False, True])
def test_new_clinic_fails_check_until_its_placeholders_are_replaced(
    demo_copy: Path, strict: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["new", "clinic", "vardcentralen-norr", "--content", str(demo_copy), "--today", TODAY])
    capsys.readouterr()
    flags = ["--strict"] if strict else []
    assert main(["check", "--content", str(demo_copy), "--today", TODAY, *flags]) == 1
    lines = capsys.readouterr().err.splitlines()
    file = demo_copy / "clinics" / "vardcentralen-norr.yaml"
    assert [line.replace(f"{file}:", "") for line in lines if line.startswith(str(file))] == [
        "7: municipality: 'Ange kommun' står kvar från mallen; skriv kommunen, till exempel Jönköping",
        "9: address.city: 'Ange ort' står kvar från mallen; skriv orten, till exempel Jönköping",
        "9: address.postal_code: 'Ange postnummer' står kvar från mallen; skriv postnumret, till exempel \"553 20\"",
        "9: address.street: 'Ange gatuadress' står kvar från mallen; skriv gatuadressen, till exempel Storgatan 1",
        "12: phone: 'Ange telefonnummer' står kvar från mallen; skriv mottagningens telefonnummer med riktnummer, "
        'till exempel "010-242 10 00"',
    ]
    # Nor can it be built: the build refuses the same placeholders and writes nothing.
    assert main(["build", "--content", str(demo_copy), "--out", str(demo_copy.parent / "site")]) == 1
    assert not (demo_copy.parent / "site").exists()


def test_new_clinic_passes_check_on_the_demo_once_filled_in(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "clinic", "vardcentralen-norr", "--content", str(demo_copy), "--today", TODAY]) == 0
    path = demo_copy / "clinics" / "vardcentralen-norr.yaml"
    assert f"Skrev {path}" in capsys.readouterr().out
    fill_in(path)
    assert strict_check(demo_copy) == 0
    assert "Kontrollen gick igenom: 0 fel och 0 varningar." in capsys.readouterr().out
    clinic = load_content(demo_copy).clinics["vardcentralen-norr"]
    # All offers false: the guideline asks for synpunkter and, without direct booking, both booking ones.
    assert [entry.use for entry in clinic.eservices] == [  # type: ignore[union-attr]
        "lamna-synpunkter-och-klagomal",
        "bestall-tid",
        "av-eller-omboka-tid",
    ]


def test_new_clinic_is_commented_for_the_editor(demo_copy: Path) -> None:
    main(["new", "clinic", "vardcentralen-norr", "--content", str(demo_copy), "--today", TODAY])
    text = (demo_copy / "clinics" / "vardcentralen-norr.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Kontaktkortet för mottagningen vardcentralen-norr.")
    assert "name: Vardcentralen norr  # mottagningens namn som det ska stå på sidan, med å, ä och ö" in text
    # What each offers flag will require, from the demo's guideline.
    assert "prescribes_medicines: false  # true: lägg till Förnya recept (fornya-recept)" in text
    assert (
        "advice: false  # true: lägg till Rådgivning (radgivning) eller Fråga sjuksköterskan "
        "(fraga-sjukskoterskan) eller Kontakta mig (kontakta-mig)" in text
    )
    assert "  # - borrow: " in text
    commented_entries = [line[4:] for line in text.splitlines() if line.startswith("  # ") and ":" in line]
    assert any(line.startswith("- name: ") for line in commented_entries)


def test_the_commented_examples_are_valid_when_uncommented(demo_copy: Path) -> None:
    main(["new", "clinic", "vardcentralen-norr", "--content", str(demo_copy), "--today", TODAY])
    path = demo_copy / "clinics" / "vardcentralen-norr.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.startswith("  # En e-tjänst ur katalogen (content/eservices/)")
    )
    uncommented = [
        line.replace("  # ", "  ", 1) if line.startswith("  # ") and not line.startswith("  # En") else line
        for line in lines[start:]
    ]
    path.write_text("\n".join(lines[:start] + uncommented) + "\n", encoding="utf-8")
    fill_in(path)
    assert strict_check(demo_copy) == 0


def test_new_clinic_follows_the_region_s_own_guideline(tmp_path: Path) -> None:
    site = SITE + (
        "guideline:\n"
        "  - id: meddelande\n    message: Alla ska kunna skicka meddelanden\n    any_of: [skicka-meddelande]\n"
        "  - id: hsa\n    message: Alla ska ha HSA-id\n    requires: [hsa_id, about]\n"
    )
    root = guided_content(
        tmp_path / "content", site=site, clinics__psykiatrin=None, **{"clinics__vardcentralen-test": None}
    )
    assert main(["new", "clinic", "ny", "--content", str(root), "--today", TODAY]) == 0
    fill_in(root / "clinics" / "ny.yaml")
    assert strict_check(root) == 0
    data = yaml.safe_load((root / "clinics" / "ny.yaml").read_text(encoding="utf-8"))
    assert data["eservices"] == [{"use": "skicka-meddelande"}]
    assert "hsa_id" in data and "about" in data


def test_new_eservice_passes_check(demo_copy: Path) -> None:
    assert main(["new", "eservice", "bestall-intyg-om-vaccination", "--content", str(demo_copy), "--today", TODAY]) == 0
    assert strict_check(demo_copy) == 0
    eservice = load_content(demo_copy).eservices["bestall-intyg-om-vaccination"]
    assert (eservice.name, eservice.category) == ("Bestall intyg om vaccination", "kontakt")
    assert len(eservice.pages) == 1


def test_a_new_eservice_can_be_used_by_a_new_clinic(tmp_path: Path) -> None:
    root = guided_content(tmp_path / "content")
    main(["new", "eservice", "ny-tjanst", "--content", str(root), "--today", TODAY])
    main(["new", "clinic", "ny-mottagning", "--content", str(root), "--today", TODAY])
    path = root / "clinics" / "ny-mottagning.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - use: ny-tjanst\n", encoding="utf-8")
    fill_in(path)
    assert strict_check(root) == 0


@pytest.mark.parametrize(("kind", "name"), [("clinic", "storgardens-vardcentral"), ("eservice", "fornya-recept")])
def test_an_existing_file_is_never_overwritten(
    demo_copy: Path, kind: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = "clinics" if kind == "clinic" else "eservices"
    path = demo_copy / folder / f"{name}.yaml"
    before = path.read_bytes()
    assert main(["new", kind, name, "--content", str(demo_copy), "--today", TODAY]) == 1
    assert path.read_bytes() == before
    assert f"{path} finns redan" in capsys.readouterr().err


def test_an_invalid_id_writes_nothing(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "clinic", "Vårdcentralen Norr", "--content", str(demo_copy), "--today", TODAY]) == 1
    assert "'Vårdcentralen Norr' är inget giltigt id" in capsys.readouterr().err
    assert sorted(path.name for path in (demo_copy / "clinics").iterdir()) == sorted(
        path.name for path in (DEMO / "clinics").iterdir()
    )


def test_a_folder_that_is_not_a_content_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "clinic", "ny", "--content", str(tmp_path / "inget"), "--today", TODAY]) == 1
    assert "site.yaml saknas" in capsys.readouterr().err
    assert not (tmp_path / "inget").exists()


def test_broken_content_still_gets_a_file(tmp_path: Path) -> None:
    """A typo elsewhere must not stop an editor from starting a new card."""
    root = guided_content(tmp_path / "content", clinics__psykiatrin="name: Psykiatrin\n")
    assert main(["new", "clinic", "ny", "--content", str(root), "--today", TODAY]) == 0
    assert "use: bestall-tid" in (root / "clinics" / "ny.yaml").read_text(encoding="utf-8")


def test_the_dated_examples_are_valid_and_ahead_when_uncommented(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["new", "clinic", "vardcentralen-norr", "--content", str(demo_copy), "--today", TODAY])
    path = demo_copy / "clinics" / "vardcentralen-norr.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("# opening_exceptions:")
    end = next(i for i, line in enumerate(lines) if line.startswith("#     until:"))
    block = [line for line in lines[start : end + 1] if not line.startswith("# Meddelanden")]
    path.write_text("\n".join(lines[:start] + [line[2:] for line in block] + lines[end + 1 :]) + "\n", encoding="utf-8")
    fill_in(path)
    capsys.readouterr()
    assert strict_check(demo_copy) == 0
    assert "notering" not in capsys.readouterr().err
    clinic = load_content(demo_copy).clinics["vardcentralen-norr"]
    assert [str(exception.date) for exception in clinic.opening_exceptions] == ["2026-12-24", "2026-12-30"]
    assert (str(clinic.notices[0].from_), str(clinic.notices[0].until)) == ("2027-01-15", "2027-02-28")
