"""Omvänt ärendeflöde: a case's direction, the mottagning's mallar, and kallelser.

Revision ID: 0012
Revises: 0011 (standardsvar e-services)
Created: 2026-12-07

(Branch omvant: other branches add migrations beside this one; renumber at merge, keeping one head.)

- `cases.direction`: "in" (sent by a citizen; every existing case) or "out" (a message the
  mottagning started, CONTRACT section 9). Added without batch mode, so SQLite keeps the table and
  its indexes as they are.
- `message_templates`: a mottagning's mallar, kept like its standardsvar.
- `kallelser`: an invitation to book one time, with the hash of its link's token (UNIQUE) and
  when and by which booking it was spent.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("direction", sa.String(3), nullable=False, server_default="in"))
    op.create_table(
        "message_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_message_templates"),
    )
    op.create_index("ix_message_templates_clinic", "message_templates", ["clinic"])
    op.create_table(
        "kallelser",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("clinic", sa.String(200), nullable=False),
        sa.Column("personnummer", sa.String(13), nullable=False),
        sa.Column("time_type", sa.String(100), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("spent_at", sa.DateTime(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_kallelser_case_id_cases", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_kallelser"),
        sa.UniqueConstraint("case_id", name="uq_kallelser_case_id"),
        sa.UniqueConstraint("token_hash", name="uq_kallelser_token_hash"),
    )


def downgrade() -> None:
    op.drop_table("kallelser")
    op.drop_index("ix_message_templates_clinic", table_name="message_templates")
    op.drop_table("message_templates")
    # Not batch mode: on SQLite a batch copy of `cases` is not needed to drop a plain column.
    op.drop_column("cases", "direction")
