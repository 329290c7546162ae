"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

A model changed without a migration (or a migration that drifts from the models) fails here, as
does a migration that cannot be undone, or a start of several workers at once.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, event, inspect, select, text

from forms.store import tidbok  # noqa: F401 - its tables are part of the models' schema
from forms.store.__main__ import main as db_main
from forms.store.db import Base
from forms.store.engine import current_revision, downgrade, head_revision, make_engine, upgrade
from forms.store.tidbok import BookingRow

ROOT = Path(__file__).resolve().parents[2]


def differences(engine: Engine) -> list[object]:
    """What Alembic's autogenerate would change to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def revision_of(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return current_revision(connection)


def test_migrations_build_exactly_the_models_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert revision_of(engine) == head_revision()
        assert differences(engine) == []
    finally:
        engine.dispose()


def test_every_migration_can_be_undone_and_redone(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        upgrade(engine)
        assert differences(engine) == []
    finally:
        engine.dispose()


def test_workers_starting_at_once_migrate_once(database_url: str) -> None:
    """Three workers open an empty database at the same moment: one migrates, none fails.

    Every statement of every engine is watched: the first migration's CREATE TABLE of `cases` and
    the INSERT of the version row each ran exactly once.
    """
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []
    engines: list[Engine] = []
    statements: list[str] = []
    lock = threading.Lock()

    def watch(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        with lock:
            statements.append(" ".join(statement.split()))

    def start() -> None:
        try:
            barrier.wait(timeout=30)  # only stops a hang: all three are started long before
            engines.append(make_engine(database_url))
        except BaseException as error:
            errors.append(error)

    event.listen(Engine, "before_cursor_execute", watch)  # every engine, made in any thread
    try:
        threads = [threading.Thread(target=start) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        event.remove(Engine, "before_cursor_execute", watch)
    try:
        assert not any(thread.is_alive() for thread in threads), "a worker hung while migrating"
        created = [s for s in statements if re.match(r"CREATE TABLE cases\b", s)]
        versions = [s for s in statements if s.startswith("INSERT INTO alembic_version")]
        assert len(created) == 1, (created, errors)
        assert len(versions) == 1, versions  # one process took the schema from nothing to head
        assert errors == []
        assert len(engines) == 3
        assert differences(engines[0]) == []
        assert revision_of(engines[0]) == head_revision()
    finally:
        for engine in engines:
            engine.dispose()


def test_a_database_from_before_the_migrations_is_stamped_and_upgraded(tmp_path: Path) -> None:
    """The app used to create_all the first three tables: such a store keeps its cases."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url, migrate=False)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))  # as create_all left it: no version
        connection.execute(
            text(
                "INSERT INTO drafts (id, key, actor, subject, clinic, eservice, status, villkor_sha256, "
                "villkor_approved_at, raw, created_at, updated_at) VALUES (1, 'k', 'a', 's', 'c', 'e', 'sent', "
                "'v', '2026-01-01', '{}', '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO cases (reference, idempotency_key, draft_id, actor, subject, clinic, clinic_name, "
                "eservice, eservice_name, villkor_sha256, villkor_approved_at, answers, summary, sent_at) VALUES "
                "('HV-2026-AAAAAA', 'k', 1, 'a', 's', 'c', 'C', 'e', 'E', 'v', '2026-01-01', '{}', '[]', '2026-01-01')"
            )
        )
    engine.dispose()
    engine = make_engine(url)
    try:
        assert revision_of(engine) == head_revision()
        assert differences(engine) == []
        with engine.connect() as connection:
            assert connection.execute(text("SELECT reference FROM cases")).scalar_one() == "HV-2026-AAAAAA"
    finally:
        engine.dispose()


def test_the_documented_command_migrates(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert db_main(["--url", url, "current"]) == 0
    assert "ingen" in capsys.readouterr().out
    # As an operator runs it: `python -m forms.store upgrade`, the URL from the environment.
    done = subprocess.run(
        [sys.executable, "-m", "forms.store", "upgrade"],
        cwd=ROOT,
        env={"FORMS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no warning either (forms.store is a package with a __main__)
    assert db_main(["--url", url, "current"]) == 0
    assert capsys.readouterr().out.strip() == head_revision()


def test_a_booking_comment_from_before_0006_becomes_its_first_kept_comment(database_url: str) -> None:
    """0006 keeps every comment in a table of its own; a comment stored on the booking is moved into it."""
    engine = make_engine(database_url, migrate=False)
    try:
        upgrade(engine, "0005")
        with engine.begin() as connection:
            for key, status, comment in (("a", "active", "Ny tid passar"), ("c", "cancelled", "Frisk"),
                                         ("n", "active", None)):
                connection.execute(
                    text("INSERT INTO tidbok_bookings (key, clinic, type_id, start, subject, booked_by, comment, "
                         "status, created_at, updated_at) VALUES (:k, 'c', 't', :s, 's', 's', :c, :st, "
                         "'2026-12-01 07:00:00', '2026-12-01 08:00:00')"),
                    {"k": key, "s": f"2026-12-0{2 + 'acn'.index(key)} 07:00:00", "c": comment, "st": status},
                )
        upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT b.key, m.action, m.comment FROM tidbok_booking_comments m "
                "JOIN tidbok_bookings b ON b.id = m.booking_id ORDER BY b.key"
            )).all()
        assert [tuple(row) for row in rows] == [("a", "omboka", "Ny tid passar"), ("c", "avboka", "Frisk")]
    finally:
        engine.dispose()


def insert_before_0007(connection: object, key: str, type_id: str, start: str, status: str = "active") -> None:
    connection.execute(  # type: ignore[attr-defined]
        text("INSERT INTO tidbok_bookings (key, clinic, type_id, start, subject, booked_by, status, created_at, "
             "updated_at) VALUES (:k, 'c', :t, :s, 's', 's', :st, '2026-12-01 07:00:00', '2026-12-01 07:00:00')"),
        {"k": key, "t": type_id, "s": start, "st": status},
    )


def test_0007_gives_each_booking_its_end_and_stops_on_bookings_that_already_overlap(database_url: str) -> None:
    """Ends come from the type's minutes (one minute for a type that is gone); overlaps are named, not dropped."""
    engine = make_engine(database_url, migrate=False)
    try:
        upgrade(engine, "0006")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO tidbok_time_types (clinic, type_id, name, minutes, reason, cancel_hours, rebook) "
                "VALUES ('c', 'lakare', 'Läkarbesök', 20, 'none', 24, true), ('c', 'prov', 'Provtagning', 10, "
                "'none', 24, true)"))
            insert_before_0007(connection, "a", "lakare", "2026-12-09 07:20:00")
            insert_before_0007(connection, "b", "prov", "2026-12-09 07:30:00")  # inside a's 07:20–07:40
            insert_before_0007(connection, "g", "gone", "2026-12-09 09:00:00")
        with pytest.raises(RuntimeError, match=r"1 pair\(s\) of active bookings that overlap"):
            upgrade(engine)
        assert revision_of(engine) == "0006"  # nothing changed
        with engine.begin() as connection:
            connection.execute(text("UPDATE tidbok_bookings SET status = 'cancelled' WHERE key = 'b'"))
        upgrade(engine)
        with engine.connect() as connection:
            ends = dict(connection.execute(select(BookingRow.key, BookingRow.end)).all())
        assert ends == {"a": datetime.datetime(2026, 12, 9, 7, 40), "b": datetime.datetime(2026, 12, 9, 7, 40),
                        "g": datetime.datetime(2026, 12, 9, 9, 1)}
    finally:
        engine.dispose()
