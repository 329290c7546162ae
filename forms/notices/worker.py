"""The outbox worker: claims due notices, sends them, marks them sent; retries with back-off.

One round (`run_once`):
1. **Claim** a batch in a short transaction: due, unsent rows whose claim (if any) has lapsed,
   `FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers running at once each take different rows
   and none waits on another. On SQLite the transaction begins IMMEDIATE (forms.store.db), which
   serialises claimers outright. The claim writes `claimed_by`, `claimed_until` (now + lease) and
   counts the attempt, and commits: nobody else takes the row while it is being sent.
2. **Send** outside any transaction, each with a key derived from the notice's id
   (forms.notices.channels).
3. **Mark** it sent (`sent_at`) only if this worker still holds the claim; a failure instead gets
   `next_attempt_at` pushed back (30 s, 1, 2, 4 … minutes, at most an hour) and the claim released.

A worker killed between 2 and 3 leaves a claimed, unsent row; once the lease has lapsed another
worker sends it again with the same key, which the SMS gateway recognises; for e-mail see
forms.notices.channels (the same Message-ID, no SMTP-level guarantee). So a notice is sent at least
once, and the gateway makes that exactly once for SMS.

The address is read when sending: a channel the citizen has since removed is not written to (the
notice is closed with `last_error = "no_address"`). Times come from the given clock (FORMS_NOW
while the test login is on, as in the app).
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from forms.notices.channels import Channel, SendFailed
from forms.notices.contacts import get_contacts
from forms.store.db import Notice
from forms.store.engine import writing

log = logging.getLogger("forms.notices")

LEASE = datetime.timedelta(minutes=5)
FIRST_RETRY = datetime.timedelta(seconds=30)
MAX_RETRY = datetime.timedelta(hours=1)


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failed attempt (1, 2, …)."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY)


def _naive(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    personnummer: str
    text: str
    attempts: int


@dataclass
class Round:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


class Worker:
    def __init__(
        self,
        engine: Engine,
        channels: dict[str, Channel],
        clock: Callable[[], datetime.datetime],
        name: str | None = None,
        batch: int = 20,
        lease: datetime.timedelta = LEASE,
    ) -> None:
        self.engine = engine
        self.channels = channels
        self.clock = clock
        self.name = name or f"{os.uname().nodename}-{os.getpid()}-{secrets.token_hex(3)}"
        self.batch = batch
        self.lease = lease

    def claim(self) -> list[Claimed]:
        """Take up to `batch` due notices on the channels this worker can send."""
        if not self.channels:
            return []
        now = _naive(self.clock())
        with writing(self.engine).begin() as connection:
            rows = connection.execute(
                select(Notice.id, Notice.channel, Notice.personnummer, Notice.text, Notice.attempts)
                .where(
                    Notice.sent_at.is_(None),
                    Notice.next_attempt_at <= now,
                    Notice.channel.in_(sorted(self.channels)),
                    (Notice.claimed_until.is_(None)) | (Notice.claimed_until < now),
                )
                .order_by(Notice.next_attempt_at, Notice.id)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return []
            connection.execute(
                update(Notice)
                .where(Notice.id.in_([row.id for row in rows]))
                .values(claimed_by=self.name, claimed_until=now + self.lease, attempts=Notice.attempts + 1)
            )
        return [Claimed(row.id, row.channel, row.personnummer, row.text, row.attempts + 1) for row in rows]

    def _address(self, notice: Claimed) -> str | None:
        with self.engine.connect() as connection:
            contacts = get_contacts(connection, notice.personnummer)
        if contacts is None:
            return None
        return contacts.email if notice.channel == "email" else contacts.mobile

    def _finish(self, notice_id: int, **values: object) -> bool:
        with writing(self.engine).begin() as connection:
            result = connection.execute(
                update(Notice)
                .where(Notice.id == notice_id, Notice.claimed_by == self.name, Notice.sent_at.is_(None))
                .values(claimed_by=None, claimed_until=None, **values)
            )
            return bool(result.rowcount)

    def deliver(self, notice: Claimed) -> str:
        """Send one claimed notice and record the outcome: "sent", "failed" or "skipped"."""
        address = self._address(notice)
        if address is None:
            self._finish(notice.id, sent_at=_naive(self.clock()), last_error="no_address")
            return "skipped"
        try:
            self.channels[notice.channel].send(notice.id, address, notice.text)
        except SendFailed as failure:
            retry = _naive(self.clock()) + backoff(notice.attempts)
            self._finish(notice.id, next_attempt_at=retry, last_error=failure.code[:200])
            log.warning("notice %s not sent (%s), attempt %s", notice.id, failure.code, notice.attempts)
            return "failed"
        self._finish(notice.id, sent_at=_naive(self.clock()), last_error=None)
        return "sent"

    def run_once(self) -> Round:
        """Send everything due now, batch by batch; failures wait for their back-off."""
        result = Round()
        while True:
            claimed = self.claim()
            if not claimed:
                return result
            for notice in claimed:
                outcome = self._deliver_alone(notice)
                setattr(result, outcome, getattr(result, outcome) + 1)

    def _deliver_alone(self, notice: Claimed) -> str:
        """`deliver`, with any other error kept to this notice: it is retried after its back-off.

        Before, an error that was not SendFailed (a template, an address the library chokes on, the
        database on one row) left the round, and the rest of the batch stayed claimed for the lease.
        Releasing is done only while this worker still holds the claim and the notice is unsent
        (`_finish`), so a notice is still never marked twice; if even that fails, the lease lapses.
        """
        try:
            return self.deliver(notice)
        except Exception as error:
            log.exception("notice %s: %s, attempt %s", notice.id, type(error).__name__, notice.attempts)
            retry = _naive(self.clock()) + backoff(notice.attempts)
            try:
                self._finish(notice.id, next_attempt_at=retry, last_error=f"error_{type(error).__name__}"[:200])
            except Exception:
                log.exception("notice %s: claim kept until the lease lapses", notice.id)
            return "failed"

    def run(self, poll_seconds: float, stop: threading.Event | None = None) -> None:
        """Rounds until `stop` is set (SIGTERM in `python -m forms.notices run`)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                done = self.run_once()
                if done.sent or done.failed:
                    log.info("notices: %s sent, %s failed, %s skipped", done.sent, done.failed, done.skipped)
            except Exception:  # the database away for a moment: try again next round
                log.exception("notice round failed")
            stop.wait(poll_seconds)
