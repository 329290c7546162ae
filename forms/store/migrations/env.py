"""Alembic's entry point: always run by forms.store.db with an open connection, inside its transaction.

forms.store.db takes the migration lock and begins the transaction; Alembic sees a transaction already
begun and neither opens nor commits one of its own, so the whole upgrade is one transaction (on
SQLite and PostgreSQL both, DDL included) that either happens entirely or not at all.
"""

from __future__ import annotations

from alembic import context

from forms.store.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations with `python -m forms.store upgrade`, which opens the database and its lock.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
