"""The session read, which every request of the app makes, goes past SQLAlchemy to the driver.

One SELECT on a pooled DB-API connection, its SQL compiled once per store (forms.store.cases
Store.load_session, issue 22): so each driver's parameter style and JSON type must be proven on
its own database, and the read must neither take nor wait for SQLite's write lock.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from forms.store.cases import Store
from forms.store.engine import make_engine


def test_a_session_is_read_back_as_written_on_each_database(database_url: str) -> None:
    """The session read goes past SQLAlchemy to the driver (issue 22): each driver's parameters and JSON."""
    engine = make_engine(database_url)
    store = Store(engine)
    data = {"actor": "19121212-1212", "login_at": "2026-12-07T05:00:00+00:00", "namn": "Åsa Öberg", "n": [1, 2]}
    store.save_session("c" * 64, data)
    assert store.load_session("c" * 64) == data
    assert store.load_session("d" * 64) is None
    store.save_session("c" * 64, {**data, "seen_at": "2026-12-07T05:01:00+00:00"})
    assert store.load_session("c" * 64) == {**data, "seen_at": "2026-12-07T05:01:00+00:00"}
    store.delete_session("c" * 64)
    assert store.load_session("c" * 64) is None
    engine.dispose()


def test_a_session_read_does_not_wait_for_a_writer_nor_see_its_uncommitted_row(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    store = Store(engine)
    store.save_session("a" * 64, {"actor": "19121212-1212"})
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another worker in the middle of a write transaction
    writer.execute("INSERT INTO web_sessions (token_hash, data, created_at, seen_at) VALUES (?, '{}', '2026-01-01', '2026-01-01')", ("b" * 64,))
    started = time.monotonic()
    assert store.load_session("a" * 64) == {"actor": "19121212-1212"}
    assert store.load_session("b" * 64) is None
    assert time.monotonic() - started < 2  # the busy timeout is 10 s: a read that waited would show
    writer.execute("ROLLBACK")
    writer.close()
    engine.dispose()
