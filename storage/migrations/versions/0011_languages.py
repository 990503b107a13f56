"""languages: a person's own language (NULL: the configured one) and a district group's

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-05 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column("language", existing_type=sa.String(length=10), nullable=True)
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=10), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.drop_column("language")
    op.execute("UPDATE people SET language = 'nl' WHERE language IS NULL")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column("language", existing_type=sa.String(length=10), nullable=False)
