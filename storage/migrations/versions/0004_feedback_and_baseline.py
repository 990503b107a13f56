"""feedback to the groups and baseline alerts (issue 12)

Revision ID: 0004
Revises: 0005
Create Date: 2026-12-05 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004"
# Chained after main's current head (0003) so this branch has one head; the lead re-chains.
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(
    table: str, column: str, target: str, ondelete: str = "CASCADE"
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, storage.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "baseline_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("median", sa.Float(), nullable=True),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("responded", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        _fk("baseline_alerts", "checkin_id", "checkins"),
        _fk("baseline_alerts", "district_id", "districts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baseline_alerts")),
        sa.UniqueConstraint(
            "checkin_id", "district_id", name=op.f("uq_baseline_alerts_checkin_id_district_id")
        ),
    )

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=True),
        _when("created_at", nullable=False),
        _fk("feedback", "checkin_id", "checkins"),
        _fk("feedback", "written_by_id", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("checkin_id", name=op.f("uq_feedback_checkin_id")),
    )
    op.create_table(
        "feedback_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                "skipped",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        _when("claimed_at"),
        _when("retry_at"),
        _when("updated_at", nullable=False),
        _when("sent_at"),
        _fk("feedback_sends", "feedback_id", "feedback"),
        _fk("feedback_sends", "district_id", "districts"),
        _fk("feedback_sends", "person_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_sends")),
        sa.UniqueConstraint(
            "feedback_id",
            "kind",
            "target_id",
            name=op.f("uq_feedback_sends_feedback_id_kind_target_id"),
        ),
    )
    op.create_index("ix_feedback_sends_status", "feedback_sends", ["status"], unique=False)
    op.create_table(
        "feedback_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        _when("at", nullable=False),
        _fk("feedback_reminders", "checkin_id", "checkins"),
        _fk("feedback_reminders", "person_id", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_reminders")),
        sa.UniqueConstraint("checkin_id", name=op.f("uq_feedback_reminders_checkin_id")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("feedback_reminders")
    op.drop_index("ix_feedback_sends_status", table_name="feedback_sends")
    op.drop_table("feedback_sends")
    op.drop_table("feedback")
    op.drop_table("baseline_alerts")
