"""The search index is written by the build from the same content as the pages, kept up to date
by the incremental build row by row, and equal to what a full build writes after every kind of
change; the municipality pages follow the same rule, byte for byte."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from sitegen.build.run import build_site
from sitegen.search.schema import index_path
from sitegen.search.writer import SqliteIndexWriter, dump
from tests.sitegen.conftest import OTHER, write_content
from tests.sitegen.test_incremental import THIRD, assert_same_as_plain, edit

RENAMED_SERVICE = "name: Skicka ett meddelande\ncategory: kontakt\nvillkor: Skriv till oss.\n"


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    root = write_content(tmp_path / "content", clinics__barnmottagningen=THIRD)
    out = tmp_path / "site"
    build_site(root, out)
    return root, out


def full_index(root: Path, tmp_path: Path) -> list[tuple[object, ...]]:
    reference = tmp_path / "reference"
    build_site(root, reference, full=True)
    return dump(reference)


def rows_by_slug(out: Path) -> dict[str, tuple[object, ...]]:
    return {str(row[0]): row for row in dump(out)}


def test_the_index_is_in_a_hidden_folder_of_the_site(site: tuple[Path, Path]) -> None:
    _, out = site
    assert index_path(out) == out / ".search" / "index.sqlite3" and index_path(out).is_file()
    rows = rows_by_slug(out)
    assert set(rows) == {"barnmottagningen", "psykiatrin", "vardcentralen-test"}
    name, municipality, street, count = rows["vardcentralen-test"][1], rows["vardcentralen-test"][3], rows[
        "vardcentralen-test"
    ][5], rows["vardcentralen-test"][8]
    assert (name, municipality, street, count) == ("Vårdcentralen Test", "Testby", "Testgatan 1", 4)
    # the borrowed e-service under its catalogue name, folded for "vardcentral"-style queries
    assert "Skicka meddelande" in str(rows["vardcentralen-test"][13])
    assert rows["vardcentralen-test"][14] == "vardcentralen test"


@pytest.mark.parametrize(
    "change",
    ["rename", "move", "catalogue", "remove", "add", "phone", "borrowed-origin-renamed"],
)
def test_incremental_index_equals_full_index(site: tuple[Path, Path], tmp_path: Path, change: str) -> None:
    root, out = site
    before = os.stat(index_path(out)).st_ino
    if change == "rename":
        edit(root / "clinics/vardcentralen-test.yaml", "name: Vårdcentralen Test", "name: Hälsocentralen Test")
    elif change == "move":
        edit(root / "clinics/barnmottagningen.yaml", "municipality: Åby", "municipality: Testby")
    elif change == "catalogue":
        (root / "eservices/skicka-meddelande.yaml").write_text(RENAMED_SERVICE, encoding="utf-8")
    elif change == "remove":
        (root / "clinics/barnmottagningen.yaml").unlink()
    elif change == "add":
        (root / "clinics/nya.yaml").write_text(OTHER.replace("Psykiatrin", "Nya kliniken i Öby").replace(
            "Testby", "Öby"), encoding="utf-8")
    elif change == "phone":
        edit(root / "clinics/vardcentralen-test.yaml", "010-123 45 67", "010-765 43 21")
    elif change == "borrowed-origin-renamed":
        edit(root / "clinics/psykiatrin.yaml", "name: Psykiatrin", "name: Psykiatrimottagningen")
    result = build_site(root, out)
    assert result.incremental
    assert os.stat(index_path(out)).st_ino == before  # updated in place, not rebuilt
    assert dump(out) == full_index(root, tmp_path)
    assert_same_as_plain(root, out)  # the pages, municipality pages included, byte for byte


def test_only_the_changed_rows_are_rewritten(site: tuple[Path, Path]) -> None:
    root, out = site
    ids = {slug: row for slug, row in _ids(out).items()}
    edit(root / "clinics/barnmottagningen.yaml", "Byvägen 2", "Byvägen 4")
    build_site(root, out)
    after = _ids(out)
    assert after["psykiatrin"] == ids["psykiatrin"] and after["vardcentralen-test"] == ids["vardcentralen-test"]
    assert after["barnmottagningen"] != ids["barnmottagningen"]


def _ids(out: Path) -> dict[str, int]:
    with sqlite3.connect(index_path(out)) as connection:
        return dict(connection.execute("SELECT slug, id FROM clinics"))  # type: ignore[arg-type]


def test_no_change_leaves_the_index_untouched(site: tuple[Path, Path]) -> None:
    root, out = site
    stat = os.stat(index_path(out))
    build_site(root, out)
    assert os.stat(index_path(out)).st_mtime_ns == stat.st_mtime_ns


def test_a_missing_index_makes_the_next_build_a_full_one(site: tuple[Path, Path], tmp_path: Path) -> None:
    root, out = site
    index_path(out).unlink()
    result = build_site(root, out)
    assert not result.incremental and dump(out) == full_index(root, tmp_path)


def test_an_index_of_another_schema_is_not_updated_but_rewritten(site: tuple[Path, Path]) -> None:
    root, out = site
    with sqlite3.connect(index_path(out)) as connection:
        connection.execute("UPDATE meta SET value = 'old' WHERE key = 'schema'")
    assert not SqliteIndexWriter(out).usable()
    assert not build_site(root, out).incremental
    assert SqliteIndexWriter(out).usable()


def test_a_clinic_moving_to_a_new_municipality(site: tuple[Path, Path]) -> None:
    root, out = site
    edit(root / "clinics/barnmottagningen.yaml", "municipality: Åby", "municipality: Östra Åby")
    result = build_site(root, out)
    assert result.incremental
    assert not (out / "kommuner/aby").exists() and (out / "kommuner/ostra-aby/index.html").is_file()
    assert "kommuner/ostra-aby/" in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert_same_as_plain(root, out)


def test_a_changed_street_rewrites_only_its_municipality_page(site: tuple[Path, Path]) -> None:
    root, out = site
    testby = (out / "kommuner/testby/index.html").stat().st_mtime_ns
    edit(root / "clinics/barnmottagningen.yaml", "Byvägen 2", "Byvägen 4")
    result = build_site(root, out)
    assert result.written == 2  # its contact page and Åby's page
    assert (out / "kommuner/testby/index.html").stat().st_mtime_ns == testby
    assert "Byvägen 4" in (out / "kommuner/aby/index.html").read_text(encoding="utf-8")
    assert_same_as_plain(root, out)


def test_contact_page_breadcrumbs_go_through_the_municipality(site: tuple[Path, Path]) -> None:
    _, out = site
    html = (out / "mottagningar/barnmottagningen/index.html").read_text(encoding="utf-8")
    crumbs = html.split('aria-label="Du är här"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/">Startsida</a>' in crumbs and '<a href="/kommuner/aby/">Åby</a>' in crumbs


def test_what_a_reader_found_in_a_replaced_index_is_not_kept_for_the_new_one(site: tuple[Path, Path]) -> None:
    """A build replaces the file while a thread reads the old one: the old answer may be returned to
    that thread, but must not be kept for everyone under the new index."""
    from contextlib import contextmanager

    from sitegen.search.reader import SqliteSearcher

    _, out = site
    searcher = SqliteSearcher(out, lambda hours, moment: False)
    opened = searcher._connect

    @contextmanager
    def replaced_while_reading():  # type: ignore[no-untyped-def]
        with opened() as connection:
            yield connection
            searcher._version = (0, 0, 0)  # what another thread's check of a new file leaves

    searcher._connect = replaced_while_reading  # type: ignore[method-assign]
    assert searcher.municipalities()  # answered from what was read
    assert searcher._municipalities is None  # and not kept
    searcher._connect = opened  # type: ignore[method-assign]
    searcher._version = None
    assert searcher.municipalities() and searcher._municipalities is not None  # an unreplaced read is kept
