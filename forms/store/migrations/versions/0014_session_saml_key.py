"""The SAML session key in a column of its own, indexed: an IdP's LogoutRequest finds its session.

Revision ID: 0014
Revises: 0013 (staff booking)
Created: 2026-12-07

Until now the key (forms.identity.saml.slo.saml_key) lived only in `web_sessions.data`, so single
logout from the IdP read every session's JSON. The sessions logged in before this migration get
their key copied into the column, so a logout the IdP sends for them still finds them. A plain
ALTER TABLE on both databases (no batch copy).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SESSIONS = sa.table(
    "web_sessions", sa.column("token_hash", sa.String), sa.column("data", sa.JSON), sa.column("saml_key", sa.String)
)


def upgrade() -> None:
    op.add_column("web_sessions", sa.Column("saml_key", sa.String(64), nullable=True))
    op.create_index("ix_web_sessions_saml_key", "web_sessions", ["saml_key"])
    connection = op.get_bind()
    for token_hash, data in connection.execute(sa.select(SESSIONS.c.token_hash, SESSIONS.c.data)).all():
        key = data.get("saml_key") if isinstance(data, dict) else None
        if isinstance(key, str) and len(key) <= 64:
            connection.execute(
                sa.update(SESSIONS).where(SESSIONS.c.token_hash == token_hash).values(saml_key=key)
            )


def downgrade() -> None:
    op.drop_index("ix_web_sessions_saml_key", table_name="web_sessions")
    op.drop_column("web_sessions", "saml_key")
