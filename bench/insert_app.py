"""A bare Flask route that commits one insert: the ceiling the staff pages are measured against.

The staff pages write an access-log row per request, so their fair comparison is not a route that
does nothing but one that also commits one row to the same database (FORMS_DATABASE_URL).
"""

from __future__ import annotations

import datetime
import os

from flask import Flask
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, insert

url = os.environ["FORMS_DATABASE_URL"]
engine = create_engine(
    url, pool_size=8, **({"connect_args": {"check_same_thread": False}} if url.startswith("sqlite") else {})
)
hits = Table(
    "bench_hits", MetaData(), Column("id", Integer, primary_key=True), Column("at", DateTime), Column("who", String(40))
)
hits.create(engine, checkfirst=True)
app = Flask(__name__)


@app.get("/")
def hit() -> str:
    with engine.begin() as connection:
        connection.execute(insert(hits).values(at=datetime.datetime.now(datetime.UTC), who="bench"))
    return "Hej"
