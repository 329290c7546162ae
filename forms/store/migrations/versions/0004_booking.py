"""The standalone tidbok: time types, weekly schedules, closed days and bookings.

Revision ID: 0004
Revises: 0003 (staff and notices)
Created: 2026-11-30

One active booking per time is the database's rule: a partial unique index on (clinic, start)
where status = 'active', which SQLite and PostgreSQL both enforce.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACTIVE_ONLY = sa.text("status = 'active'")


def upgrade() -> None:
    op.create_table(
        "tidbok_time_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic", sa.String(200), nullable=False),
        sa.Column("type_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(10), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("cancel_hours", sa.Integer(), nullable=False),
        sa.Column("rebook", sa.Boolean(), nullable=False),
        sa.Column("info", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tidbok_time_types"),
        sa.UniqueConstraint("clinic", "type_id", name="uq_tidbok_time_types_clinic_type_id"),
    )
    op.create_table(
        "tidbok_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic", sa.String(200), nullable=False),
        sa.Column("type_id", sa.String(100), nullable=False),
        sa.Column("weekdays", sa.String(7), nullable=False),
        sa.Column("start_time", sa.String(5), nullable=False),
        sa.Column("end_time", sa.String(5), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tidbok_schedules"),
    )
    op.create_index("ix_tidbok_schedules_clinic", "tidbok_schedules", ["clinic", "type_id"])
    op.create_table(
        "tidbok_closed_days",
        sa.Column("clinic", sa.String(200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("clinic", "day", name="pk_tidbok_closed_days"),
    )
    op.create_table(
        "tidbok_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("request_key", sa.String(64), nullable=True),
        sa.Column("clinic", sa.String(200), nullable=False),
        sa.Column("type_id", sa.String(100), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("subject", sa.String(13), nullable=False),
        sa.Column("booked_by", sa.String(13), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tidbok_bookings"),
        sa.UniqueConstraint("key", name="uq_tidbok_bookings_key"),
        sa.UniqueConstraint("request_key", name="uq_tidbok_bookings_request_key"),
    )
    op.create_index(
        "uq_tidbok_bookings_active_time", "tidbok_bookings", ["clinic", "start"], unique=True,
        sqlite_where=ACTIVE_ONLY, postgresql_where=ACTIVE_ONLY,
    )
    op.create_index("ix_tidbok_bookings_subject", "tidbok_bookings", ["subject", "clinic", "status", "start"])


def downgrade() -> None:
    op.drop_index("ix_tidbok_bookings_subject", table_name="tidbok_bookings")
    op.drop_index("uq_tidbok_bookings_active_time", table_name="tidbok_bookings")
    op.drop_table("tidbok_bookings")
    op.drop_table("tidbok_closed_days")
    op.drop_index("ix_tidbok_schedules_clinic", table_name="tidbok_schedules")
    op.drop_table("tidbok_schedules")
    op.drop_table("tidbok_time_types")
