"""Lock presence: when a CSR's page was last seen open (abandoned locks), and indexes for the sweeper.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("onbehalfsession") as batch:
        batch.add_column(
            sa.Column(
                "last_seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
            )
        )
    op.create_index(
        "ix_onbehalf_open",
        "onbehalfsession",
        ["ended_at"],
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index(
        "ix_cart_locked",
        "cart",
        ["lock_expires_at"],
        sqlite_where=sa.text("locked_by_id IS NOT NULL"),
        postgresql_where=sa.text("locked_by_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_cart_locked", table_name="cart")
    op.drop_index("ix_onbehalf_open", table_name="onbehalfsession")
    with op.batch_alter_table("onbehalfsession") as batch:
        batch.drop_column("last_seen_at")
