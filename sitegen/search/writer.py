"""Writing the index: all of it after a full build, only the changed mottagningar after an
incremental one.

A full write makes a new file beside the old one and renames it into place, so the app's readers
see the old index or the new one, never half of one. An incremental write changes the rows of the
given mottagningar in one transaction (SQLite's own atomic commit does the same job there).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Protocol

from sitegen.search.documents import SearchDocument
from sitegen.search.schema import DDL, SCHEMA_VERSION, fold, index_path, key


class IndexWriter(Protocol):
    """What a build needs of a search index; a search server's client can implement it too."""

    def usable(self) -> bool:
        """Whether the index exists and has this schema (otherwise the build writes all of it)."""
        ...

    def replace_all(self, documents: Iterable[SearchDocument]) -> None: ...

    def update(self, documents: Iterable[SearchDocument], removed: Iterable[str]) -> int:
        """Bring the given mottagningar's rows up to date, drop the removed ones; how many changed."""
        ...


class SqliteIndexWriter:
    """The embedded default: an SQLite FTS5 file inside the built site (see schema.index_path)."""

    def __init__(self, site_dir: Path) -> None:
        self.path = index_path(site_dir)

    def usable(self) -> bool:
        if not self.path.is_file():
            return False
        try:
            with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as connection:
                row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.Error:
            return False
        return row is not None and row[0] == SCHEMA_VERSION

    def replace_all(self, documents: Iterable[SearchDocument]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".index.", dir=self.path.parent)
        os.close(handle)
        try:
            with closing(sqlite3.connect(temporary)) as connection:
                connection.executescript(DDL)
                connection.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                for document in sorted(documents, key=lambda document: document.slug):
                    _insert(connection, document)
                connection.execute("INSERT INTO fts(fts) VALUES ('optimize')")
                connection.commit()
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def update(self, documents: Iterable[SearchDocument], removed: Iterable[str]) -> int:
        changed = 0
        with closing(sqlite3.connect(self.path, timeout=30)) as connection:
            connection.execute("PRAGMA foreign_keys = ON")
            with connection:  # one transaction
                for slug in removed:
                    changed += _delete(connection, slug)
                for document in documents:
                    if _stored(connection, document.slug) == document:
                        continue
                    _delete(connection, document.slug)
                    _insert(connection, document)
                    changed += 1
        return changed


def _insert(connection: sqlite3.Connection, document: SearchDocument) -> None:
    cursor = connection.execute(
        "INSERT INTO clinics (slug, name, sort_key, municipality, municipality_key, street, postal_code, city,"
        " eservice_count, hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            document.slug,
            document.name,
            document.sort_key,
            document.municipality,
            key(document.municipality),
            document.street,
            document.postal_code,
            document.city,
            len(document.eservices),
            document.hours,
        ),
    )
    clinic_id = cursor.lastrowid
    connection.executemany(
        "INSERT OR IGNORE INTO clinic_eservices (clinic_id, name, name_key) VALUES (?, ?, ?)",
        [(clinic_id, name, key(name)) for name in document.eservices],
    )
    texts = (document.name, document.municipality, document.address, "\n".join(document.eservices))
    connection.execute(
        "INSERT INTO fts (rowid, name, municipality, address, eservices, name_f, municipality_f, address_f,"
        " eservices_f) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (clinic_id, *texts, *(fold(text) for text in texts)),
    )


def _delete(connection: sqlite3.Connection, slug: str) -> int:
    row = connection.execute("SELECT id FROM clinics WHERE slug = ?", (slug,)).fetchone()
    if row is None:
        return 0
    connection.execute("DELETE FROM fts WHERE rowid = ?", row)
    connection.execute("DELETE FROM clinic_eservices WHERE clinic_id = ?", row)
    connection.execute("DELETE FROM clinics WHERE id = ?", row)
    return 1


def _stored(connection: sqlite3.Connection, slug: str) -> SearchDocument | None:
    """The document as the index holds it now (e-services in their stored order)."""
    row = connection.execute(
        "SELECT id, name, municipality, street, postal_code, city, hours FROM clinics WHERE slug = ?", (slug,)
    ).fetchone()
    if row is None:
        return None
    text = connection.execute("SELECT eservices FROM fts WHERE rowid = ?", (row[0],)).fetchone()
    names = tuple(text[0].split("\n")) if text and text[0] else ()
    return SearchDocument(slug, row[1], row[2], row[3], row[4], row[5], names, row[6])


def read_documents(site_dir: Path) -> list[SearchDocument]:
    """The documents an index holds, by slug (to write them elsewhere: another backend, a benchmark)."""
    with closing(sqlite3.connect(f"file:{index_path(site_dir)}?mode=ro", uri=True)) as connection:
        slugs = [row[0] for row in connection.execute("SELECT slug FROM clinics ORDER BY slug")]
        return [document for slug in slugs if (document := _stored(connection, slug)) is not None]


def dump(site_dir: Path) -> list[tuple[object, ...]]:
    """Every mottagning's searchable content, by slug: for comparing two indexes (tests, checks)."""
    with closing(sqlite3.connect(f"file:{index_path(site_dir)}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT c.slug, c.name, c.sort_key, c.municipality, c.municipality_key, c.street, c.postal_code,"
            " c.city, c.eservice_count, c.hours, f.name, f.municipality, f.address, f.eservices, f.name_f,"
            " f.municipality_f, f.address_f, f.eservices_f,"
            " (SELECT group_concat(name_key, '|') FROM (SELECT name_key FROM clinic_eservices e"
            "  WHERE e.clinic_id = c.id ORDER BY name_key))"
            " FROM clinics c JOIN fts f ON f.rowid = c.id ORDER BY c.slug"
        ).fetchall()
    return [tuple(row) for row in rows]
