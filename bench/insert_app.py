"""A bare Flask route that commits one insert: the ceiling the staff pages are measured against.

The staff pages write an access-log row per request, so their fair comparison is not a route that
does nothing but one that also commits one row to the same database (FORMS_DATABASE_URL).
The table is made by the benchmark before gunicorn starts (`make_table`): four workers each
creating it at import raced, and the loser's failed boot took the whole server down.
"""

from __future__ import annotations

import datetime
import os

from flask import Flask
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, create_engine, insert

hits = Table(
    "bench_hits", MetaData(), Column("id", Integer, primary_key=True), Column("at", DateTime), Column("who", String(40))
)


def engine_for(url: str) -> Engine:
    return create_engine(
        url, pool_size=8, **({"connect_args": {"check_same_thread": False}} if url.startswith("sqlite") else {})
    )


def make_table(url: str) -> None:
    engine = engine_for(url)
    hits.create(engine, checkfirst=True)
    engine.dispose()


engine = engine_for(os.environ["FORMS_DATABASE_URL"]) if "FORMS_DATABASE_URL" in os.environ else None
app = Flask(__name__)


@app.get("/")
def hit() -> str:
    assert engine is not None, "FORMS_DATABASE_URL"
    with engine.begin() as connection:
        connection.execute(insert(hits).values(at=datetime.datetime.now(datetime.UTC), who="bench"))
    return "Hej"
