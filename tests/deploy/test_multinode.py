"""Two app nodes behind nginx, one PostgreSQL, one Redis: a node SIGKILLed under load loses nothing.

The deployment of deploy/ and docs/operators.md, run for real on 127.0.0.1: nginx from
deploy/nginx.conf as shipped (the built site, `/e-tjanster/` and `/sok/` to both nodes), two gunicorn
nodes of `forms:create_app()` sharing FORMS_SECRET_KEY, PostgreSQL (sessions, drafts, cases; the
migrations run once before the nodes start, as the upgrade path says) and Redis (rate limits).
Citizens send cases through nginx, and others race to book the same three times of the demo
tidbok (tests/deploy/booking_load.py, the clock at FORMS_NOW), while one node is killed with
SIGKILL just as the bookers press "Boka tiden"; then:

- every send that got a receipt is stored exactly once, and every stored case had its receipt;
- no time holds two active bookings; every "Din tid är bokad" a booker saw is exactly one stored
  booking of that citizen at that time, and no booking is stored that no one was told of; every
  other booker got the contract's "Tiden hann bokas av någon annan" (a 502 from the dying node
  is sent again; a lost race whose answer died with the node comes back to choosing a time);
- the send limit held across both nodes (counted in Redis, not in each node's memory);
- citizens whose session and draft were made on the killed node carried on through the other
  one: still logged in, their answers still there, their case sent.

Bounded: 16 citizens × 2 sends and 9 bookers × 1 confirmation, every client loop counted, every server stopped at the end
(under half a minute on two busy cores).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sitegen.build.run import build_site
from tests.deploy import booking_load
from tests.deploy.booking_load import Races
from tests.forms.gunicorn_run import Browser, Response, gunicorn, made_up_people, reference_in, send_form
from tests.support import cluster, postgres

pytestmark = pytest.mark.multinode

ROOT = Path(__file__).resolve().parents[2]
ESERVICE = "/e-tjanster/storgardens-vardcentral/skicka-meddelande/"
CITIZENS = 16
SENDS_EACH = 2
CARRY_ON = 4  # citizens whose session and draft are made on the node that is killed
SEND_LIMIT = 5  # per person and minute: above what a load citizen sends, retries included
BOOKERS = 3 * len(booking_load.TIMES)  # three citizens race for each time
RETRIES = 8  # a citizen tries a step again after a 502 or a dropped connection, at most this often


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    given = os.environ.get(postgres.ENV)
    if given:
        with postgres.fresh_database(given) as url:
            yield url
        return
    if postgres.binaries() is None:
        pytest.fail("PostgreSQL is not installed: scripts/test.sh installs Debian's postgresql")
    with postgres.server() as server, postgres.fresh_database(server) as url:
        yield url


@dataclass
class Outcome:
    receipts: list[str] = field(default_factory=list)
    retried: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def step(outcome: Outcome, action: Callable[[], Response]) -> Response:
    """One page or form post, tried again while a node dies under it (502, or a dropped connection)."""
    for _ in range(RETRIES):
        try:
            response = action()
        except (OSError, http.client.HTTPException):
            response = None
        if response is not None and response.status not in {502, 503, 504}:
            return response
        with outcome.lock:
            outcome.retried += 1
        time.sleep(0.2)
    raise AssertionError("a step failed on both nodes")


def log_in(browser: Browser, outcome: Outcome, person: str) -> None:
    response = step(outcome, lambda: browser.submit("/e-tjanster/logga-in/", {"personnummer": person}))
    assert response.status == 303, response.status


def draft_to_check(browser: Browser, outcome: Outcome, message: str) -> str:
    """Villkor approved and page 1 answered; returns the check page's address."""
    approved = step(outcome, lambda: browser.submit(ESERVICE, {"approve": "yes"}))
    assert approved.status == 303, approved.status
    answered = step(
        outcome, lambda: browser.submit(approved.location, {"subject": "En fråga om min vård", "message": message})
    )
    assert answered.status == 303, answered.status
    return answered.location


def send(browser: Browser, outcome: Outcome, check: str) -> str:
    page = step(outcome, lambda: browser.get(check))
    assert page.status == 200, page.status
    form = send_form(page.text)
    sent = step(outcome, lambda: browser.post(f"{ESERVICE}skicka/", form))
    assert sent.status == 303, sent.status
    return reference_in(sent.location)


