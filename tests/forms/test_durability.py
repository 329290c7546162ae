"""Nothing sent is lost or stored twice: under concurrency, under load, and when the process dies.

- every SQLite connection is in WAL mode with synchronous=FULL, and write transactions begin
  IMMEDIATE (a read-then-write transaction never fails half-way when another writer is busy);
- two POSTs of the same send at the same moment store one case (the UNIQUE idempotency key),
  on SQLite and on PostgreSQL;
- a load test: several gunicorn workers, many citizens, every send double-submitted, ends with
  exactly one row per send;
- gunicorn killed with SIGKILL right after the receipt: the case is in the database (the commit
  precedes the receipt; that it is on disk is tests/forms/test_synced_before_receipt.py's).
"""

from __future__ import annotations

import contextlib
import datetime
import queue
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, event, func, insert, select, text

from forms.store.cases import CaseContent, Owner, Store
from forms.store.db import Case, Draft, WebSession
from forms.store.engine import make_engine, writing
from tests.forms.conftest import (
    ADULT,
    BASE,
    INTYG_URL,
    counts,
    intyg_to_check,
    login,
    reference_of,
    send_form_data,
)
from tests.forms.gunicorn_run import Browser, demo_file, gunicorn, made_up_people, reference_in, send_form

# The load test's size: citizens, drafts per citizen (one per e-service), POSTs per draft, threads.
LOAD_WORKERS = 3
LOAD_PEOPLE = 50
LOAD_ESERVICES = (  # (mottagning, e-service, its one question)
    ("testmottagningen", "egen-fraga", "question"),
    ("andra-mottagningen", "lanad", "anything"),
)
LOAD_SUBMITS_PER_DRAFT = 2  # a double click: the same send twice, at the same moment
LOAD_THREADS = 20
HANG_SECONDS = 600.0  # only stops a hang: the run takes seconds (its speed: bench/suite_speeds.py)


# SQLite: pragmas and BEGIN IMMEDIATE, on every connection --------------------------------------


