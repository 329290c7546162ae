"""Every comment of a booking, and a version per mottagning's calendar that the database raises.

Revision ID: 0006
Revises: 0005 (the case list's count index)
Created: 2026-11-30

`tidbok_bookings.comment` held one comment, so a rebooked and then cancelled time lost its
rebooking comment from the staff's day view. Each comment is now a row of its own. A booking that
already has a comment gets it as one row: a cancellation's if the booking is cancelled, else a
rebooking's (the only two journeys that ask for one), dated by the booking's `updated_at`.

`tidbok_versions` keys each process's cache of time types, schedules and closed days
(forms.booking.calendar). Triggers raise a mottagning's number in the same transaction as any
INSERT, UPDATE or DELETE of those three tables, so every writer (the staff pages, the demo seed,
an operator's SQL) invalidates every node's cache without knowing of it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CALENDAR_TABLES = ("tidbok_time_types", "tidbok_schedules", "tidbok_closed_days")
BUMP = (
    "INSERT INTO tidbok_versions (clinic, version) VALUES ({row}.clinic, 1) "
    "ON CONFLICT (clinic) DO UPDATE SET version = tidbok_versions.version + 1"
)


def _version_triggers() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION tidbok_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' THEN {BUMP.format(row='OLD')}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {BUMP.format(row='NEW')}; END IF; "
            "RETURN NULL; END $$"
        )
        for table in CALENDAR_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION tidbok_bump_version()"
            )
        return
    for table in CALENDAR_TABLES:
        for verb, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            body = " ".join(f"{BUMP.format(row=row)};" for row in rows)
            op.execute(f"CREATE TRIGGER {table}_version_{verb.lower()} AFTER {verb} ON {table} BEGIN {body} END")


def _drop_version_triggers() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in CALENDAR_TABLES:
            op.execute(f"DROP TRIGGER {table}_version ON {table}")
        op.execute("DROP FUNCTION tidbok_bump_version()")
        return
    for table in CALENDAR_TABLES:
        for verb in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_version_{verb}")


def upgrade() -> None:
    op.create_table(
        "tidbok_booking_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["tidbok_bookings.id"], ondelete="CASCADE",
            name="fk_tidbok_booking_comments_booking_id_tidbok_bookings",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tidbok_booking_comments"),
    )
    op.create_index("ix_tidbok_booking_comments_booking_id", "tidbok_booking_comments", ["booking_id"])
    op.execute(
        "INSERT INTO tidbok_booking_comments (booking_id, action, comment, created_at) "
        "SELECT id, CASE WHEN status = 'cancelled' THEN 'avboka' ELSE 'omboka' END, comment, updated_at "
        "FROM tidbok_bookings WHERE comment IS NOT NULL AND comment <> ''"
    )
    op.create_table(
        "tidbok_versions",
        sa.Column("clinic", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("clinic", name="pk_tidbok_versions"),
    )
    op.execute(
        "INSERT INTO tidbok_versions (clinic, version) SELECT clinic, 1 FROM ("
        + " UNION ".join(f"SELECT clinic FROM {table}" for table in CALENDAR_TABLES)
        + ") AS calendars"
    )
    _version_triggers()


def downgrade() -> None:
    _drop_version_triggers()
    op.drop_table("tidbok_versions")
    op.drop_index("ix_tidbok_booking_comments_booking_id", table_name="tidbok_booking_comments")
    op.drop_table("tidbok_booking_comments")
