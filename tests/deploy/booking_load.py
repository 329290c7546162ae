"""Citizens racing to book the same few times through nginx, for tests/deploy/test_multinode.py.

The demo tidbok of forms/identity/demo_data.yaml (Asviks vårdcentral's Läkarbesök, every weekday
08:00-11:00, 20 minutes) with the app's clock standing at FORMS_NOW, so the raced times are known
to be free: the demo's own bookings are on the days after NOW and after NOW + 5 days. Every booker
walks to "Kontrollera din bokning" first, then all press "Boka tiden" at once, when the node is
about to be killed: per time one wins and sees "Din tid är bokad", the others get the contract's
error, and a confirmation cut off by the kill (502 or a dropped connection) is sent again.
"""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.forms.gunicorn_run import Browser, Response, hidden_fields

ROOT = Path(__file__).resolve().parents[2]
FORMS_NOW = "2026-12-01T08:00:00+01:00"  # a Tuesday; the demo's relative bookings fall on 2 and 7 December
CLINIC = "asviks-vardcentral"
BOKA = f"/e-tjanster/{CLINIC}/tidbok/boka/"
DAY = "2026-12-03"
TIMES = [f"{DAY}T08:00:00+01:00", f"{DAY}T08:20:00+01:00", f"{DAY}T08:40:00+01:00"]
BOOKED = "Din tid är bokad"
TAKEN = "Tiden hann bokas av någon annan. Välj en annan tid."
DRAFT = re.compile(r'name="draft" value="([^"]+)"')


def demo_with_people(path: Path, people: list[str]) -> Path:
    """The shipped demo file (its tidbok included) with the test's made-up people added."""
    data = yaml.safe_load((ROOT / "forms/identity/demo_data.yaml").read_text(encoding="utf-8"))
    data["people"] += [{"personnummer": p, "name": f"Testperson {i}"} for i, p in enumerate(people)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def utc_naive(local: str) -> datetime.datetime:
    """A local time as the store keeps it: UTC without a zone."""
    return datetime.datetime.fromisoformat(local).astimezone(datetime.UTC).replace(tzinfo=None)


@dataclass
class Races:
    """What the bookers saw: (person, time) confirmed and lost, and what went wrong."""

    confirmed: list[tuple[str, str]] = field(default_factory=list)
    lost: list[tuple[str, str]] = field(default_factory=list)
    cut_off: list[tuple[str, str]] = field(default_factory=list)  # lost on the dying node; the answer died with it
    errors: list[str] = field(default_factory=list)
    resent: int = 0  # confirmations sent again after the dying node cut them off
    lock: threading.Lock = field(default_factory=threading.Lock)


Step = Callable[[Callable[[], Response]], Response]


def to_check(browser: Browser, step: Step, start: str) -> dict[str, str]:
    """Villkor, type, time and reason through nginx; the "Boka tiden" form of the check page."""
    for path, form in (
        (BOKA, {"approve": "yes"}),
        (f"{BOKA}typ/", {"typ": "lakarbesok"}),
        (f"{BOKA}tid/?dag={DAY}", {"tid": start}),
        (f"{BOKA}orsak/", {"orsak": "Ont i halsen"}),
    ):
        answer = step(lambda p=path, f=form: browser.submit(p, f))
        assert answer.status == 303, (path, answer.status)
    page = step(lambda: browser.get(f"{BOKA}kontrollera/"))
    assert page.status == 200 and "Boka tiden" in page.text, page.status
    assert DRAFT.search(page.text), "no draft key on the check page"
    return hidden_fields(page.text)  # the token, the draft and what the page showed (`visad`)


def booker(browser: Browser, step: Step, person: str, start: str, go: threading.Barrier, races: Races) -> None:
    """One citizen: to the check page, wait for everyone, press "Boka tiden", read the answer."""
    try:
        form = to_check(browser, step, start)
        go.wait(timeout=90)
        sent: list[Response | None] = []

        def confirm() -> Response:
            sent.append(None)
            return browser.post(f"{BOKA}kontrollera/", form)

        answer = step(confirm)
        with races.lock:
            races.resent += len(sent) - 1
        if answer.status == 303 and "/tidbok/kvitto/" in answer.location:
            receipt = step(lambda: browser.get(answer.location))
            assert receipt.status == 200 and BOOKED in receipt.text, receipt.status
            with races.lock:
                races.confirmed.append((person, start))
        elif len(sent) > 1 and answer.status == 303 and answer.location.endswith(f"{BOKA}tid/"):
            # The first "Boka tiden" lost the race on the node that was killed before it could answer;
            # the loss cleared the draft's time, so the one sent again goes back to choosing a time.
            with races.lock:
                races.cut_off.append((person, start))
        else:
            assert answer.status == 200 and TAKEN in answer.text, (answer.status, answer.location)
            with races.lock:
                races.lost.append((person, start))
    except (AssertionError, threading.BrokenBarrierError) as error:
        go.abort()  # the others and the test stop waiting for this booker
        with races.lock:
            races.errors.append(f"{person} at {start}: {error!r}")


def stored_bookings(url: str) -> list[tuple[str, datetime.datetime, str]]:
    """Every active booking of the demo clinic: (subject, start in UTC, request key)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as connection:
        rows = connection.execute(
            "SELECT subject, start, request_key FROM tidbok_bookings WHERE clinic = %s AND status = 'active'", (CLINIC,)
        ).fetchall()
    return [(subject, start, key) for subject, start, key in rows]
