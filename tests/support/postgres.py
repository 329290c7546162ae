"""A throwaway PostgreSQL server for the storage tests: Debian's binaries, a cluster in a temp dir.

The forms app's production store is PostgreSQL, so the storage tests run against a real server,
not a mock. scripts/test.sh starts one with `python -m tests.support.postgres start DIR` (it prints
the `export FORMS_TEST_POSTGRES_URL=…` line to eval) and stops it at the end; run on their own,
the tests start one the same way when the binaries are installed. Each test gets a database of its
own (`fresh_database`), dropped afterwards.

When no server can be had the tests must say so loudly: a skip naming the reason where nothing
can be installed (not root, or no apt-get), a failure where scripts/test.sh would have installed
it, so CI, which runs as root, never passes without having tested PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

ENV = "FORMS_TEST_POSTGRES_URL"


def binaries() -> Path | None:
    """The folder with initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: run them as Debian's postgres user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(directory: Path) -> str:
    """initdb and start a cluster in `directory` on a free port of 127.0.0.1; return its URL."""
    folder = binaries()
    if folder is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    data = directory / "data"
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(
        _as_postgres([str(folder / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                      "--no-sync", "--locale=C"]),
        **quiet,  # type: ignore[call-overload]
    )
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        _as_postgres([str(folder / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"), "-w",
                      "-o", options, "start"]),
        **quiet,  # type: ignore[call-overload]
    )
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def stop(directory: Path) -> None:
    folder = binaries()
    if folder is None or not (directory / "data").exists():
        return
    subprocess.run(
        _as_postgres([str(folder / "pg_ctl"), "-D", str(directory / "data"), "-m", "fast", "-w", "stop"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


@contextlib.contextmanager
def server() -> Iterator[str]:
    """A server for the duration of the block, its data removed afterwards."""
    # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
    directory = Path(tempfile.mkdtemp(prefix="hittavard-pg-"))
    try:
        yield start(directory)
    finally:
        stop(directory)
        shutil.rmtree(directory, ignore_errors=True)


def _admin(url: str) -> str:
    """A libpq URL (psycopg's own) for the SQLAlchemy one."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A new, empty database on the server at `url`, dropped (with its connections) afterwards."""
    import psycopg

    name = "hv_" + uuid.uuid4().hex[:12]
    with psycopg.connect(_admin(url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(_admin(url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str]) -> int:
    """`start DIR` prints an export line for the shell; `stop DIR` stops that server."""
    if len(argv) != 2 or argv[0] not in {"start", "stop"}:
        print("usage: python -m tests.support.postgres start|stop DIR", file=sys.stderr)
        return 2
    directory = Path(argv[1])
    if argv[0] == "start":
        print(f"export {ENV}={start(directory)}")
    else:
        stop(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
