"""Uppföljning (the verksamhetschef's figures): when a booking was last rebooked, and the indexes
that let the database count a mottagning's weeks without reading its other rows.

Revision ID: 0009
Revises: 0008 (inbox read marks)
Created: 2026-12-01

- `tidbok_bookings.rebooked_at`: a rebooking moves `start` and left no trace but a comment, which
  is optional, so "how many times were rebooked this week" could not be counted. Filled here from
  what there is: the latest `omboka` comment, else (an active booking changed after it was made)
  its `updated_at`, which only a rebooking changes on an active booking.
- `ix_cases_clinic_sent` (clinic, sent_at): the cases that arrived at a mottagning in a period;
  before, only `sent_at` alone (every mottagning's cases of the period) or (clinic, due_at).
- `ix_tidbok_bookings_clinic_created` (clinic, created_at): the bookings made in a period;
  `ix_tidbok_bookings_clinic_updated` (clinic, updated_at): the ones cancelled or rebooked in it
  (both set `updated_at`, which never moves back).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tidbok_bookings", sa.Column("rebooked_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE tidbok_bookings SET rebooked_at = (SELECT max(c.created_at) FROM tidbok_booking_comments c "
        "WHERE c.booking_id = tidbok_bookings.id AND c.action = 'omboka')"
    )
    op.execute(
        "UPDATE tidbok_bookings SET rebooked_at = updated_at "
        "WHERE rebooked_at IS NULL AND status = 'active' AND updated_at > created_at"
    )
    op.create_index("ix_cases_clinic_sent", "cases", ["clinic", "sent_at"])
    op.create_index("ix_tidbok_bookings_clinic_created", "tidbok_bookings", ["clinic", "created_at"])
    op.create_index("ix_tidbok_bookings_clinic_updated", "tidbok_bookings", ["clinic", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_tidbok_bookings_clinic_updated", table_name="tidbok_bookings")
    op.drop_index("ix_tidbok_bookings_clinic_created", table_name="tidbok_bookings")
    op.drop_index("ix_cases_clinic_sent", table_name="cases")
    # Not batch mode: on SQLite it copies the table anew, which would lose 0007's overlap triggers.
    op.drop_column("tidbok_bookings", "rebooked_at")
