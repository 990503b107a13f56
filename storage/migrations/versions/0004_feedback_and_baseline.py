"""feedback to the groups and baseline alerts (issue 12)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004"
# Chained after main's current head (0003) so this branch has one head; the lead re-chains.
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


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


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("baseline_alerts")
