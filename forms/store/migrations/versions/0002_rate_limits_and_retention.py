"""Rate-limit counters shared by the workers, and indexes for the retention purge.

Revision ID: 0002
Revises: 0001
Created: 2026-11-22

The purge (forms.platform.retention) deletes by age: indexes on the times it compares keep it from reading
every row of a large store.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_limits"),
    )
    op.create_index("ix_rate_limits_expires_at", "rate_limits", ["expires_at"])
    op.create_index("ix_web_sessions_created_at", "web_sessions", ["created_at"])
    op.create_index("ix_web_sessions_seen_at", "web_sessions", ["seen_at"])
    op.create_index("ix_drafts_updated_at", "drafts", ["updated_at"])
    op.create_index("ix_cases_sent_at", "cases", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_sent_at", table_name="cases")
    op.drop_index("ix_drafts_updated_at", table_name="drafts")
    op.drop_index("ix_web_sessions_seen_at", table_name="web_sessions")
    op.drop_index("ix_web_sessions_created_at", table_name="web_sessions")
    op.drop_index("ix_rate_limits_expires_at", table_name="rate_limits")
    op.drop_table("rate_limits")
