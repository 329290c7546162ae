"""Uppföljning at a million cases: the indexes its counts read hold every column they count.

Revision ID: 0015
Revises: 0014 (SAML session key)
Created: 2026-12-07

At 1,000,000 cases the uppföljning's case query found a mottagning's rows through an index on
(clinic, sent_at) but then fetched each row from the table for `eservice`, `due_at`,
`responded_at`, `status` and `direction`: a thousand cases were a thousand scattered table pages,
117 ms when they were not in memory (EXPLAIN ANALYZE, bench.staff_load). With those columns in
the index the count is an index-only scan of a few adjacent index pages (2 ms cold, under 1 ms
warm), on PostgreSQL and as a covering index on SQLite. The bookings' two indexes get the same
treatment (`booked_by`, `start`; `status`, `rebooked_at`).

Why this and not a summary table kept beside the cases: "late" depends on the time of reading
(an unanswered case becomes late at midnight), and hours to an answer change with every answer,
so a summary would have to be rewritten by every path that writes a case or answers one, and
still be corrected at reading; the indexes are kept by the database on every write path there
is or will be, and the figures stay the same query. A case's writes lose nothing by it: every
update of these columns already changed an indexed column (`status`, `due_at`, `updated_at`), so
none was a HOT update before either.

Plain composite keys, not PostgreSQL's INCLUDE, so one definition is covering on both databases.
Building them takes a few seconds per million cases, during which case writes wait.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

CASES = ["clinic", "sent_at", "eservice", "direction", "due_at", "responded_at", "status"]
CREATED = ["clinic", "created_at", "booked_by", "start"]
UPDATED = ["clinic", "updated_at", "status", "rebooked_at"]


def upgrade() -> None:
    op.drop_index("ix_cases_clinic_sent", table_name="cases")
    op.create_index("ix_cases_followup", "cases", CASES)
    op.drop_index("ix_tidbok_bookings_clinic_created", table_name="tidbok_bookings")
    op.create_index("ix_tidbok_bookings_followup_created", "tidbok_bookings", CREATED)
    op.drop_index("ix_tidbok_bookings_clinic_updated", table_name="tidbok_bookings")
    op.create_index("ix_tidbok_bookings_followup_updated", "tidbok_bookings", UPDATED)


def downgrade() -> None:
    op.drop_index("ix_tidbok_bookings_followup_updated", table_name="tidbok_bookings")
    op.create_index("ix_tidbok_bookings_clinic_updated", "tidbok_bookings", ["clinic", "updated_at"])
    op.drop_index("ix_tidbok_bookings_followup_created", table_name="tidbok_bookings")
    op.create_index("ix_tidbok_bookings_clinic_created", "tidbok_bookings", ["clinic", "created_at"])
    op.drop_index("ix_cases_followup", table_name="cases")
    op.create_index("ix_cases_clinic_sent", "cases", ["clinic", "sent_at"])
