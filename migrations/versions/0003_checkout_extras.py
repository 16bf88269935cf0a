"""Checkout extras: gift message, order note, coupons, line price adjustments.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 21:32:36.370936
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupon",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("times_used", sa.Integer(), nullable=False),
        sa.Column("min_subtotal_cents", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("cartline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjustment_cents", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "adjustment_reason",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("adjusted_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_cartline_adjusted_by_id_account", "account", ["adjusted_by_id"], ["id"]
        )

    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "gift_message",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "order_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "coupon_code", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column("coupon_discount_cents", sa.Integer(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("orderline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjustment_cents", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "adjustment_reason",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("orderline", schema=None) as batch_op:
        batch_op.drop_column("adjustment_reason")
        batch_op.drop_column("adjustment_cents")

    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.drop_column("coupon_discount_cents")
        batch_op.drop_column("coupon_code")
        batch_op.drop_column("order_note")
        batch_op.drop_column("gift_message")

    with op.batch_alter_table("cartline", schema=None) as batch_op:
        batch_op.drop_constraint("fk_cartline_adjusted_by_id_account", type_="foreignkey")
        batch_op.drop_column("adjusted_by_id")
        batch_op.drop_column("adjustment_reason")
        batch_op.drop_column("adjustment_cents")

    op.drop_table("coupon")
