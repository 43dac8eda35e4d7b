"""council agenda: free-text topics and the vote on each decision

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-04 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("council_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="requests")
        )
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("votes_for", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("votes_against", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("votes_abstain", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("council_item", schema=None) as batch_op:
        batch_op.drop_column("votes_abstain")
        batch_op.drop_column("votes_against")
        batch_op.drop_column("votes_for")
        batch_op.drop_column("description")
        batch_op.drop_column("kind")
