"""The store's plain read path (forms.store.plain) reads what SQLAlchemy's own read would, on SQLite
and on PostgreSQL: the session, the draft and the inbox's cases, with their times and JSON as
Python values, and a statement's fixed values (an open draft, not a sent one) kept."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import bindparam, insert, select

from forms.store import plain
from forms.store.cases import Owner, Store
from forms.store.db import Case, Draft, WebSession
from forms.store.engine import make_engine

OWNER = Owner(actor="191212121212", subject="191212121212")
AT = datetime.datetime(2026, 12, 7, 6, 30, 15, 123456)


def _fill(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.execute(insert(WebSession).values(token_hash="t" * 64, data={"who": "Tolvan", "n": [1, 2]}))
        for number, status in ((1, "sent"), (2, "open"), (3, "sent")):
            connection.execute(
                insert(Draft).values(
                    id=number, key=f"key-{number}", actor=OWNER.actor, subject=OWNER.subject, clinic="c",
                    eservice="e", status=status, villkor_sha256="s", villkor_approved_at=AT,
                    raw={"0": {"text": "Hej å ä ö"}}, updated_at=AT + datetime.timedelta(minutes=number),
                )
            )
        for number in (1, 3):
            connection.execute(
                insert(Case).values(
                    id=number, reference=f"HV-2026-AAAA{number}", idempotency_key=f"key-{number}", draft_id=number,
                    actor=OWNER.actor, subject=OWNER.subject, clinic="c", clinic_name="Mottagningen",
                    eservice="e", eservice_name="Fråga", villkor_sha256="s", villkor_approved_at=AT,
                    answers={"q": "svar"}, summary=[{"label": "Fråga"}], sent_at=AT + datetime.timedelta(days=number),
                )
            )


def test_the_plain_reads_give_what_sqlalchemy_reads(database_url: str) -> None:
    store = Store(make_engine(database_url))
    _fill(store)
    assert store.load_session("t" * 64) == {"who": "Tolvan", "n": [1, 2]}
    assert store.load_session("x" * 64) is None
    draft = store.open_draft(OWNER, "c", "e")
    assert draft is not None and draft.id == 2  # the open one, though sent drafts are newer
    assert draft.villkor_approved_at == AT and draft.raw == {"0": {"text": "Hej å ä ö"}}
    sent = store.latest_sent_draft(OWNER, "c", "e")
    assert sent is not None and sent.id == 3
    cases = store.cases_about(OWNER.subject)
    with store.engine.connect() as connection:
        expected = connection.execute(select(Case).order_by(Case.sent_at.desc())).mappings().all()
    assert [dict(vars(case), _sa_instance_state=None) for case in cases] == [
        dict(row, _sa_instance_state=None) for row in expected
    ]
    assert isinstance(cases[0].sent_at, datetime.datetime) and cases[0].answers == {"q": "svar"}


def test_a_statement_with_an_in_list_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    with pytest.raises(ValueError, match="IN"):
        plain.rows(engine, select(Case.id).where(Case.id.in_(bindparam("ids", expanding=True))), {"ids": [1]})


def test_a_time_given_to_a_plain_read_is_compared_as_the_store_keeps_it(database_url: str) -> None:
    """The bound time goes through the column type's conversion: SQLite's stored text compares on it."""
    engine = make_engine(database_url)
    whole_second = datetime.datetime(2026, 12, 7, 6, 30, 15)
    with engine.begin() as connection:
        connection.execute(insert(WebSession).values(token_hash="s" * 64, data={}, seen_at=whole_second))
    until = select(WebSession.token_hash).where(WebSession.seen_at <= bindparam("at"))
    assert plain.rows(engine, until, {"at": whole_second}) == [("s" * 64,)]
    assert plain.rows(engine, until, {"at": whole_second - datetime.timedelta(microseconds=1)}) == []


def test_the_write_engine_is_made_once_per_engine_and_still_writes_immediately(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every write and every staff page asks for it: one option engine per engine, not per call."""
    from sqlalchemy import event

    from forms.store.engine import writing

    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    assert writing(engine) is writing(engine)
    begun: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cu, sql, *_a: begun.append(sql))
    with writing(engine).begin() as connection:
        connection.execute(insert(WebSession).values(token_hash="w" * 64, data={}))
    assert "BEGIN IMMEDIATE" in begun


def test_statements_built_per_call_never_grow_the_compiled_cache_past_its_bound(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A statement made anew on every request (a caller's mistake) costs compiling, not the worker's memory."""
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    for number in range(plain.COMPILED_MAX + 50):
        assert plain.rows(engine, select(Case.id).where(Case.id == number)) == []
    assert len(plain._COMPILED) <= plain.COMPILED_MAX
    assert plain.first(engine, select(Case.id).where(Case.id == 1)) is None  # and it still reads
