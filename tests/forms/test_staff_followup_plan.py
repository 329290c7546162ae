"""The uppföljning's queries are answered from their indexes alone, never from the tables.

At 1,000,000 cases what made the page slow was fetching a mottagning's cases one table page each
(docs/performance.md); the covering indexes of migration 0015 hold every column the four queries
read. A column added to a query and not to its index would bring the table reads back without
any figure changing, so the plans are asserted here, on SQLite and on PostgreSQL.

PostgreSQL picks a plan by cost: the tables get the figures test's rows and are vacuumed and
analysed (as autovacuum keeps a running store), and, as on a few hundred rows a sequential scan is
cheapest, sequential and bitmap scans are turned off for the session: what is left to choose
between is an index scan (reads the table) and an index-only scan (does not), which is asserted.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from forms.staff import followup
from forms.staff.followup import Period
from forms.store.engine import make_engine
from tests.forms.test_staff_followup_figures import random_rows

PERIOD = Period(datetime.date(2026, 3, 16), datetime.date(2026, 6, 1))
NOW = datetime.datetime(2026, 6, 3, 12, 0, tzinfo=datetime.UTC)
INDEXES = ("ix_cases_followup", "ix_tidbok_bookings_followup_created", "ix_tidbok_bookings_followup_updated",
           "ix_tidbok_bookings_followup_updated")  # of followup.statements' four queries, in order


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    if made.dialect.name == "postgresql":  # SQLite's plan does not depend on the rows
        random_rows(made)
        with made.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    yield made
    made.dispose()


def query_plan(engine: Engine, query: object) -> str:
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))  # type: ignore[attr-defined]
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return "\n".join(row[-1] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql)))
        connection.execute(text("SET enable_seqscan = off"))
        connection.execute(text("SET enable_bitmapscan = off"))
        return "\n".join(row[0] for row in connection.execute(text("EXPLAIN " + sql)))


def test_each_uppfoljning_query_reads_only_its_covering_index(engine: Engine) -> None:
    values = followup.parameters("vc-ett", PERIOD, NOW)
    queries = followup.statements(len(PERIOD.mondays))
    plans = [query_plan(engine, query.params(**values)) for query in queries]

    wanted = "USING COVERING INDEX {}" if engine.dialect.name == "sqlite" else "Index Only Scan using {}"
    for index, plan in zip(INDEXES, plans, strict=True):
        assert wanted.format(index) in plan, plan
