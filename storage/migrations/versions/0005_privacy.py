"""privacy: people found belonging nowhere, and members asked to accept a new agreement

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-05 04:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "left_people",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("noticed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_left_people_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_left_people")),
    )
    op.create_table(
        "agreement_requests",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("asked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_agreement_requests_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "version", name=op.f("pk_agreement_requests")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("agreement_requests")
    op.drop_table("left_people")
