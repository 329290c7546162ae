"""When the citizen last opened an inbox entry, so the inbox can mark what is unread.

Revision ID: 0008
Revises: 0007 (tidbok booking overlap)
Created: 2026-12-01

One nullable column on `cases`: NULL means never opened. An entry is unread while it is NULL or
the mottagning has written an answer or delsvar after it (forms.store.reads). Existing cases start
unread; that is what they are until their owner opens them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("read_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("read_at")