def test_every_sqlite_connection_is_wal_with_full_sync(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        connections = [engine.connect() for _ in range(4)]  # four DBAPI connections from the pool
        try:
            for connection in connections:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:
            for connection in connections:
                connection.close()
    finally:
        engine.dispose()


def begins(engine: Engine) -> list[str]:
    """Record every BEGIN the engine sends from now on."""
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    return seen


def test_store_writes_begin_immediate_and_reads_do_not(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store = Store(engine)
    seen = begins(engine)
    store.save_session("a" * 64, {"x": 1})
    assert seen == ["BEGIN IMMEDIATE"]
    seen.clear()
    assert store.load_session("a" * 64) == {"x": 1}
    assert seen == []  # one SELECT on the driver's connection: no transaction, no write lock
    engine.dispose()


def test_a_write_transaction_holds_the_lock_from_its_first_statement(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with writing(engine).begin() as connection:
            connection.execute(select(func.count()).select_from(Case))  # only a read so far
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
        with engine.begin() as connection:  # a read transaction takes no lock
            connection.execute(select(func.count()).select_from(Case))
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


def test_read_then_write_transactions_of_two_workers_queue_instead_of_failing(tmp_path: Path) -> None:
    """The case BEGIN IMMEDIATE exists for: a deferred transaction that read, then writes while another
    writer committed, fails at once with "database is locked" (no busy wait can help it)."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    engines = [make_engine(url), make_engine(url)]  # two workers: two engines, two connections
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            with writing(engines[number]).begin() as connection:
                connection.execute(select(func.count()).select_from(WebSession))
                # Both have read: now both write. (With BEGIN IMMEDIATE the other is still queued
                # behind our lock, so the barrier breaks after its timeout, as it should.)
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(timeout=0.5)
                connection.execute(insert(WebSession).values(token_hash=f"{number:064d}", data={}))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with engines[0].connect() as connection:
        assert connection.execute(select(func.count()).select_from(WebSession)).scalar() == 2
    for engine in engines:
        engine.dispose()


# Idempotent sends, on SQLite and PostgreSQL ----------------------------------------------------


def new_draft(store: Store, owner: Owner) -> Draft:
    now = datetime.datetime(2026, 6, 1, 10, 0)
    return store.approve_villkor(owner, "testmottagningen", "egen-fraga", "v" * 64, now)


CONTENT = CaseContent(clinic_name="Testmottagningen", eservice_name="Egen fråga", answers={"q": "a"}, summary=[])


def test_many_simultaneous_sends_of_one_draft_store_one_case(database_url: str) -> None:
    engine = make_engine(database_url)
    store = Store(engine)
    draft = new_draft(store, Owner(ADULT, ADULT))
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    original = store.case_by_key
    results: list[str] = []
    errors: list[BaseException] = []

    looked: set[str] = set()

    def case_by_key(key: str) -> Case | None:
        found = original(key)
        name = threading.current_thread().name
        if name not in looked:  # every thread sees "not sent yet" before any of them inserts
            looked.add(name)
            barrier.wait(timeout=10)
        return found

    store.case_by_key = case_by_key  # type: ignore[method-assign]

    def send() -> None:
        try:
            results.append(store.send(draft, CONTENT).reference)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=send, name=f"send-{n}") for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == threads_count and len(set(results)) == 1
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Case)).scalar() == 1
        assert connection.execute(select(Draft.status)).scalar() == "sent"
    engine.dispose()


def test_two_simultaneous_posts_of_send_give_one_case_and_the_same_receipt(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    app = make_app(FORMS_DATABASE_URL=database_url)
    client = app.test_client()
    login(client, ADULT)
    form = send_form_data(intyg_to_check(client))
    cookie = client.get_cookie("__Host-session")
    assert cookie is not None
    second = app.test_client()
    second.set_cookie("__Host-session", cookie.value, domain=cookie.domain, path="/")

    store: Store = app.extensions["hittavard_forms"].store
    original = store.case_by_key
    barrier = threading.Barrier(2)
    looked: set[str] = set()

    def case_by_key(key: str) -> Case | None:
        found = original(key)
        name = threading.current_thread().name
        if name not in looked:  # both requests get past "already sent?" before either stores
            looked.add(name)
            barrier.wait(timeout=10)
        return found

    store.case_by_key = case_by_key  # type: ignore[method-assign]
    locations: list[str] = []

    def post(browser: Any) -> None:
        response = browser.post(f"{INTYG_URL}skicka/", data=form)
        locations.append(f"{response.status_code} {response.headers.get('Location')}")

    threads = [threading.Thread(target=post, args=(c,), name=f"post-{n}") for n, c in enumerate((client, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(locations) == 2 and locations[0] == locations[1], locations
    assert locations[0].startswith("303 ")
    reference_of(locations[0])
    assert counts(app) == (1, 1)
    app.extensions["hittavard_forms"].store.engine.dispose()


# Load: several gunicorn workers, many citizens, every send twice -------------------------------


def prepare(browser: Browser, person: str) -> list[tuple[str, dict[str, str]]]:
    """Log in, approve and answer each load e-service; return (send URL, send form) per draft."""
    response = browser.submit(f"{BASE}/logga-in/", {"personnummer": person})
    assert response.status == 303, response.status
    drafts = []
    for clinic, eservice, field in LOAD_ESERVICES:
        url = f"{BASE}/{clinic}/{eservice}/"
        assert browser.submit(url, {"approve": "yes"}).status == 303
        assert browser.submit(f"{url}sida/1/", {field: f"Fråga från {person[-4:]}"}).status == 303
        check = browser.get(f"{url}kontrollera/")
        assert check.status == 200
        drafts.append((f"{url}skicka/", send_form(check.text)))
    return drafts


def run_load(base: str, people: list[str]) -> dict[str, Any]:
    """Prepare every draft, then POST every send twice at once from a pool of threads."""
    browsers = {person: Browser(base) for person in people}
    jobs: queue.Queue[Callable[[], None]] = queue.Queue()
    errors: list[str] = []
    drafts: list[tuple[Browser, str, dict[str, str]]] = []
    lock = threading.Lock()

    def worker() -> None:
        while True:  # until every job is done: none is dropped
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                return
            try:
                job()
            except BaseException as error:
                with lock:
                    errors.append(repr(error))

    def run_all() -> None:
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(LOAD_THREADS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + HANG_SECONDS
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in threads), "the load hung"

    def prepare_job(person: str) -> Callable[[], None]:
        def job() -> None:
            made = prepare(browsers[person], person)
            with lock:
                drafts.extend((browsers[person], url, form) for url, form in made)

        return job

    started = time.monotonic()
    for person in people:
        jobs.put(prepare_job(person))
    run_all()
    prepared = time.monotonic()

    # Every draft's sends go out back to back, so that its double submit reaches two workers at
    # (nearly) the same moment; drafts in random order, so the workers see sends of everyone mixed.
    random.Random(6).shuffle(drafts)
    outcomes: dict[str, list[str]] = {}

    def send_job(browser: Browser, url: str, form: dict[str, str]) -> Callable[[], None]:
        def job() -> None:
            response = Browser(browser.base, cookie=browser.cookie).post(url, form)
            with lock:
                outcomes.setdefault(form["draft"], []).append(f"{response.status} {response.location}")

        return job

    for browser, url, form in drafts:
        for _ in range(LOAD_SUBMITS_PER_DRAFT):
            jobs.put(send_job(browser, url, form))
    run_all()
    finished = time.monotonic()
    return {
        "errors": errors,
        "drafts": len(drafts),
        "outcomes": outcomes,
        "sends": sum(len(v) for v in outcomes.values()),
        "requests": sum(b.requests for b in browsers.values()) + sum(len(v) for v in outcomes.values()),
        "prepare_seconds": prepared - started,
        "send_seconds": finished - prepared,
        "seconds": finished - started,
    }


@pytest.fixture
def load_env(content_dir: Path, tmp_path: Path) -> dict[str, str]:
    return {
        "FORMS_CONTENT_DIR": str(content_dir),
        "FORMS_DEMO_DATA": str(demo_file(tmp_path / "people.yaml", made_up_people(LOAD_PEOPLE))),
        "FORMS_TEST_LOGIN": "1",
        "FORMS_SECRET_KEY": "load-test-key-shared-by-the-workers",
        # Every simulated citizen logs in from 127.0.0.1: one address, far more logins than one
        # person's. (The limiter stays on, counting in the same database under load.)
        "FORMS_RATELIMIT_LOGIN": "1000 per minute",
    }


def stored_cases(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(Case.idempotency_key, Case.reference))]


def test_load_several_workers_many_double_submitted_sends_store_exactly_one_row_each(
    database_url: str, load_env: dict[str, str], tmp_path: Path
) -> None:
    make_engine(database_url).dispose()  # migrated once up front, as `python -m forms.store upgrade` would
    env = {**load_env, "FORMS_DATABASE_URL": database_url}
    people = made_up_people(LOAD_PEOPLE)
    with gunicorn(env, workers=LOAD_WORKERS, log=tmp_path / "gunicorn.log") as server:
        figures = run_load(server.base, people)
    assert figures["errors"] == [], figures["errors"][:5]
    expected_drafts = LOAD_PEOPLE * len(LOAD_ESERVICES)
    assert figures["drafts"] == expected_drafts
    assert figures["sends"] == expected_drafts * LOAD_SUBMITS_PER_DRAFT
    for key, answers in figures["outcomes"].items():
        assert len(set(answers)) == 1 and answers[0].startswith("303 "), (key, answers)
    engine = make_engine(database_url)
    try:
        rows = stored_cases(engine)
        by_key = {key: reference for key, reference in rows}
        assert len(rows) == expected_drafts  # exactly one row per send
        assert set(by_key) == set(figures["outcomes"])
        for key, answers in figures["outcomes"].items():
            assert reference_in(answers[0].split(" ", 1)[1]) == by_key[key]  # the receipt shows the stored case
        with engine.connect() as connection:
            drafts = connection.execute(select(Draft.status, func.count()).group_by(Draft.status)).all()
        assert dict(drafts) == {"sent": expected_drafts}
    finally:
        engine.dispose()
    print(
        f"\nload ({database_url.split(':', 1)[0]}): {LOAD_WORKERS} gunicorn workers, {LOAD_THREADS} client threads, "
        f"{LOAD_PEOPLE} citizens, {figures['drafts']} drafts, {figures['sends']} sends "
        f"({LOAD_SUBMITS_PER_DRAFT} per draft at once), {figures['requests']} requests; {len(rows)} case rows stored"
    )


# Killed right after answering ------------------------------------------------------------------


def test_a_send_is_committed_before_its_receipt_so_a_sigkill_right_after_keeps_it(
    database_url: str, load_env: dict[str, str], tmp_path: Path
) -> None:
    """What this proves: the commit comes before the receipt. Not that it reached the disk: the
    operating system keeps a killed process's unsynced writes (even with SQLite's synchronous=OFF),
    and the test PostgreSQL runs with fsync=off. The fsync is proven in
    tests/forms/test_synced_before_receipt.py."""
    env = {**load_env, "FORMS_DATABASE_URL": database_url}
    person = made_up_people(1)[0]
    with gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as server:
        browser = Browser(server.base)
        (url, form), _ = prepare(browser, person)
        sent = browser.post(url, form)
        server.kill()  # at once: no graceful shutdown, no chance to flush anything
    assert sent.status == 303
    reference = reference_in(sent.location)
    if database_url.startswith("sqlite"):
        # Reopened as a fresh process would: the plain sqlite3 module, no engine, no pool.
        path = database_url.removeprefix("sqlite:///")
        connection = sqlite3.connect(path)
        try:
            row = connection.execute("SELECT reference, answers FROM cases WHERE reference = ?", (reference,)).fetchone()
        finally:
            connection.close()
    else:
        engine = make_engine(database_url, migrate=False)
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT reference, answers FROM cases WHERE reference = :r"), {"r": reference}
            ).fetchone()
        engine.dispose()
    assert row is not None, f"case {reference} was answered but is not in the database"
    assert person[-4:] in str(row[1])
