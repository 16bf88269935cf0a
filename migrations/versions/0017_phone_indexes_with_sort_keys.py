"""Find-customer's three phone indexes also hold the display order's sort keys (last and first name), so a
search by phone chooses its page of 20 inside the indexes and fetches only those rows (docs/PRODUCT.md
§Find customer; bench/RESULTS.md, "Find customer at 10,000,000").

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 15:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PHONES = {
    "ix_account_find_phone": "phone_norm",
    "ix_account_find_phone_home": "phone_home_norm",
    "ix_account_find_phone_work": "phone_work_norm",
}


def upgrade() -> None:
    for name, column in PHONES.items():
        op.drop_index(name, table_name="account")
        op.create_index(
            name, "account", ["role", "status", column, "last_name_norm", "first_name_norm", "id"]
        )


def downgrade() -> None:
    for name, column in PHONES.items():
        op.drop_index(name, table_name="account")
        op.create_index(name, "account", ["role", "status", column, "id"])
