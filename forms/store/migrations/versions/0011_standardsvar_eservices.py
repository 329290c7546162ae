"""Standardsvar for some e-services only (issue 20 item 7): the e-services a standardsvar is for.

Revision ID: 0011
Revises: 0010 (SAML logins)
Created: 2026-12-01

The staff-case branch's migration (the lead renumbers at merge if another lands first).

`standard_answers.eservices`: the ids of the e-services the standardsvar fits, separated by
spaces; empty (every existing row) means every e-service of the mottagning, as before. A case page
offers only the standardsvar that fit the case's e-service: "Intyget skickas med post" was offered,
and preselected, on a Förnya recept case.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("standard_answers", sa.Column("eservices", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    # Not batch mode: on SQLite a batch copies the table anew (and would lose any trigger on it).
    op.drop_column("standard_answers", "eservices")
