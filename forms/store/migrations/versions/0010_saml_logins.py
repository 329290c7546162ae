"""SAML logins: outstanding AuthnRequests, accepted assertion IDs, and the staff commission.

Revision ID: 0010
Revises: 0009 (uppföljning)
Created: 2026-12-01

`saml_requests` binds a request to the browser that made it (the hash of a value in its cookie)
and makes each answerable once; `saml_assertions` refuses a replayed assertion on every node by
its primary key; `access_log.commission_hsa_id` is the medarbetaruppdrag of the staff session that
wrote the row (the access log's append-only triggers stay: a new nullable column rewrites nothing).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saml_requests",
        sa.Column("request_id", sa.String(100), nullable=False),
        sa.Column("side", sa.String(10), nullable=False),
        sa.Column("binding_hash", sa.String(64), nullable=False),
        sa.Column("idp", sa.String(500), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name="pk_saml_requests"),
    )
    op.create_index("ix_saml_requests_expires_at", "saml_requests", ["expires_at"])
    op.create_table(
        "saml_assertions",
        sa.Column("assertion_id", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("assertion_id", name="pk_saml_assertions"),
    )
    op.create_index("ix_saml_assertions_expires_at", "saml_assertions", ["expires_at"])
    # A plain ALTER TABLE on both databases: a batch copy would drop the append-only triggers.
    op.add_column("access_log", sa.Column("commission_hsa_id", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("access_log", "commission_hsa_id")
    op.drop_index("ix_saml_assertions_expires_at", table_name="saml_assertions")
    op.drop_table("saml_assertions")
    op.drop_index("ix_saml_requests_expires_at", table_name="saml_requests")
    op.drop_table("saml_requests")
