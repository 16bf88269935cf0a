"""Home and work phones beside the mobile one (`phone`), each with its normalized, indexed find-customer
column (docs/PRODUCT.md §Find customer).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("home", "work")


def _norm_type() -> sa.types.TypeEngine:
    # As models/base.py `search_column`: byte-wise on PostgreSQL, so a prefix range can use the index.
    return sa.String(30).with_variant(sa.String(30, collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        for kind in KINDS:
            batch.add_column(sa.Column(f"phone_{kind}", sa.String(30), nullable=False, server_default=""))
            batch.add_column(sa.Column(f"phone_{kind}_norm", _norm_type(), nullable=False, server_default=""))
    for kind in KINDS:
        op.create_index(
            f"ix_account_find_phone_{kind}", "account", ["role", "status", f"phone_{kind}_norm", "id"]
        )


def downgrade() -> None:
    for kind in KINDS:
        op.drop_index(f"ix_account_find_phone_{kind}", table_name="account")
    with op.batch_alter_table("account") as batch:
        for kind in KINDS:
            batch.drop_column(f"phone_{kind}_norm")
            batch.drop_column(f"phone_{kind}")
