"""Stores with their own stock (pick up in store per order line) and one-time password links.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 22:31:24.183070
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "store",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("line1", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "passwordtoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("passwordtoken", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passwordtoken_account_id"), ["account_id"], unique=False)

    op.create_table(
        "storestock",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["store.id"],
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variant.id"],
        ),
        sa.PrimaryKeyConstraint("store_id", "variant_id"),
    )
    with op.batch_alter_table("storestock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_storestock_variant_id"), ["variant_id"], unique=False)

    with op.batch_alter_table("orderline", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "fulfilment",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="ship",
            )
        )
        batch_op.add_column(sa.Column("pickup_store_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_orderline_pickup_store_id_store", "store", ["pickup_store_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("orderline", schema=None) as batch_op:
        batch_op.drop_constraint("fk_orderline_pickup_store_id_store", type_="foreignkey")
        batch_op.drop_column("pickup_store_id")
        batch_op.drop_column("fulfilment")

    with op.batch_alter_table("storestock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_storestock_variant_id"))

    op.drop_table("storestock")
    with op.batch_alter_table("passwordtoken", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passwordtoken_account_id"))

    op.drop_table("passwordtoken")
    op.drop_table("store")
