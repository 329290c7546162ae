"""A sent case is on disk before the citizen gets the receipt: what the tests can prove, and how.

Killing gunicorn (tests/forms/test_durability.py) proves only that the commit comes before the
receipt: the operating system keeps unsynced writes of a killed process, so the case survives even
with no fsync at all. What makes it survive a power cut is the fsync, so for SQLite this test watches
the system calls (strace) of the gunicorn worker that handles a send: between reading the POST and
sending the 303 to the receipt, every database file the worker wrote is fsynced after its last write.

PostgreSQL syncs its write-ahead log at commit when `synchronous_commit` is on (and the server's
`fsync` is on, its default, which this project's throwaway test server turns off for speed): the
app must never turn `synchronous_commit` off on its connections; the second test reads it from the
app's own engine, as configured for production. The server's `fsync` and `full_page_writes` are the
operator's (docs/operators.md); docs/security.md says which property rests on what.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from forms.store.engine import writing
from tests.forms.conftest import OTHER_ADULT, login
from tests.forms.gunicorn_run import Browser, demo_file, gunicorn, made_up_people, reference_in, send_form

SEND = "/e-tjanster/testmottagningen/egen-fraga/"
LINE = re.compile(r"^(?P<pid>\d+) +(?P<call>\w+)\((?P<fd>\d+)<(?P<target>[^>]*)>(?P<rest>.*)$")


def strace() -> str:
    """The strace binary, able to trace here; as with PostgreSQL, missing it fails where it could
    have been installed (root with apt-get) and skips loudly only where it cannot."""
    from tests.support.postgres import can_install

    found = shutil.which("strace")
    if found is None:
        if can_install():
            pytest.fail("strace is not installed: scripts/test.sh installs it (apt-get install strace)")
        pytest.skip("FSYNC NOT TESTED: no strace here and no way to install it (not root, or no apt-get)")
    probe = subprocess.run([found, "-f", "-o", "/dev/null", "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"FSYNC NOT TESTED: strace cannot trace on this machine ({probe.stderr.strip()[:200]})")
    return found


def calls_of_the_send(trace: str, reference: str) -> list[tuple[str, str]]:
    """(system call, file) of the worker from reading the send's POST to sending its receipt."""
    lines = trace.splitlines()
    start = next(i for i, line in enumerate(lines) if re.search(r'\b(recvfrom|read)\(.*"POST \S+/skicka/ HTTP', line))
    pid = lines[start].split()[0]
    end = next(
        i for i in range(start, len(lines))
        if lines[i].startswith(pid + " ")
        and re.search(r"\b(sendto|sendmsg|writev|write)\(", lines[i])
        and f"Location: /e-tjanster/inkorg/{reference}/kvitto/" in lines[i]
    )
    calls = []
    for line in lines[start:end]:
        match = LINE.match(line)
        if match and match["pid"] == pid:
            calls.append((match["call"], match["target"]))
    return calls


def test_every_database_file_written_for_a_send_is_fsynced_before_the_receipt_goes_out(
    content_dir: Path, tmp_path: Path
) -> None:
    tracer = strace()
    person = made_up_people(1)[0]
    database = tmp_path / "cases.sqlite3"
    env = {
        "FORMS_CONTENT_DIR": str(content_dir),
        "FORMS_DEMO_DATA": str(demo_file(tmp_path / "people.yaml", [person])),
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "fsync-test-key",
        "FORMS_DATABASE_URL": f"sqlite:///{database}",
    }
    trace_file = tmp_path / "trace.txt"
    calls = "trace=pwrite64,write,writev,fsync,fdatasync,sendto,sendmsg,recvfrom,read"
    prefix = [tracer, "-f", "-y", "-s", "600", "-e", calls, "-o", str(trace_file)]
    with gunicorn(env, workers=1, log=tmp_path / "gunicorn.log", prefix=prefix) as server:
        browser = Browser(server.base)
        assert browser.submit("/e-tjanster/logga-in/", {"personnummer": person}).status == 303
        assert browser.submit(SEND, {"approve": "yes"}).status == 303
        assert browser.submit(f"{SEND}sida/1/", {"question": "Hur länge gäller receptet?"}).status == 303
        sent = browser.post(f"{SEND}skicka/", send_form(browser.get(f"{SEND}kontrollera/").text))
        assert sent.status == 303
        reference = reference_in(sent.location)
    calls_made = calls_of_the_send(trace_file.read_text(errors="replace"), reference)
    files = {str(database), f"{database}-wal", f"{database}-journal"}
    written: dict[str, int] = {}
    synced: dict[str, int] = {}
    for index, (call, target) in enumerate(calls_made):
        if target in files and call in {"pwrite64", "write"}:
            written[target] = index
        elif target in files and call in {"fsync", "fdatasync"}:
            synced[target] = index
    assert written, f"the send wrote no database file: {calls_made[:20]}"
    for path, last_write in written.items():
        assert synced.get(path, -1) > last_write, f"{path} was written for the send and not synced before the receipt"


def test_the_apps_postgresql_connections_commit_synchronously(
    make_app: Callable[..., Flask], postgres_server: str
) -> None:
    """What the app controls of PostgreSQL's durability: it never turns synchronous_commit off."""
    from tests.support import postgres

    with postgres.fresh_database(postgres_server) as url:
        app = make_app(FORMS_DATABASE_URL=url)
        client = app.test_client()
        login(client, OTHER_ADULT)  # a write through the app's own engine, as in production
        engine = app.extensions["hittavard_forms"].store.engine
        try:
            for connectable in (engine, writing(engine)):
                with connectable.connect() as connection:
                    assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"
        finally:
            engine.dispose()
