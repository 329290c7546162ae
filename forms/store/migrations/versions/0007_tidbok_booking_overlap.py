"""A booking's own end, and no two active bookings of a mottagning that overlap in time.

Revision ID: 0007
Revises: 0006 (every comment of a booking; the calendar versions)
Created: 2026-12-01

The unique index of 0004 refused two active bookings with the same start, but not two that
overlap: Läkarbesök 08.20–08.40 beside Provtagning 08.30–08.40, or an 08.20 booking beside an
08.00 one after the time type grew from 20 to 30 minutes. Now:

- `tidbok_bookings.end` is stored (filled here from the time type's minutes; a booking whose type
  is gone gets one minute), so a time type changed later leaves the times already booked as booked.
- PostgreSQL refuses an overlapping active row by an exclusion constraint,
  `EXCLUDE USING gist (clinic WITH =, tsrange(start, "end") WITH &&) WHERE (status = 'active')`
  (extension btree_gist, trusted since PostgreSQL 13, so the app's owner role may create it), and
  an end not after the start by a CHECK.
- SQLite refuses the same by triggers before INSERT and UPDATE, which read the other active
  bookings inside the writing statement; the store's write transactions begin IMMEDIATE, so no
  other writer can slip in between. On SQLite `end` is added NOT NULL with a placeholder default
  (SQLite cannot add a NOT NULL column without one, nor drop a default); the triggers refuse any
  row whose end is not after its start, so the placeholder can never be stored.

A database that already holds overlapping active bookings is not changed: the upgrade stops and
names them, and the operator settles each pair with the mottagning first (docs/operators.md).
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ACTIVE_ONLY = sa.text("status = 'active'")
PLACEHOLDER = "1970-01-01 00:00:00.000000"
OVERLAPPING = (
    "SELECT a.id, b.id, a.clinic, a.start, b.start FROM tidbok_bookings a JOIN tidbok_bookings b "
    "ON a.clinic = b.clinic AND a.id < b.id AND a.start < b.\"end\" AND b.start < a.\"end\" "
    "WHERE a.status = 'active' AND b.status = 'active' ORDER BY a.clinic, a.start"
)
# The body of SQLite's guard: refuse a row that would be active beside an overlapping active one.
SQLITE_GUARD = (
    "SELECT RAISE(ABORT, 'tidbok_bookings: end must be after start') WHERE NEW.\"end\" IS NULL "
    "OR NEW.\"end\" <= NEW.start; "
    "SELECT RAISE(ABORT, 'tidbok_bookings: overlaps an active booking') WHERE NEW.status = 'active' AND EXISTS ("
    "SELECT 1 FROM tidbok_bookings o WHERE o.clinic = NEW.clinic AND o.status = 'active' "
    "AND o.id IS NOT NEW.id AND o.\"end\" > NEW.start AND o.start < NEW.\"end\"); "
)


def _fill_ends(connection: sa.Connection) -> None:
    """Each booking's end from its type's minutes, written through SQLAlchemy's types (SQLite's text format)."""
    meta = sa.MetaData()
    bookings = sa.Table(
        "tidbok_bookings", meta, sa.Column("id", sa.Integer), sa.Column("clinic", sa.String),
        sa.Column("type_id", sa.String), sa.Column("start", sa.DateTime), sa.Column("end", sa.DateTime),
    )
    types = sa.Table(
        "tidbok_time_types", meta, sa.Column("clinic", sa.String), sa.Column("type_id", sa.String),
        sa.Column("minutes", sa.Integer),
    )
    rows = connection.execute(
        sa.select(bookings.c.id, bookings.c.start, types.c.minutes).outerjoin(
            types, sa.and_(types.c.clinic == bookings.c.clinic, types.c.type_id == bookings.c.type_id))
    ).all()
    for booking_id, start, minutes in rows:
        end = start + datetime.timedelta(minutes=max(minutes or 1, 1))
        connection.execute(sa.update(bookings).where(bookings.c.id == booking_id).values(end=end))


def _refuse_overlaps_already_there(connection: sa.Connection) -> None:
    found = connection.execute(sa.text(OVERLAPPING)).all()
    if found:
        pairs = "; ".join(f"{clinic}: booking {first} at {first_start} and booking {second} at {second_start} (UTC)"
                          for first, second, clinic, first_start, second_start in found[:20])
        raise RuntimeError(
            f"tidbok_bookings holds {len(found)} pair(s) of active bookings that overlap in time, so the "
            f"database cannot be made to refuse them: {pairs}. Settle each pair with the mottagning "
            "(move or cancel one), then run the upgrade again (docs/operators.md)."
        )


def upgrade() -> None:
    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        op.add_column("tidbok_bookings", sa.Column("end", sa.DateTime(), nullable=True))
    else:
        op.add_column("tidbok_bookings", sa.Column("end", sa.DateTime(), nullable=False,
                                                  server_default=sa.text(f"'{PLACEHOLDER}'")))
    _fill_ends(connection)
    _refuse_overlaps_already_there(connection)
    op.create_index("ix_tidbok_bookings_active_end", "tidbok_bookings", ["clinic", "end"],
                    sqlite_where=ACTIVE_ONLY, postgresql_where=ACTIVE_ONLY)
    if postgresql:
        op.alter_column("tidbok_bookings", "end", nullable=False)
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute('ALTER TABLE tidbok_bookings ADD CONSTRAINT ck_tidbok_bookings_end_after_start '
                   'CHECK ("end" > start)')
        op.execute(
            "ALTER TABLE tidbok_bookings ADD CONSTRAINT ex_tidbok_bookings_no_overlap "
            'EXCLUDE USING gist (clinic WITH =, tsrange(start, "end") WITH &&) WHERE (status = \'active\')'
        )
        return
    op.execute(f"CREATE TRIGGER tidbok_bookings_no_overlap_insert BEFORE INSERT ON tidbok_bookings "
               f"BEGIN {SQLITE_GUARD}END")
    op.execute(f'CREATE TRIGGER tidbok_bookings_no_overlap_update BEFORE UPDATE OF clinic, start, "end", status '
               f"ON tidbok_bookings BEGIN {SQLITE_GUARD}END")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE tidbok_bookings DROP CONSTRAINT ex_tidbok_bookings_no_overlap")
        op.execute("ALTER TABLE tidbok_bookings DROP CONSTRAINT ck_tidbok_bookings_end_after_start")
    else:
        op.execute("DROP TRIGGER tidbok_bookings_no_overlap_update")
        op.execute("DROP TRIGGER tidbok_bookings_no_overlap_insert")
    op.drop_index("ix_tidbok_bookings_active_end", table_name="tidbok_bookings")
    op.drop_column("tidbok_bookings", "end")
