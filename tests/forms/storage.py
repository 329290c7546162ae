"""Fixtures for the storage tests, which run on SQLite and on a real PostgreSQL server alike.

`database_url` is parametrized: every test that takes it runs once per database, the PostgreSQL
run on a fresh database of a throwaway server (tests.support.postgres). `module_database_url` is
the same, one database per module and backend: for the race modules whose tests share one
gunicorn server (starting its workers costs more than most races), each test on rows of its own.
Registered for the whole folder by tests/forms/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import postgres

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server: FORMS_TEST_POSTGRES_URL, or one started for this run."""
    given = os.environ.get(postgres.ENV)
    if given:
        yield given
        return
    if postgres.binaries() is None:
        if postgres.can_install():
            pytest.fail(
                "PostgreSQL is not installed, so the storage tests cannot run on it: scripts/test.sh "
                "installs it (apt-get install postgresql) and starts a throwaway server."
            )
        pytest.skip(
            "POSTGRESQL NOT TESTED: no PostgreSQL here and no way to install it (not root, or no apt-get). "
            f"Install Debian's postgresql package or set {postgres.ENV}."
        )
    with postgres.server() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    with postgres.fresh_database(server) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database shared by one module's tests: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    with postgres.fresh_database(server) as url:
        yield url
