"""When a customer chose whether customer service may shop on their behalf (the opt-in consent policy).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("assistance_chosen_at", sa.DateTime(timezone=True), nullable=True))
    # A customer who switched assistance off chose; when is not known, so the account's creation stands in.
    op.execute("UPDATE account SET assistance_chosen_at = created_at WHERE NOT allow_assistance")


def downgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.drop_column("assistance_chosen_at")
