"""Find-customer columns compare byte-wise on PostgreSQL (collation "C").

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "email": 254,
    "first_name_norm": 60,
    "last_name_norm": 60,
    "phone_norm": 30,
    "postal_code_norm": 20,
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite already compares bytes
    for name, length in COLUMNS.items():
        op.alter_column("account", name, type_=sa.String(length, collation="C"), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, length in COLUMNS.items():
        op.alter_column("account", name, type_=sa.String(length), existing_nullable=False)
