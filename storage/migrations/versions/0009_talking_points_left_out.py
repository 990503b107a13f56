"""talking points: the generated lines the organiser leaves out

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-05 05:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("meeting_talking_points", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("left_out", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("meeting_talking_points", schema=None) as batch_op:
        batch_op.drop_column("left_out")
