"""An IdP's LogoutRequest finds its session by an indexed column, on SQLite and PostgreSQL alike.

The session's SAML key (forms.identity.saml.slo.saml_key) is kept in `web_sessions.saml_key`
beside the JSON, so single logout is one index lookup rather than a scan of every session's
data; sessions from before migration 0014 get the column filled from their JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from forms.store.cases import SESSIONS_NAMED
from forms.store.engine import is_sqlite, make_engine, upgrade
from tests.forms.saml_support import SamlWorld
from tests.forms.test_saml_logout import idp_logout_request, log_in, logged_in, signed_by_idp


def test_an_idp_logout_request_ends_the_right_session_by_its_key(database_url: str, make_app: Any,
                                                                  saml_world: SamlWorld, staff_demo_file: Path) -> None:
    config = {"FORMS_TEST_LOGIN": "", "FORMS_DEMO_DATA": str(staff_demo_file), "FORMS_DATABASE_URL": database_url,
              **saml_world.config}
    one, other = make_app(**config), make_app(**config)  # two nodes on the one database
    client, bystander = one.test_client(), one.test_client()
    saml = log_in(client, saml_world)
    log_in(bystander, saml_world)
    answer = other.test_client().get(signed_by_idp(saml_world, idp_logout_request(saml_world, saml)))
    assert answer.status_code == 303, answer.status_code
    assert not logged_in(client)
    assert logged_in(bystander)


def test_the_lookup_of_a_named_session_uses_its_index(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            compiled = SESSIONS_NAMED.compile(dialect=engine.dialect)
            sql = str(compiled).replace("?", "'k'") if is_sqlite(engine) else str(compiled) % {"saml_key": "'k'"}
            if is_sqlite(engine):
                plan = " ".join(str(row[-1]) for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql)))
            else:  # a table this small is scanned anyway unless told not to: can the index serve it at all?
                connection.execute(text("SET enable_seqscan = off"))
                plan = " ".join(str(row[0]) for row in connection.execute(text("EXPLAIN " + sql)))
        assert "ix_web_sessions_saml_key" in plan, plan
    finally:
        engine.dispose()


def test_a_session_from_before_0014_gets_its_key_in_the_column(database_url: str) -> None:
    engine = make_engine(database_url, migrate=False)
    try:
        upgrade(engine, "0013")
        with engine.begin() as connection:
            for token, data in (("a" * 64, '{"saml_key": "' + "f" * 64 + '"}'), ("b" * 64, '{"actor": "x"}')):
                connection.execute(
                    text("INSERT INTO web_sessions (token_hash, data, created_at, seen_at) "
                         "VALUES (:t, :d, '2026-12-01 07:00:00', '2026-12-01 07:00:00')"), {"t": token, "d": data},
                )
        upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT token_hash, saml_key FROM web_sessions ORDER BY token_hash")).all()
        assert [tuple(row) for row in rows] == [("a" * 64, "f" * 64), ("b" * 64, None)]
    finally:
        engine.dispose()
