"""Price adjustments granted for a quantity, and email changes confirmed by a link
(docs/SECURITY.md §Price adjustments and email changes).

A cart line's adjustment becomes the total granted for `adjustment_quantity` units (it was per unit, and grew
with the quantity); an order line's adjustment becomes the line's total and its unit price the price before
it. Existing adjustments count as granted for the line's quantity today. A set-password token row can also
carry an email change (purpose "email", `new_email`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cartline") as batch:
        batch.add_column(sa.Column("adjustment_quantity", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE cartline SET adjustment_quantity = quantity, adjustment_cents = adjustment_cents * quantity "
        "WHERE adjustment_cents > 0"
    )
    op.execute(
        "UPDATE orderline SET unit_price_cents = unit_price_cents + adjustment_cents, "
        "adjustment_cents = adjustment_cents * quantity WHERE adjustment_cents > 0"
    )
    with op.batch_alter_table("passwordtoken") as batch:
        batch.add_column(
            sa.Column(
                "new_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False, server_default=""
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("passwordtoken") as batch:
        batch.drop_column("new_email")
    # Back to per-unit amounts (a line whose quantity grew past its grant gets the average per unit).
    op.execute(
        "UPDATE orderline SET adjustment_cents = adjustment_cents / quantity, "
        "unit_price_cents = unit_price_cents - adjustment_cents / quantity WHERE adjustment_cents > 0"
    )
    op.execute(
        "UPDATE cartline SET adjustment_cents = adjustment_cents / adjustment_quantity "
        "WHERE adjustment_cents > 0 AND adjustment_quantity > 0"
    )
    with op.batch_alter_table("cartline") as batch:
        batch.drop_column("adjustment_quantity")
