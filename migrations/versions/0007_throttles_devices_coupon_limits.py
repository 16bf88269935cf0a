"""Sign-in and coupon throttles in the database, trusted devices, per-customer coupon limits
(docs/SECURITY.md).

Failed sign-ins are counted in `throttle` (per email address, whether or not an account has it; per source;
per trusted device), so the account's own counters go. A coupon gets a per-customer use limit (1 unless set
otherwise), counted in `couponuse`; the uses of orders placed so far are counted in.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coupon") as batch:
        batch.add_column(sa.Column("per_customer_limit", sa.Integer(), nullable=True, server_default="1"))
    op.create_table(
        "throttle",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_throttle_window_start", "throttle", ["window_start"])
    op.create_table(
        "trusteddevice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash", "account_id"),
    )
    op.create_index("ix_trusteddevice_account_id", "trusteddevice", ["account_id"])
    op.create_table(
        "couponuse",
        sa.Column("coupon_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("times_used", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["coupon_id"], ["coupon.id"]),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("coupon_id", "account_id"),
    )
    op.create_index("ix_couponuse_account_id", "couponuse", ["account_id"])
    op.execute(
        "INSERT INTO couponuse (coupon_id, account_id, times_used) SELECT c.id, o.account_id, COUNT(*) "
        'FROM "order" o JOIN coupon c ON c.code = o.coupon_code GROUP BY c.id, o.account_id'
    )
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of `account` would trip the foreign
    # keys of every table that refers to it.
    op.drop_column("account", "slowed_until")
    op.drop_column("account", "failed_signins")


def downgrade() -> None:
    op.add_column("account", sa.Column("failed_signins", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("account", sa.Column("slowed_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("ix_couponuse_account_id", table_name="couponuse")
    op.drop_table("couponuse")
    op.drop_index("ix_trusteddevice_account_id", table_name="trusteddevice")
    op.drop_table("trusteddevice")
    op.drop_index("ix_throttle_window_start", table_name="throttle")
    op.drop_table("throttle")
    with op.batch_alter_table("coupon") as batch:
        batch.drop_column("per_customer_limit")
