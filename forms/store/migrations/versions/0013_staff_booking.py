"""Staff book for a caller (CONTRACT section 9): the time type's web, staff_bookings, max_per_person,
and who on the staff made a change to a booking.

Revision ID: 0013
Revises: 0012 (omvänt ärendeflöde)
Created: 2026-12-07

- `tidbok_time_types.web` (default true): false keeps a type off the web's "Välj typ av tid";
  only the mottagning books it. Every existing type stays on the web.
- `tidbok_time_types.staff_bookings` (default 'cancel'): what the citizen may do with a time the
  mottagning booked for them: cancel (and rebook where `rebook` allows), see only, or not see it.
  'cancel' is how every staff-booked time behaved before.
- `tidbok_time_types.max_per_person` (null: no limit): coming bookings of the type per citizen.
- `tidbok_booking_comments.hsa_id`: the staff member who booked, rebooked or cancelled for the
  citizen; null for the citizens' own comments.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tidbok_time_types", sa.Column("web", sa.Boolean(), nullable=False, server_default=sa.text("true")))
    op.add_column(
        "tidbok_time_types",
        sa.Column("staff_bookings", sa.String(10), nullable=False, server_default="cancel"),
    )
    op.add_column("tidbok_time_types", sa.Column("max_per_person", sa.Integer(), nullable=True))
    op.add_column("tidbok_booking_comments", sa.Column("hsa_id", sa.String(40), nullable=True))


def downgrade() -> None:
    # Not batch mode: on SQLite a batch copies the table anew (0009's note); these tables carry
    # 0006's version triggers, which a copy would lose.
    op.drop_column("tidbok_booking_comments", "hsa_id")
    op.drop_column("tidbok_time_types", "max_per_person")
    op.drop_column("tidbok_time_types", "staff_bookings")
    op.drop_column("tidbok_time_types", "web")