def citizen(base: str, person: str, outcome: Outcome) -> None:
    browser = Browser(base)
    try:
        log_in(browser, outcome, person)
        for number in range(SENDS_EACH):
            check = draft_to_check(browser, outcome, f"Ärende {number} från {person}")
            reference = send(browser, outcome, check)
            with outcome.lock:
                outcome.receipts.append(reference)
    except AssertionError as error:
        with outcome.lock:
            outcome.errors.append(f"{person}: {error}")
    finally:
        with outcome.lock:
            outcome.requests += browser.requests


def book_one(base: str, person: str, start: str, go: threading.Barrier, races: Races, outcome: Outcome) -> None:
    """A booker through nginx: logged in, then booking_load's race for `start`."""
    browser = Browser(base)
    try:
        log_in(browser, outcome, person)
        booking_load.booker(browser, lambda action: step(outcome, action), person, start, go, races)
    except AssertionError as error:
        go.abort()
        with races.lock:
            races.errors.append(f"{person}: {error}")
    finally:
        with outcome.lock:
            outcome.requests += browser.requests


def stored_cases(url: str, people: list[str]) -> list[tuple[str, str]]:
    """The cases this test's people sent (the app may seed demo cases of its own demo people)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as connection:
        rows = connection.execute("SELECT reference, idempotency_key, actor FROM cases").fetchall()
    return [(reference, key) for reference, key, actor in rows if actor in people]


def test_a_node_killed_under_load_loses_no_send_and_its_citizens_carry_on(
    postgres_url: str, tmp_path: Path
) -> None:
    built = tmp_path / "build"
    build_site(ROOT / "content", built)
    people = made_up_people(CITIZENS + CARRY_ON + 1 + BOOKERS)
    load_people, carry_people = people[:CITIZENS], people[CITIZENS : CITIZENS + CARRY_ON]
    limited, bookers = people[CITIZENS + CARRY_ON], people[CITIZENS + CARRY_ON + 1 :]
    # Migrations once, before any node starts (docs/operators.md, "Upgrades").
    subprocess.run(
        [sys.executable, "-m", "forms.store", "--url", postgres_url, "upgrade"], cwd=ROOT, check=True, capture_output=True
    )
    with cluster.redis(tmp_path / "redis") as redis_url:
        env = {
            "FORMS_DATABASE_URL": postgres_url,
            "FORMS_SECRET_KEY": "one-key-for-every-node-" + "k" * 40,
            "FORMS_TEST_LOGIN": "1",
            "FORMS_DEMO_DATA": str(booking_load.demo_with_people(tmp_path / "people.yaml", people)),
            "FORMS_NOW": booking_load.FORMS_NOW,  # the demo tidbok's times stand still
            "FORMS_CONTENT_DIR": str(ROOT / "content"),
            "FORMS_SITE_DIR": str(built),
            "FORMS_RATELIMIT_STORAGE_URL": redis_url,
            "FORMS_RATELIMIT_SEND": f"{SEND_LIMIT} per minute",
            "FORMS_RATELIMIT_LOGIN": "1000 per minute",
            "FORMS_TRUSTED_PROXIES": "1",
        }
        with (
            gunicorn(env, workers=1, log=tmp_path / "node-a.log", threads=4) as node_a,
            gunicorn(env, workers=1, log=tmp_path / "node-b.log", threads=4) as node_b,
        ):
            upstream = " ".join(
                f"server {base.removeprefix('http://')} max_fails=1 fail_timeout=30s;" for base in (node_a.base, node_b.base)
            )
            with cluster.nginx(tmp_path / "nginx", {"SITE_ROOT": str(built), "FORMS_UPSTREAM": upstream}) as front:
                outcome = Outcome()

                # The static site comes from nginx, the app from the nodes, on one origin.
                assert "Hitta vård" in Browser(front).get("/").text
                assert Browser(front).get("/.hittavard/content/manifest.json").status == 404

                # Rate limits are counted in Redis: the same person's sends, alternately on each node,
                # stop at the limit, not at twice the limit.
                checker = Browser(node_a.base)
                log_in(checker, outcome, limited)
                check = draft_to_check(checker, outcome, "Gränsen")
                form = send_form(checker.get(check).text)
                answers = []
                for attempt in range(2 * SEND_LIMIT):
                    checker.base = (node_a if attempt % 2 == 0 else node_b).base
                    answers.append(checker.post(f"{ESERVICE}skicka/", form))
                statuses = [answer.status for answer in answers]
                assert statuses == [303] * SEND_LIMIT + [429] * SEND_LIMIT, statuses
                limited_reference = reference_in(answers[0].location)  # the repeats lead to the same receipt
                assert {reference_in(answer.location) for answer in answers[:SEND_LIMIT]} == {limited_reference}

                # Citizens who log in and write their draft on node A, the node about to be killed.
                carriers = []
                for person in carry_people:
                    browser = Browser(node_a.base)
                    log_in(browser, outcome, person)
                    carriers.append((browser, draft_to_check(browser, outcome, f"Utkast av {person}"), person))

                # The bookers walk to their check pages first, then the senders start.
                races, go = Races(), threading.Barrier(BOOKERS + 1)  # the bookers and this thread
                threads = [
                    threading.Thread(
                        target=book_one, args=(front, person, booking_load.TIMES[i % 3], go, races, outcome), daemon=True
                    )
                    for i, person in enumerate(bookers)
                ]
                for thread in threads:
                    thread.start()
                deadline = time.monotonic() + 60
                while go.n_waiting < BOOKERS and not go.broken and time.monotonic() < deadline:
                    time.sleep(0.05)
                senders = [threading.Thread(target=citizen, args=(front, p, outcome), daemon=True) for p in load_people]
                for thread in senders:
                    thread.start()
                threads += senders
                while len(outcome.receipts) < CITIZENS // 2 and time.monotonic() < deadline:
                    time.sleep(0.05)
                with contextlib.suppress(threading.BrokenBarrierError):  # a booker failed: races.errors says why
                    go.wait(timeout=60)  # every booker is on its check page: all press "Boka tiden" now
                time.sleep(0.02)  # the confirmations are under way on both nodes
                receipts_at_kill = len(outcome.receipts)
                node_a.kill()  # SIGKILL to its master and worker, mid-load
                for thread in threads:
                    thread.join(timeout=120)
                assert not any(thread.is_alive() for thread in threads), "a citizen hung"

                # The killed node's citizens carry on through nginx, on the node that is left.
                for browser, check, person in carriers:
                    browser.base = front
                    page = browser.get(check)
                    assert page.status == 200, f"{person} lost the session: {page.status} {page.location}"
                    assert f"Utkast av {person}" in page.text, f"{person} lost the draft"
                    outcome.receipts.append(send(browser, outcome, check))

    stored = stored_cases(postgres_url, [*load_people, *carry_people, limited])  # a booking's copy is a case too
    bookings = booking_load.stored_bookings(postgres_url)
    references = [reference for reference, _ in stored]
    expected = [*outcome.receipts, limited_reference]
    print(
        f"\nmultinode: {outcome.requests} requests by the load, {len(outcome.receipts)} receipts "
        f"({receipts_at_kill} before the kill), {outcome.retried} steps retried after a 502 or dropped "
        f"connection, {len(stored)} cases stored; {BOOKERS} bookers for {len(booking_load.TIMES)} times: "
        f"{len(races.confirmed)} 'Din tid är bokad', {len(races.lost)} 'Tiden hann bokas', {races.resent} confirmations sent again, "
        f"{len(races.cut_off)} lost on the killed node, "
        f"{len(bookings)} active bookings in the clinic; errors: {outcome.errors + races.errors}"
    )
    assert not outcome.errors
    assert not races.errors
    assert receipts_at_kill < CITIZENS * SENDS_EACH, "the node was killed after the load had ended"
    assert len(outcome.receipts) == CITIZENS * SENDS_EACH + CARRY_ON
    assert len(set(references)) == len(references) == len({key for _, key in stored}), "a send stored twice"
    assert sorted(references) == sorted(expected), "a receipt without its case, or a case without a receipt"

    # Booking: one active booking per time, whatever happened to the node that was killed.
    starts = [start for _, start, _ in bookings]
    assert len(starts) == len(set(starts)), "a time holds two active bookings"
    keys = [key for *_, key in bookings if key is not None]  # the demo's seeded bookings have none
    assert len(set(keys)) == len(keys), "one confirmation booked twice"
    raced = {booking_load.utc_naive(start) for start in booking_load.TIMES}
    ours = sorted((subject, start) for subject, start, _ in bookings if start in raced)
    seen = sorted((person, booking_load.utc_naive(start)) for person, start in races.confirmed)
    assert ours == seen, "a 'Din tid är bokad' without its booking, or a booking no one was told of"
    assert len(races.confirmed) == len(booking_load.TIMES), races.confirmed
    assert len(races.lost) + len(races.cut_off) == BOOKERS - len(booking_load.TIMES), races
    assert len(races.cut_off) <= races.resent, "a booker sent back to choosing a time without a kill"
