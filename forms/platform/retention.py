"""Retention: what the case store keeps, and for how long (`python -m forms.platform.retention purge`).

Health data must not be kept longer than needed (GDPR art. 5.1 e), and a store that only grows
is a growing risk. The purge deletes, in one transaction:

- sent cases older than FORMS_RETENTION_CASE_DAYS (by sending time), with their drafts;
- drafts never sent and unchanged for FORMS_RETENTION_DRAFT_DAYS;
- server-side sessions that have expired: unused for longer than the idle timeout
  (FORMS_SESSION_IDLE_MINUTES, plus a margin because the last request is recorded at most once a
  minute) or older than the absolute timeout (FORMS_SESSION_MAX_HOURS);
- rate-limit counters whose window has ended.

Run it daily from cron or a systemd timer with the app's environment; `--dry-run` reports what it
would delete and deletes nothing. Times are compared in UTC, as the store keeps them.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, exists, or_, select

from forms.platform.settings import Settings, SettingsError, env_positive_int
from forms.store.db import Case, Draft, RateLimitCounter, WebSession
from forms.store.engine import default_database_url, make_engine, writing

CASE_DAYS = 730  # two years; set FORMS_RETENTION_CASE_DAYS to what the region's retention plan says
DRAFT_DAYS = 30
SESSION_MARGIN = datetime.timedelta(minutes=5)  # the idle clock is written at most once a minute


class _Rollback(Exception):
    """Raised inside the purge's transaction to undo it: the dry run counts, then rolls back."""


@dataclass(frozen=True)
class RetentionPolicy:
    case_days: int = CASE_DAYS
    draft_days: int = DRAFT_DAYS
    session_idle_minutes: int = Settings.session_idle_minutes
    session_max_hours: int = Settings.session_max_hours

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> RetentionPolicy:
        """The policy from FORMS_RETENTION_* and the session timeouts the app itself uses."""
        environ = os.environ if environ is None else environ
        return cls(
            case_days=env_positive_int(environ, "RETENTION_CASE_DAYS", CASE_DAYS),
            draft_days=env_positive_int(environ, "RETENTION_DRAFT_DAYS", DRAFT_DAYS),
            session_idle_minutes=env_positive_int(environ, "SESSION_IDLE_MINUTES", Settings.session_idle_minutes),
            session_max_hours=env_positive_int(environ, "SESSION_MAX_HOURS", Settings.session_max_hours),
        )


@dataclass(frozen=True)
class Purged:
    """How many rows of each kind a purge deleted (or, in a dry run, would delete)."""

    cases: int
    drafts: int
    sessions: int
    rate_limits: int


def purge(engine: Engine, policy: RetentionPolicy, now: datetime.datetime, dry_run: bool = False) -> Purged:
    """Delete what `policy` no longer keeps at time `now` (aware), in one transaction."""
    utc = now.astimezone(datetime.UTC).replace(tzinfo=None)  # the store's times are naive UTC
    case_cutoff = utc - datetime.timedelta(days=policy.case_days)
    draft_cutoff = utc - datetime.timedelta(days=policy.draft_days)
    idle_cutoff = utc - datetime.timedelta(minutes=policy.session_idle_minutes) - SESSION_MARGIN
    absolute_cutoff = utc - datetime.timedelta(hours=policy.session_max_hours)
    result = Purged(0, 0, 0, 0)
    try:
        with writing(engine).begin() as connection:
            cases = connection.execute(delete(Case).where(Case.sent_at < case_cutoff)).rowcount
            # A sent draft holds no answers, only the key that sends a repeated POST to its receipt:
            # it goes with its case. Open drafts go when nobody has touched them for the period.
            has_case = exists(select(Case.id).where(Case.draft_id == Draft.id))
            drafts = connection.execute(
                delete(Draft).where(
                    or_(
                        (Draft.status == "sent") & ~has_case,
                        (Draft.status == "open") & (Draft.updated_at < draft_cutoff),
                    )
                )
            ).rowcount
            sessions = connection.execute(
                delete(WebSession).where(
                    or_(WebSession.seen_at < idle_cutoff, WebSession.created_at < absolute_cutoff)
                )
            ).rowcount
            counters = connection.execute(
                delete(RateLimitCounter).where(RateLimitCounter.expires_at < now.timestamp())
            ).rowcount
            result = Purged(cases, drafts, sessions, counters)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result


def main(argv: Sequence[str] | None = None, clock: Callable[[], datetime.datetime] | None = None) -> int:
    """`python -m forms.platform.retention purge [--dry-run] [--url URL]`."""
    parser = argparse.ArgumentParser(prog="python -m forms.platform.retention", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: FORMS_DATABASE_URL, else the instance SQLite file)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("purge", help="delete what is older than the retention periods")
    run.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    args = parser.parse_args(argv)
    try:
        policy = RetentionPolicy.from_environ()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    now = (clock or (lambda: datetime.datetime.now(datetime.UTC)))()
    engine = make_engine(args.url or default_database_url())
    try:
        purged = purge(engine, policy, now, dry_run=args.dry_run)
    finally:
        engine.dispose()
    verb = "Skulle ta bort" if args.dry_run else "Tog bort"
    print(
        f"{verb} {purged.cases} skickade ärenden (äldre än {policy.case_days} dagar), "
        f"{purged.drafts} utkast, {purged.sessions} utgångna sessioner och "
        f"{purged.rate_limits} gamla räknare för begränsningar."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
