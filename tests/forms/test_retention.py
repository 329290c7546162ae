"""Retention: `python -m forms.platform.retention purge` deletes exactly what is older than the periods.

A fixed clock, rows on either side of every limit, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, func, insert, select

from forms.platform.retention import Purged, RetentionPolicy, main, purge
from forms.store.db import Case, Draft, RateLimitCounter, WebSession
from forms.store.engine import make_engine
from tests.forms.conftest import ADULT, NOW, intyg_to_check, login, reference_of, send_form_data

NAIVE_NOW = NOW.replace(tzinfo=None)
POLICY = RetentionPolicy(case_days=730, draft_days=30, session_idle_minutes=30, session_max_hours=12)


def ago(**delta: float) -> datetime.datetime:
    return NAIVE_NOW - datetime.timedelta(**delta)


def add_draft(connection: Any, key: str, status: str, updated: datetime.datetime) -> int:
    result = connection.execute(
        insert(Draft).values(
            key=key, actor=ADULT, subject=ADULT, clinic="c", eservice="e", status=status, villkor_sha256="v",
            villkor_approved_at=updated, raw={}, created_at=updated, updated_at=updated,
        )
    )
    return int(result.inserted_primary_key[0])


def add_case(connection: Any, key: str, sent: datetime.datetime) -> None:
    draft_id = add_draft(connection, key, "sent", sent)
    connection.execute(
        insert(Case).values(
            reference=f"HV-2024-{key.upper():A<6}"[:14], idempotency_key=key, draft_id=draft_id, actor=ADULT,
            subject=ADULT, clinic="c", clinic_name="C", eservice="e", eservice_name="E", villkor_sha256="v",
            villkor_approved_at=sent, answers={"q": key}, summary=[], sent_at=sent,
        )
    )


def add_session(connection: Any, name: str, created: datetime.datetime, seen: datetime.datetime) -> None:
    connection.execute(insert(WebSession).values(token_hash=name.ljust(64, "0"), data={}, created_at=created, seen_at=seen))


def fill(engine: Engine) -> None:
    with engine.begin() as connection:
        add_case(connection, "old", ago(days=731))  # gone, with its draft
        add_case(connection, "recent", ago(days=729))  # kept
        add_draft(connection, "stale", "open", ago(days=31))  # gone
        add_draft(connection, "fresh", "open", ago(days=29))  # kept
        add_session(connection, "idle", ago(hours=1), ago(minutes=36))  # gone: idle 30 min + 5 margin
        add_session(connection, "active", ago(hours=11), ago(minutes=10))  # kept
        add_session(connection, "tooold", ago(hours=13), ago(minutes=1))  # gone: over 12 h
        connection.execute(insert(RateLimitCounter).values(key="over", count=3, expires_at=NOW.timestamp() - 1))
        connection.execute(insert(RateLimitCounter).values(key="live", count=3, expires_at=NOW.timestamp() + 30))


def left(engine: Engine) -> dict[str, set[str]]:
    with engine.connect() as connection:
        return {
            "cases": set(connection.execute(select(Case.idempotency_key)).scalars()),
            "drafts": set(connection.execute(select(Draft.key)).scalars()),
            "sessions": {h.rstrip("0") for h in connection.execute(select(WebSession.token_hash)).scalars()},
            "rate_limits": set(connection.execute(select(RateLimitCounter.key)).scalars()),
        }


def test_purge_deletes_exactly_what_is_past_each_period(database_url: str) -> None:
    engine = make_engine(database_url)
    fill(engine)
    before = left(engine)
    assert purge(engine, POLICY, NOW, dry_run=True) == Purged(cases=1, drafts=2, sessions=2, rate_limits=1)
    assert left(engine) == before  # a dry run deletes nothing
    assert purge(engine, POLICY, NOW) == Purged(cases=1, drafts=2, sessions=2, rate_limits=1)
    assert left(engine) == {
        "cases": {"recent"},
        "drafts": {"recent", "fresh"},
        "sessions": {"active"},
        "rate_limits": {"live"},
    }
    assert purge(engine, POLICY, NOW) == Purged(0, 0, 0, 0)
    engine.dispose()


def test_a_case_sent_through_the_app_is_purged_after_the_period_and_not_before(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    app = make_app(FORMS_DATABASE_URL=database_url)
    client = app.test_client()
    login(client, ADULT)
    sent = client.post("/e-tjanster/testmottagningen/begar-intyg/skicka/", data=send_form_data(intyg_to_check(client)))
    reference = reference_of(sent.headers["Location"])
    store = app.extensions["hittavard_forms"].store
    engine = store.engine
    assert purge(engine, POLICY, NOW + datetime.timedelta(days=729)).cases == 0
    assert store.case_by_reference(reference) is not None
    assert purge(engine, POLICY, NOW + datetime.timedelta(days=731)).cases == 1
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Case)).scalar() == 0
        assert connection.execute(select(func.count()).select_from(Draft)).scalar() == 0
    engine.dispose()


def test_the_documented_command(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    engine = make_engine(database_url)
    fill(engine)
    monkeypatch.setenv("FORMS_RETENTION_CASE_DAYS", "3650")  # ten years: the old case stays
    monkeypatch.setenv("FORMS_RETENTION_DRAFT_DAYS", "30")
    assert main(["--url", database_url, "purge", "--dry-run"], clock=lambda: NOW) == 0
    assert "Skulle ta bort 0 skickade ärenden (äldre än 3650 dagar), 1 utkast" in capsys.readouterr().out
    assert main(["--url", database_url, "purge"], clock=lambda: NOW) == 0
    assert capsys.readouterr().out.startswith("Tog bort 0 skickade ärenden")
    assert left(engine)["cases"] == {"old", "recent"}
    monkeypatch.setenv("FORMS_RETENTION_CASE_DAYS", "0")
    assert main(["--url", database_url, "purge"], clock=lambda: NOW) == 2
    assert "FORMS_RETENTION_CASE_DAYS ska vara större än noll" in capsys.readouterr().err
    engine.dispose()


def test_the_policy_follows_the_apps_session_settings() -> None:
    policy = RetentionPolicy.from_environ({"FORMS_SESSION_IDLE_MINUTES": "15", "FORMS_SESSION_MAX_HOURS": "8"})
    assert (policy.session_idle_minutes, policy.session_max_hours) == (15, 8)
    assert RetentionPolicy.from_environ({}) == RetentionPolicy()
