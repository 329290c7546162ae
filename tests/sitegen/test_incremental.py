"""The incremental and parallel build gives, byte for byte, the site a plain full build gives.

Every test changes the content (or the theme) the way an editor would, builds incrementally over
the previous site, and compares the whole output folder with `render_site(load_content(...))`, the
plain reference. Errors introduced between builds must be reported exactly as load_content reports
them, with the previous site left untouched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build.cache import BUILD_PACKAGES, cache_dir
from sitegen.build.run import build_site
from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import load_content
from sitegen.content.snapshot import content_hashes, snapshot_files
from sitegen.site.render import render_site
from sitegen.site.theme import DEFAULT_THEME, Theme
from tests.sitegen.conftest import CLINIC, MEDDELANDE, OTHER, write_content

# A third mottagning that borrows from vardcentralen-test, which itself uses begar-intyg: its page
# depends on begar-intyg's villkor through the borrow.
THIRD = """\
name: Barnmottagningen
municipality: Åby
address: {street: Byvägen 2, postal_code: "111 11", city: Åby}
eservices:
  - use: skicka-meddelande
  - borrow: begar-intyg
    from: vardcentralen-test
"""


def tree(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def assert_same_as_plain(root: Path, out: Path, theme: Theme | None = None) -> None:
    content = load_content(root)
    expected = render_site(content, theme or Theme())
    expected.update(snapshot_files(content, content_hashes(root)))  # the forms app's snapshot, as current
    assert tree(out) == expected


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    """Content with a borrow chain, built once (full) into `out`."""
    root = write_content(tmp_path / "content", clinics__barnmottagningen=THIRD)
    out = tmp_path / "site"
    result = build_site(root, out)
    public = [name for name in tree(out) if not name.startswith(".")]  # `written` counts the public site
    assert not result.incremental and result.written == len(public)
    return root, out


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_full_build_matches_the_plain_build(site: tuple[Path, Path]) -> None:
    root, out = site
    assert_same_as_plain(root, out)


def test_parallel_full_build_matches_the_plain_build(tmp_path: Path) -> None:
    extra = {f"clinics__extra-{n}": OTHER.replace("Psykiatrin", f"Extra {n}") for n in range(9)}
    root = write_content(tmp_path / "content", clinics__barnmottagningen=THIRD, **extra)
    out = tmp_path / "site"
    result = build_site(root, out, workers=2)
    assert result.rendered == 12
    assert_same_as_plain(root, out)


def test_no_change_writes_nothing(site: tuple[Path, Path]) -> None:
    root, out = site
    before = {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}
    result = build_site(root, out)
    assert result.incremental and result.written == 0 and result.rendered == 0
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()} == before


def test_a_build_after_a_no_change_build_is_still_incremental(site: tuple[Path, Path]) -> None:
    root, out = site
    build_site(root, out)
    build_site(root, out)
    edit(root / "clinics/psykiatrin.yaml", "name: Psykiatrin", "name: Psykiatrin Testby")
    result = build_site(root, out)
    assert result.incremental and result.rendered == 2  # psykiatrin and vardcentralen-test, which borrows from it
    assert_same_as_plain(root, out)


def test_the_cache_is_beside_the_site_not_in_it(site: tuple[Path, Path]) -> None:
    root, out = site
    assert cache_dir(out).is_dir() and not cache_dir(out).resolve().is_relative_to(out.resolve())
    public = {name for name in tree(out) if not name.startswith(".")}  # the app's snapshot is not public
    assert public == set(render_site(load_content(root), Theme()))


def test_changed_clinic_writes_only_its_page(site: tuple[Path, Path]) -> None:
    root, out = site
    edit(root / "clinics/vardcentralen-test.yaml", "010-123 45 67", "010-765 43 21")
    result = build_site(root, out)
    # The page itself and the one that borrows from it (its deps); only the changed bytes are written.
    assert result.incremental and result.rendered == 2 and result.written == 1
    assert_same_as_plain(root, out)


def test_changed_address_reaches_the_index(site: tuple[Path, Path]) -> None:
    root, out = site
    edit(root / "clinics/vardcentralen-test.yaml", "Testgatan 1", "Testgatan 3")
    result = build_site(root, out)
    assert result.written == 2  # the page and the index, which shows the street
    assert_same_as_plain(root, out)


def test_changed_central_villkor_rewrites_every_page_that_shows_it(site: tuple[Path, Path]) -> None:
    root, out = site
    before = tree(out)
    edit(root / "eservices/begar-intyg.yaml", "Här kan du begära ett intyg.", "Här kan du begära ett nytt intyg.")
    result = build_site(root, out)
    after = tree(out)
    changed = {path for path in after if after[path] != before.get(path) and not path.startswith(".")}
    # vardcentralen-test uses it, barnmottagningen borrows it; psykiatrin does not show it.
    assert changed == {"mottagningar/vardcentralen-test/index.html", "mottagningar/barnmottagningen/index.html"}
    assert result.written == 2 and result.rendered == 2
    assert_same_as_plain(root, out)


def test_changed_villkor_of_a_borrowed_service_reaches_the_borrower(site: tuple[Path, Path]) -> None:
    root, out = site
    edit(root / "eservices/skicka-meddelande.yaml", "Skriv till oss.", "Skriv gärna till oss.")
    result = build_site(root, out)
    assert result.written == 3  # psykiatrin uses it, vardcentralen-test borrows it, barnmottagningen uses it
    assert_same_as_plain(root, out)


def test_deleted_clinic_page_disappears(site: tuple[Path, Path]) -> None:
    root, out = site
    (root / "clinics/barnmottagningen.yaml").unlink()
    result = build_site(root, out)
    assert result.incremental and result.removed == 1
    assert not (out / "mottagningar/barnmottagningen").exists()
    assert_same_as_plain(root, out)


def test_added_clinic_appears_on_the_index(site: tuple[Path, Path]) -> None:
    root, out = site
    (root / "clinics/nya.yaml").write_text(OTHER.replace("Psykiatrin", "Nya kliniken"), encoding="utf-8")
    result = build_site(root, out)
    assert result.rendered == 1
    assert_same_as_plain(root, out)


def test_changed_site_settings_rerender_everything(site: tuple[Path, Path]) -> None:
    root, out = site
    edit(root / "site.yaml", "visible_eservices: 3", "visible_eservices: 1")
    result = build_site(root, out)
    assert result.rendered == 3
    assert_same_as_plain(root, out)


def copy_theme(tmp_path: Path) -> Path:
    folder = tmp_path / "theme"
    shutil.copytree(DEFAULT_THEME, folder)
    return folder


def test_changed_contact_template_rerenders_contact_pages(tmp_path: Path) -> None:
    folder = copy_theme(tmp_path)
    root = write_content(tmp_path / "content", clinics__barnmottagningen=THIRD)
    out = tmp_path / "site"
    build_site(root, out, Theme(folder))
    edit(folder / "templates/_eservice.html", "E-tjänst utan koppling till 1177", "E-tjänst utan koppling till 1177.")
    result = build_site(root, out, Theme(folder))
    assert result.rendered == 3 and result.written == 1  # only vardcentralen-test has a hand-added one
    assert_same_as_plain(root, out, Theme(folder))


def test_changed_index_template_rerenders_only_the_index(tmp_path: Path) -> None:
    folder = copy_theme(tmp_path)
    root = write_content(tmp_path / "content")
    out = tmp_path / "site"
    build_site(root, out, Theme(folder))
    edit(folder / "templates/index.html", "ordnade efter kommun", "ordnade efter kommun i bokstavsordning")
    result = build_site(root, out, Theme(folder))
    assert result.rendered == 0 and result.written == 1
    assert_same_as_plain(root, out, Theme(folder))


def test_changed_base_template_and_stylesheet(tmp_path: Path) -> None:
    folder = copy_theme(tmp_path)
    root = write_content(tmp_path / "content")
    out = tmp_path / "site"
    build_site(root, out, Theme(folder))
    old_css = [path.name for path in (out / "static").iterdir() if path.suffix == ".css"]
    edit(folder / "templates/base.html", "Till innehållet", "Hoppa till innehållet")
    with (folder / "static/style.css").open("a", encoding="utf-8") as css:
        css.write("\n.x { color: red; }\n")
    result = build_site(root, out, Theme(folder))
    assert result.removed == 1 and not (out / "static" / old_css[0]).exists()
    assert_same_as_plain(root, out, Theme(folder))


def test_damaged_output_is_repaired(site: tuple[Path, Path]) -> None:
    root, out = site
    (out / "mottagningar/psykiatrin/index.html").unlink()
    (out / "index.html").write_text("trasig", encoding="utf-8")
    result = build_site(root, out)
    assert result.written == 2
    assert_same_as_plain(root, out)


def test_touched_files_are_not_rewritten(site: tuple[Path, Path]) -> None:
    root, out = site
    for path in root.rglob("*.yaml"):
        path.write_bytes(path.read_bytes())
    result = build_site(root, out)
    assert result.written == 0
    assert_same_as_plain(root, out)


def errors_of(root: Path) -> list[str]:
    with pytest.raises(ContentInvalid) as plain:
        load_content(root)
    return [str(error) for error in plain.value.errors]


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        # The changed file itself is wrong.
        ("clinics/vardcentralen-test.yaml", "use: begar-intyg", "use: finns-inte"),
        # A catalogue change makes an unchanged clinic file wrong (it lacks the options now needed).
        ("eservices/skicka-meddelande.yaml", "type: textarea, label: Meddelande}",
         "type: choice, label: Meddelande, options_from: amnen}"),
        # The mottagning borrowed from stops offering what is borrowed.
        ("clinics/vardcentralen-test.yaml", "  - use: begar-intyg\n    options:\n      intyg_types: [Körkortsintyg]\n", ""),
        # Plain syntax and schema errors.
        ("clinics/psykiatrin.yaml", "municipality: Testby", "municipality: [Testby"),
        ("site.yaml", "visible_eservices: 3", "visible_eservices: -1"),
    ],
)  # fmt: skip
def test_errors_between_builds_are_reported_and_nothing_is_written(
    site: tuple[Path, Path], file: str, old: str, new: str
) -> None:
    root, out = site
    before = tree(out)
    original = (root / file).read_text(encoding="utf-8")
    edit(root / file, old, new)
    expected = errors_of(root)
    with pytest.raises(ContentInvalid) as raised:
        build_site(root, out)
    assert [str(error) for error in raised.value.errors] == expected
    assert tree(out) == before
    # Fixing it again builds what a plain build builds.
    (root / file).write_text(original, encoding="utf-8")
    build_site(root, out)
    assert_same_as_plain(root, out)


def test_deleting_a_clinic_others_borrow_from_is_an_error(site: tuple[Path, Path]) -> None:
    root, out = site
    before = tree(out)
    (root / "clinics/psykiatrin.yaml").unlink()
    expected = errors_of(root)
    assert any("psykiatrin" in error for error in expected)
    with pytest.raises(ContentInvalid) as raised:
        build_site(root, out)
    assert [str(error) for error in raised.value.errors] == expected
    assert tree(out) == before


def test_full_flag_ignores_the_cache(site: tuple[Path, Path]) -> None:
    root, out = site
    result = build_site(root, out, full=True)
    assert not result.incremental and result.rendered == 3
    assert_same_as_plain(root, out)


def test_generator_version_covers_every_module_a_build_runs() -> None:
    code = "import sys, sitegen.build.run; print(' '.join(m for m in sys.modules if m.startswith('sitegen')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    parts = {name.split(".")[1] for name in loaded if name != "sitegen"}
    assert parts <= set(BUILD_PACKAGES)


def test_other_clinic_variants(tmp_path: Path) -> None:
    """A clinic without address or about, and hand-added only, through the incremental path."""
    bare = "name: Enkel\nmunicipality: Testby\neservices:\n  - {name: X, url: 'https://x.se/', category: kontakt, info: Y}\n"
    root = write_content(tmp_path / "content", clinics__enkel=bare)
    out = tmp_path / "site"
    build_site(root, out)
    edit(root / "clinics/enkel.yaml", "name: Enkel", "name: Enklare")
    build_site(root, out)
    assert_same_as_plain(root, out)
    assert MEDDELANDE and CLINIC  # the fixtures this file builds on


def state_tuple(state: object) -> tuple[object, ...]:
    from sitegen.build.cache import BuildState

    assert isinstance(state, BuildState)
    summaries = {slug: summary.to_tuple() for slug, summary in state.summaries.items()}
    return (state.inputs, state.outputs, summaries, state.deps, state.theme, state.index_fields, state.scan_time_ns)


def test_the_journal_replays_to_the_state_the_last_build_kept(site: tuple[Path, Path]) -> None:
    """What a fresh process reads back (state file + journal) is what the building process kept."""
    from sitegen.build import cache

    root, out = site
    changes = [
        ("clinics/psykiatrin.yaml", "name: Psykiatrin", "name: Psykiatrin Testby"),
        ("eservices/begar-intyg.yaml", "Här kan du begära ett intyg.", "Här begär du ett intyg."),
        ("clinics/vardcentralen-test.yaml", "Testgatan 1", "Testgatan 9"),
    ]
    for file, old, new in changes:
        edit(root / file, old, new)
        build_site(root, out)
        kept = cache.load_state(out)
        cache._REMEMBERED.clear()  # as a new process would: read the files
        assert (cache_dir(out) / "journal.marshal").exists()
        assert state_tuple(cache.load_state(out)) == state_tuple(kept)
    (root / "clinics/barnmottagningen.yaml").unlink()
    build_site(root, out)
    cache._REMEMBERED.clear()
    assert build_site(root, out).written == 0
    assert_same_as_plain(root, out)


def test_a_build_that_died_while_writing_is_followed_by_a_full_one(site: tuple[Path, Path]) -> None:
    from sitegen.build import cache

    root, out = site
    cache.begin_changes(out)  # what an incremental build does before it writes, then it "dies"
    cache._REMEMBERED.clear()
    assert cache.load_state(out) is None
    result = build_site(root, out)
    assert not result.incremental
    assert_same_as_plain(root, out)


def test_deleting_a_catalogue_eservice_an_unchanged_clinic_uses_is_an_error(site: tuple[Path, Path]) -> None:
    root, out = site
    before = tree(out)
    (root / "eservices/lamna-synpunkter-och-klagomal.yaml").unlink()
    expected = errors_of(root)
    with pytest.raises(ContentInvalid) as raised:
        build_site(root, out)
    assert [str(error) for error in raised.value.errors] == expected
    assert tree(out) == before
