"""Registration confirmed by mail (docs/SECURITY.md §Throttling).

An account registered online stays `pending` until the link mailed to its address is used; the password
chosen when registering travels with that link (`passwordtoken.password_hash`, emptied once used), so a
pending account has no password anyone knows. `account.status` already holds any short text: no change there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("passwordtoken") as batch:
        batch.add_column(
            sa.Column(
                "password_hash",
                sqlmodel.sql.sqltypes.AutoString(length=255),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    # Accounts still waiting for their link cannot be finished without it: they go.
    op.execute(
        "DELETE FROM passwordtoken WHERE account_id IN (SELECT id FROM account WHERE status = 'pending')"
    )
    op.execute("DELETE FROM account WHERE status = 'pending'")
    with op.batch_alter_table("passwordtoken") as batch:
        batch.drop_column("password_hash")
