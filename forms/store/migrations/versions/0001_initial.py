"""The initial schema: server-side sessions, drafts and sent cases.

Revision ID: 0001
Revises:
Created: 2026-11-22

This is the schema the app created with `create_all` before migrations existed, so a database from
that time is stamped with this revision (forms.store.engine.upgrade) and upgraded from here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_sessions"),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(13), nullable=False),
        sa.Column("subject", sa.String(13), nullable=False),
        sa.Column("clinic", sa.String(200), nullable=False),
        sa.Column("eservice", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("villkor_sha256", sa.String(64), nullable=False),
        sa.Column("villkor_approved_at", sa.DateTime(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
        sa.UniqueConstraint("key", name="uq_drafts_key"),
    )
    op.create_index("ix_drafts_owner", "drafts", ["actor", "subject", "clinic", "eservice", "status"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(13), nullable=False),
        sa.Column("subject", sa.String(13), nullable=False),
        sa.Column("clinic", sa.String(200), nullable=False),
        sa.Column("clinic_name", sa.Text(), nullable=False),
        sa.Column("eservice", sa.String(200), nullable=False),
        sa.Column("eservice_name", sa.Text(), nullable=False),
        sa.Column("villkor_sha256", sa.String(64), nullable=False),
        sa.Column("villkor_approved_at", sa.DateTime(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_cases_draft_id_drafts"),
        sa.UniqueConstraint("reference", name="uq_cases_reference"),
        sa.UniqueConstraint("idempotency_key", name="uq_cases_idempotency_key"),
        sa.UniqueConstraint("draft_id", name="uq_cases_draft_id"),
    )
    op.create_index("ix_cases_subject", "cases", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_cases_subject", table_name="cases")
    op.drop_table("cases")
    op.drop_index("ix_drafts_owner", table_name="drafts")
    op.drop_table("drafts")
    op.drop_table("web_sessions")
