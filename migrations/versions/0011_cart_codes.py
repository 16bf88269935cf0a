"""Cart codes: an anonymous cart's short code that customer service enters to move it to a customer's cart.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cart") as batch:
        batch.add_column(sa.Column("code", sa.String(length=8), nullable=True))
    op.create_index(
        "ux_cart_code",
        "cart",
        ["code"],
        unique=True,
        sqlite_where=sa.text("code IS NOT NULL"),
        postgresql_where=sa.text("code IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ux_cart_code", table_name="cart")
    with op.batch_alter_table("cart") as batch:
        batch.drop_column("code")
