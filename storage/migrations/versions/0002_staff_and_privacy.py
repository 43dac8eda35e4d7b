"""staff accounts (temporary passwords, demo flag, disabling) and public summaries

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.orm

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The demo community's staff (storage/seed.py STAFF) on databases seeded before this.
DEMO_USERNAMES = ("admin", "zhangmin", "liqiang", "wangfang", "canteen", "jobs")


def upgrade() -> None:
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "disabled_at", storage.orm.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "password_changed_at",
                storage.orm.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_summary", sa.Text(), nullable=True))

    # Accounts created by an earlier `seed-demo` share the public demo password: flag
    # them, so that production refuses them as it refuses freshly seeded ones.
    staff = sa.table("staff_account", sa.column("username", sa.String), sa.column("is_demo"))
    community = sa.table("community", sa.column("account", sa.String))
    seeded = sa.select(community.c.account).where(community.c.account == "gh_shequ_demo")
    op.execute(
        staff.update()
        .where(staff.c.username.in_(DEMO_USERNAMES), sa.exists(seeded))
        .values(is_demo=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_column("public_summary")
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("is_demo")
        batch_op.drop_column("must_change_password")
