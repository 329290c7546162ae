"""Every comment of a booking: a rebooking's and a cancellation's, not only the latest.

Revision ID: 0005
Revises: 0004 (the standalone tidbok)
Created: 2026-11-30

`tidbok_bookings.comment` held one comment, so a rebooked and then cancelled time lost its
rebooking comment from the staff's day view. Each comment is now a row of its own. A booking that
already has a comment gets it as one row: a cancellation's if the booking is cancelled, else a
rebooking's (the only two journeys that ask for one), dated by the booking's `updated_at`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


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


def downgrade() -> None:
    op.drop_index("ix_tidbok_booking_comments_booking_id", table_name="tidbok_booking_comments")
    op.drop_table("tidbok_booking_comments")
