"""The app starts from the build's content snapshot when it is current, and validates the YAML when not.

The snapshot (sitegen.content.snapshot) saves every worker from validating the whole country again;
it must never show content other than the folder's: an edit since the build, a file added or
removed, a clinic file from another build, or a snapshot written by other models all fall back to
validating the YAML, which still reports broken content with located errors.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from sitegen.build.run import build_site
from sitegen.content import snapshot
from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import load_content
from sitegen.content.snapshot import CLINICS_DIR, MANIFEST, SnapshotClinics, read_snapshot
from tests.forms.conftest import ADULT, approve, login

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content(content_dir: Path, tmp_path: Path) -> Path:
    """A copy of the fixture content this test may edit."""
    return Path(shutil.copytree(content_dir, tmp_path / "content"))


@pytest.fixture
def built(content: Path, tmp_path: Path) -> Path:
    out = tmp_path / "build"
    build_site(content, out)
    return out


def started(make_app: Callable[..., Flask], content: Path, built: Path) -> Flask:
    return make_app(FORMS_CONTENT_DIR=str(content), FORMS_SITE_DIR=str(built))


def clinics_of(app: Flask) -> object:
    return app.extensions["hittavard_forms"].content.clinics


def test_the_demo_content_reads_back_exactly_as_the_loader_gives_it(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build_site(ROOT / "content", out)
    read, why = read_snapshot(ROOT / "content", out)
    assert read is not None, why
    loaded = load_content(ROOT / "content")
    assert read.site == loaded.site
    assert list(read.eservices.items()) == list(loaded.eservices.items())
    assert list(read.clinics) == list(loaded.clinics)
    assert all(read.clinics[slug] == clinic for slug, clinic in loaded.clinics.items())


def test_an_app_on_a_current_build_reads_the_snapshot_and_serves_forms(
    make_app: Callable[..., Flask], content: Path, built: Path
) -> None:
    app = started(make_app, content, built)
    assert isinstance(clinics_of(app), SnapshotClinics)
    client = app.test_client()
    login(client, ADULT)
    page = approve(client)
    assert page.status_code == 303
    assert "Vilket intyg vill du ha?" in client.get(page.headers["Location"]).get_data(as_text=True)


def test_an_edit_after_the_build_is_seen_by_validating_the_yaml(
    make_app: Callable[..., Flask], content: Path, built: Path
) -> None:
    clinic = content / "clinics" / "testmottagningen.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("Körkortsintyg", "Körkortsintyg A"), encoding="utf-8")
    app = started(make_app, content, built)
    assert isinstance(clinics_of(app), dict)
    client = app.test_client()
    login(client, ADULT)
    form = client.get(approve(client).headers["Location"]).get_data(as_text=True)
    assert "Körkortsintyg A" in form


@pytest.mark.parametrize("change", ["added", "removed"])
def test_a_file_added_or_removed_after_the_build_refuses_the_snapshot(content: Path, built: Path, change: str) -> None:
    if change == "added":
        shutil.copy(content / "clinics" / "andra-mottagningen.yaml", content / "clinics" / "tredje.yaml")
    else:
        (content / "clinics" / "andra-mottagningen.yaml").unlink()
    read, why = read_snapshot(content, built)
    assert read is None and "har ändrats" in why


def test_a_clinic_file_from_another_build_is_refused(content: Path, built: Path, tmp_path: Path) -> None:
    other_content = Path(shutil.copytree(content, tmp_path / "other"))
    clinic = other_content / "clinics" / "testmottagningen.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("Körkortsintyg", "Annat intyg"), encoding="utf-8")
    other = tmp_path / "other-build"
    build_site(other_content, other)
    shutil.copy(other / CLINICS_DIR / "testmottagningen.json", built / CLINICS_DIR / "testmottagningen.json")
    read, why = read_snapshot(content, built)
    assert read is None and "testmottagningen" in why


def test_a_snapshot_written_by_other_models_is_refused(
    content: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert read_snapshot(content, built)[0] is not None
    monkeypatch.setattr(snapshot, "models_version", lambda: "andra-modeller")
    read, why = read_snapshot(content, built)
    assert read is None and "annan version" in why


def test_broken_content_after_the_build_still_stops_the_app_with_located_errors(
    make_app: Callable[..., Flask], content: Path, built: Path
) -> None:
    clinic = content / "clinics" / "testmottagningen.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8") + "okand_nyckel: 1\n", encoding="utf-8")
    with pytest.raises(ContentInvalid) as raised:
        started(make_app, content, built)
    assert any(error.key == "okand_nyckel" and error.path == clinic for error in raised.value.errors)


def test_no_build_at_all_validates_the_yaml(make_app: Callable[..., Flask], content: Path, tmp_path: Path) -> None:
    app = started(make_app, content, tmp_path / "saknas")
    assert isinstance(clinics_of(app), dict)
    assert (tmp_path / "saknas" / MANIFEST).exists() is False


def test_an_incremental_build_keeps_the_snapshot_current(content: Path, built: Path) -> None:
    clinic = content / "clinics" / "testmottagningen.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("Körkortsintyg", "Körkortsintyg B"), encoding="utf-8")
    assert build_site(content, built).incremental
    read, why = read_snapshot(content, built)
    assert read is not None, why
    assert read.clinics["testmottagningen"] == load_content(content).clinics["testmottagningen"]
