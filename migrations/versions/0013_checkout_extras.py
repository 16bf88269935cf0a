"""Checkout extras: an alternate pickup contact, a gift message per line, and customer service's reductions of
the shipping and of the order total (docs/PRODUCT.md §Checkout on behalf). Kept on the cart until the order
copies them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False, server_default="")


def _cents(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


CONTACT = (("alt_first_name", 60), ("alt_last_name", 60), ("alt_email", 254), ("alt_phone", 30))


def upgrade() -> None:
    with op.batch_alter_table("cart", schema=None) as batch_op:
        for name, length in CONTACT:
            batch_op.add_column(_text(name, length))
        for kind in ("shipping", "order"):
            batch_op.add_column(_cents(f"{kind}_adjust_cents"))
            batch_op.add_column(_text(f"{kind}_adjust_reason", 200))
            batch_op.add_column(sa.Column(f"{kind}_adjusted_by_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_cart_{kind}_adjusted_by_id_account", "account", [f"{kind}_adjusted_by_id"], ["id"]
            )
    with op.batch_alter_table("cartline", schema=None) as batch_op:
        batch_op.add_column(_text("gift_message", 200))
    with op.batch_alter_table("order", schema=None) as batch_op:
        for name, length in CONTACT:
            batch_op.add_column(_text(name, length))
        for kind in ("shipping", "order"):
            batch_op.add_column(_cents(f"{kind}_adjustment_cents"))
            batch_op.add_column(_text(f"{kind}_adjustment_reason", 200))
    with op.batch_alter_table("orderline", schema=None) as batch_op:
        batch_op.add_column(_text("gift_message", 200))


def downgrade() -> None:
    with op.batch_alter_table("orderline", schema=None) as batch_op:
        batch_op.drop_column("gift_message")
    with op.batch_alter_table("order", schema=None) as batch_op:
        for kind in ("shipping", "order"):
            batch_op.drop_column(f"{kind}_adjustment_reason")
            batch_op.drop_column(f"{kind}_adjustment_cents")
        for name, _ in CONTACT:
            batch_op.drop_column(name)
    with op.batch_alter_table("cartline", schema=None) as batch_op:
        batch_op.drop_column("gift_message")
    with op.batch_alter_table("cart", schema=None) as batch_op:
        for kind in ("shipping", "order"):
            batch_op.drop_constraint(f"fk_cart_{kind}_adjusted_by_id_account", type_="foreignkey")
            batch_op.drop_column(f"{kind}_adjusted_by_id")
            batch_op.drop_column(f"{kind}_adjust_reason")
            batch_op.drop_column(f"{kind}_adjust_cents")
        for name, _ in CONTACT:
            batch_op.drop_column(name)
