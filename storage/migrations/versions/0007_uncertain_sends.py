"""sends with an unknown outcome: flagged, and copies adopted when pressed

Revision ID: 0007
Revises: 0002
Create Date: 2026-12-05 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    for table in ("deliveries", "member_deliveries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("uncertain", sa.Boolean(), server_default=sa.false(), nullable=False)
            )
    op.create_table(
        "delivery_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("adopted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_delivery_copies_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_copies")),
        sa.UniqueConstraint(
            "delivery_id", "message_id", name=op.f("uq_delivery_copies_delivery_id_message_id")
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("delivery_copies")
    for table in ("member_deliveries", "deliveries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("uncertain")
