"""recurring pulse check-ins: their schedules, and check-ins marked as pulse (issue 12)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, storage.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "pulse_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _when("created_at", nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("every_weeks", sa.SmallInteger(), nullable=False),
        sa.Column("week_of_month", sa.SmallInteger(), nullable=True),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("minute", sa.SmallInteger(), nullable=False),
        sa.Column("anchor_date", sa.String(length=10), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("all_districts", sa.Boolean(), nullable=False),
        _when("next_due_at", nullable=False),
        _when("paused_at"),
        _when("last_occurrence_at"),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["people.id"],
            name=op.f("fk_pulse_schedules_created_by_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_schedules")),
    )
    op.create_index(
        op.f("ix_pulse_schedules_next_due_at"), "pulse_schedules", ["next_due_at"], unique=False
    )
    op.create_table(
        "pulse_districts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["pulse_schedules.id"],
            name=op.f("fk_pulse_districts_schedule_id_pulse_schedules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_pulse_districts_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_districts")),
        sa.UniqueConstraint(
            "schedule_id",
            "district_id",
            name=op.f("uq_pulse_districts_schedule_id_district_id"),
        ),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), server_default="incident", nullable=False)
        )
        batch_op.add_column(sa.Column("pulse_schedule_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pulse_weeks", sa.SmallInteger(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_checkins_pulse_schedule_id_pulse_schedules"),
            "pulse_schedules",
            ["pulse_schedule_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_checkins_pulse_schedule_id_pulse_schedules"), type_="foreignkey"
        )
        batch_op.drop_column("pulse_weeks")
        batch_op.drop_column("pulse_schedule_id")
        batch_op.drop_column("kind")
    op.drop_table("pulse_districts")
    op.drop_index(op.f("ix_pulse_schedules_next_due_at"), table_name="pulse_schedules")
    op.drop_table("pulse_schedules")
