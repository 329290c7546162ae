"""Writing the index: all of it after a full build, only the changed mottagningar after an
incremental one.

A full write makes a new file beside the old one and renames it into place, so the app's readers
see the old index or the new one, never half of one. An incremental write changes the rows of the
given mottagningar in one transaction (SQLite's own atomic commit does the same job there).
"""

from __future__ import annotations

import functools
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
        """Write every document into a new file and rename it into place.

        The new file is private until the rename, so it needs neither a rollback journal nor syncs
        while it is written (a crash leaves a temporary file, never a broken index): `journal_mode
        = OFF` and `synchronous = OFF`. Like the pages the build publishes, it is not fsynced: after
        a power loss an index that reads as broken makes the next build a full one (`usable`).
        The rows go in as a few batches rather than one statement per document, and the texts
        many mottagningar share (e-service and municipality names) are folded once.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".index.", dir=self.path.parent)
        os.close(handle)
        try:
            with closing(sqlite3.connect(temporary, isolation_level=None)) as connection:
                connection.execute("PRAGMA journal_mode = OFF")
                connection.execute("PRAGMA synchronous = OFF")
                connection.executescript(DDL)
                connection.execute("BEGIN")
                connection.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                _insert_all(connection, sorted(documents, key=lambda document: document.slug))
                # One b-tree per full-text table instead of the segments of the batches: a few per
                # cent faster searches for about 0.05 s of 10,000 mottagningar' write.
                connection.execute("INSERT INTO fts (fts) VALUES ('optimize')")
                connection.execute("INSERT INTO name_trigrams (name_trigrams) VALUES ('optimize')")
                connection.execute("COMMIT")
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


def _insert_all(connection: sqlite3.Connection, documents: list[SearchDocument]) -> None:
    """The rows of every document (ids 1 … n in the given order), written table by table."""
    folded = functools.lru_cache(maxsize=None)(fold)
    keyed = functools.lru_cache(maxsize=None)(key)
    connection.executemany(
        "INSERT INTO clinics (id, slug, name, sort_key, municipality, municipality_key, street, postal_code, city,"
        " eservice_count, hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (clinic_id, d.slug, d.name, d.sort_key, d.municipality, keyed(d.municipality), d.street, d.postal_code,
             d.city, len(d.eservices), d.hours)
            for clinic_id, d in enumerate(documents, 1)
        ],
    )  # fmt: skip
    connection.executemany(
        "INSERT OR IGNORE INTO clinic_eservices (clinic_id, name, name_key) VALUES (?, ?, ?)",
        [(clinic_id, name, keyed(name)) for clinic_id, d in enumerate(documents, 1) for name in d.eservices],
    )
    # fold() maps character by character, so the folded e-service list is its folded names joined.
    connection.executemany(
        "INSERT INTO fts (rowid, name, municipality, address, eservices, name_f, municipality_f, address_f,"
        " eservices_f) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (clinic_id, d.name, d.municipality, d.address, "\n".join(d.eservices), fold(d.name),
             folded(d.municipality), fold(d.address_words), "\n".join(map(folded, d.eservices)))
            for clinic_id, d in enumerate(documents, 1)
        ],
    )  # fmt: skip
    connection.executemany(
        "INSERT INTO name_trigrams (rowid, name_f) VALUES (?, ?)",
        [(clinic_id, fold(d.name)) for clinic_id, d in enumerate(documents, 1)],
    )


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
    searched = (document.name, document.municipality, document.address_words, "\n".join(document.eservices))
    connection.execute(
        "INSERT INTO fts (rowid, name, municipality, address, eservices, name_f, municipality_f, address_f,"
        " eservices_f) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (clinic_id, *texts, *(fold(text) for text in searched)),
    )
    connection.execute("INSERT INTO name_trigrams (rowid, name_f) VALUES (?, ?)", (clinic_id, fold(document.name)))


def _delete(connection: sqlite3.Connection, slug: str) -> int:
    row = connection.execute("SELECT id FROM clinics WHERE slug = ?", (slug,)).fetchone()
    if row is None:
        return 0
    connection.execute("DELETE FROM fts WHERE rowid = ?", row)
    connection.execute("DELETE FROM name_trigrams WHERE rowid = ?", row)
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
            "  WHERE e.clinic_id = c.id ORDER BY name_key)), t.name_f"
            " FROM clinics c JOIN fts f ON f.rowid = c.id JOIN name_trigrams t ON t.rowid = c.id ORDER BY c.slug"
        ).fetchall()
    return [tuple(row) for row in rows]
