"""The mottagning's side and the notice outbox: case status, history, staff, access log, notices.

Revision ID: 0003
Revises: 0002
Created: 2026-11-30

The cases get a status, a handler, a version (optimistic concurrency between staff) and a due
time. Cases sent before this revision get a due time of one day after sending: an approximation,
since the working-day rule (forms.platform.workdays) is code that a migration must not depend on.

The access log is append-only in the database itself: triggers refuse every UPDATE and DELETE, so
no code path (and no mistaken retention purge) can rewrite it.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "access_log is append-only"


def _append_only_triggers() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
            "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER access_log_no_{verb.lower()} BEFORE {verb} ON access_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER access_log_append_only ON access_log")
        op.execute("DROP FUNCTION access_log_append_only()")
    else:
        op.execute("DROP TRIGGER access_log_no_update")
        op.execute("DROP TRIGGER access_log_no_delete")


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("hsa_id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("clinic", sa.String(length=200), nullable=False),
        sa.Column("personnummer", sa.String(length=13), nullable=True),
        sa.Column("case_reference", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index("ix_access_log_hsa_id_at", ["hsa_id", "at"], unique=False)
        batch_op.create_index("ix_access_log_personnummer_at", ["personnummer", "at"], unique=False)

    op.create_table(
        "contact_details",
        sa.Column("personnummer", sa.String(length=13), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("personnummer", name=op.f("pk_contact_details")),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("personnummer", sa.String(length=13), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("event_key", "channel", name=op.f("uq_notices_event_key_channel")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_due", ["sent_at", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_personnummer"), ["personnummer"], unique=False)

    op.create_table(
        "seed_marks",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_seed_marks")),
    )
    op.create_table(
        "staff_members",
        sa.Column("hsa_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("hsa_id", name=op.f("pk_staff_members")),
    )
    op.create_table(
        "standard_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standard_answers")),
    )
    with op.batch_alter_table("standard_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standard_answers_clinic"), ["clinic"], unique=False)

    op.create_table(
        "staff_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hsa_id", sa.String(length=40), nullable=False),
        sa.Column("clinic", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["hsa_id"], ["staff_members.hsa_id"], name=op.f("fk_staff_roles_hsa_id_staff_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_roles")),
        sa.UniqueConstraint("hsa_id", "clinic", "role", name=op.f("uq_staff_roles_hsa_id_clinic_role")),
    )
    with op.batch_alter_table("staff_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_roles_clinic"), ["clinic"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_roles_hsa_id"), ["hsa_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=40), nullable=True),
        sa.Column("author_name", sa.Text(), nullable=False),
        sa.Column("author_title", sa.Text(), nullable=False),
        sa.Column("asks_reply", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=12), server_default="Ny", nullable=False))
        batch_op.add_column(sa.Column("handler", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("responded_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_cases_clinic_due", ["clinic", "due_at", "id"], unique=False)
        batch_op.create_index("ix_cases_clinic_handler_due", ["clinic", "handler", "due_at"], unique=False)
    cases = sa.table(
        "cases", sa.column("id", sa.Integer), sa.column("sent_at", sa.DateTime), sa.column("due_at", sa.DateTime)
    )
    connection = op.get_bind()
    for case_id, sent_at in connection.execute(sa.select(cases.c.id, cases.c.sent_at)).all():
        connection.execute(
            cases.update().where(cases.c.id == case_id).values(due_at=sent_at + datetime.timedelta(days=1))
        )
    _append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_clinic_handler_due")
        batch_op.drop_index("ix_cases_clinic_due")
        batch_op.drop_column("responded_at")
        batch_op.drop_column("due_at")
        batch_op.drop_column("version")
        batch_op.drop_column("handler")
        batch_op.drop_column("status")

    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("staff_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_roles_hsa_id"))
        batch_op.drop_index(batch_op.f("ix_staff_roles_clinic"))

    op.drop_table("staff_roles")
    with op.batch_alter_table("standard_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standard_answers_clinic"))

    op.drop_table("standard_answers")
    op.drop_table("staff_members")
    op.drop_table("seed_marks")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_personnummer"))
        batch_op.drop_index("ix_notices_due")

    op.drop_table("notices")
    op.drop_table("contact_details")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_personnummer_at")
        batch_op.drop_index("ix_access_log_hsa_id_at")

    op.drop_table("access_log")
