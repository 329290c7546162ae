"""The case store's engine and schema migrations: how a connection is opened and how the schema
is brought up to date.

Durability on SQLite (the default store) is set on every connection as it is opened: WAL, so
readers and the one writer work side by side; `synchronous=FULL`, so a commit is on disk before
the citizen sees a receipt; and a write transaction starts with `BEGIN IMMEDIATE`, so it takes the
write lock at once and queues behind the busy timeout instead of failing half-way when a read
transaction tries to turn into a write. PostgreSQL, the production store, needs none of this.

The schema is owned by the Alembic migrations in `forms/store/migrations/`: `make_engine` brings the
database to the newest revision at start (under a lock, so several workers starting together do
it once), and operators can do it beforehand with `python -m forms.store upgrade`. The tables
themselves are in forms/store/db.py.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.pool import StaticPool

# An execution option marking a connection whose transactions will write: on SQLite they begin
# with BEGIN IMMEDIATE. Reads begin with a plain (deferred) BEGIN and never wait for a writer.
WRITE_OPTION = "hittavard_write"

# Any 64-bit number, the same in every process: the PostgreSQL advisory lock held while migrating.
MIGRATION_LOCK_ID = 0x68_76_66_6F_72_6D_73  # "hvforms"

MIGRATIONS = Path(__file__).parent / "migrations"


# Engine -------------------------------------------------------------------------------------------


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Durability and concurrency pragmas, on every new SQLite connection."""
    # The driver's own transaction handling would BEGIN (deferred) behind our back; take it over
    # so that _sqlite_begin decides how each transaction begins.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _wal(cursor)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _wal(cursor: Any) -> None:
    """Put the database in WAL mode (it stays so), waiting for the others on a new database.

    Workers starting at once on an empty file all ask for WAL; the switch needs the file to
    itself, and SQLite answers "database is locked" at once instead of waiting its busy timeout.
    A database already in WAL mode needs no switch, so only that first moment ever waits here.
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite_begin(connection: Connection) -> None:
    """BEGIN IMMEDIATE for a write transaction (it queues for the lock up front), else BEGIN."""
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def writing(engine: Engine) -> Engine:
    """The same engine (same pool) for transactions that write: BEGIN IMMEDIATE on SQLite.

    Made once per engine and kept on it: making an option engine costs about 0.04 ms, and every
    write and every staff page asked for one (issue 22).
    """
    found: Engine | None = engine.__dict__.get(_WRITER)
    if found is None:
        found = engine.execution_options(**{WRITE_OPTION: True})
        engine.__dict__[_WRITER] = found  # a race of two threads makes two equal ones: harmless
    return found


_WRITER = "_hittavard_writer"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, migrate: bool = True) -> Engine:
    """An engine for `url`, with the schema brought to the newest migration unless told not to."""
    kwargs: dict[str, Any] = {}
    sqlite = url.startswith("sqlite")
    if sqlite:
        kwargs["connect_args"] = {"check_same_thread": False}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True  # a database server restarted under us: reconnect, don't fail a send
    # Parameters are answers and personnummer: never quoted in a log line or an exception, and set
    # here at creation so that every engine derived from this one (the kept writer, the migrations')
    # inherits it, whichever is made first.
    engine = create_engine(url, hide_parameters=True, **kwargs)
    if sqlite:
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    if migrate:
        upgrade(engine)
    return engine


# Migrations ---------------------------------------------------------------------------------------

BUSY_TIMEOUT_MS = 10_000  # how long a request waits for another write before it fails
MIGRATION_WAIT_MS = 300_000  # how long a starting worker waits for another worker's migration
INITIAL_REVISION = "0001"  # the schema as it was before Alembic: what an older database is stamped with


def alembic_config(connection: Connection | None = None) -> Any:
    """Alembic's configuration for forms/store/migrations, without an alembic.ini to keep in step."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@functools.lru_cache(maxsize=1)
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()  # type: ignore[no-any-return]


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """One transaction holding a lock that every other migrating process waits for."""
    with writing(engine).connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # Waiting for another worker's migration is waiting for all of it, which on a busy
            # machine takes longer than the busy timeout a request should wait for a write.
            connection.connection.driver_connection.execute(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
        try:
            with connection.begin():
                # SQLite: the write transaction began IMMEDIATE, which is the lock. PostgreSQL: an
                # advisory lock released at commit. Other databases are on their own.
                if engine.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
                yield connection
        finally:
            if sqlite:
                connection.connection.driver_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`, once, however many workers start at the same moment."""
    from alembic import command

    if revision == "head":
        with engine.connect() as connection:
            if current_revision(connection) == head_revision():
                return  # the usual start: nothing to do, no lock taken
    with _migration_lock(engine) as connection:
        tables = set(inspect(connection).get_table_names())
        if "cases" in tables and "alembic_version" not in tables:
            # Created before the migrations existed, by create_all: it has the initial schema.
            command.stamp(alembic_config(connection), INITIAL_REVISION)
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with _migration_lock(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def default_database_url() -> str:
    """FORMS_DATABASE_URL, or the SQLite file in the instance folder that the app uses by default."""
    url = os.environ.get("FORMS_DATABASE_URL")
    if url:
        return url
    from flask import Flask

    instance = Path(Flask("forms", root_path=str(Path(__file__).parent)).instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance / 'forms.sqlite3'}"
