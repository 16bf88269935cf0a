"""Order status with a dated history, and whether the payment was refunded.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order") as batch:
        batch.add_column(
            sa.Column(
                "payment_status",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="paid",
            )
        )
    op.create_table(
        "orderevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_orderevent_order_id"), "orderevent", ["order_id"], unique=False)
    # Orders placed before statuses existed are placed; their history starts when they were placed.
    op.execute("UPDATE \"order\" SET status = 'placed' WHERE status IS NULL OR status = ''")
    op.execute(
        "INSERT INTO orderevent (order_id, status, at, by_id, note) "
        "SELECT id, 'placed', created_at, placed_by_id, '' FROM \"order\""
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_orderevent_order_id"), table_name="orderevent")
    op.drop_table("orderevent")
    with op.batch_alter_table("order") as batch:
        batch.drop_column("payment_status")
