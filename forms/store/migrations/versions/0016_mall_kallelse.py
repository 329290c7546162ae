"""A mall may carry a kallelse and "Be invånaren svara" (UX walk, item 1).

Revision ID: 0016
Revises: 0015 (followup covering indexes)
Created: 2026-12-07

The s6-ux branch's migration (the lead renumbers at merge if another lands first).

`message_templates.kallelse`: the id of the time type a message from this mall invites the citizen
to book (empty: none, every existing row); `message_templates.asks_reply`: whether it asks the
citizen to answer. Both are preselected when staff use the mall: the demo's "Kallelse till
återbesök" promised "Boka en tid med länken nedan", and a sender who forgot to choose the kallelse
sent a message whose link was not there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("message_templates", sa.Column("kallelse", sa.String(100), nullable=False, server_default=""))
    op.add_column(
        "message_templates", sa.Column("asks_reply", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    # Not batch mode: on SQLite a batch copies the table anew (and would lose any trigger on it).
    op.drop_column("message_templates", "asks_reply")
    op.drop_column("message_templates", "kallelse")
