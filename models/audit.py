"""On-behalf sessions and the append-only audit log of what customer service did (docs/PRODUCT.md §Audit)."""

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from models.base import utc_field, utcnow


class OnBehalfSession(SQLModel, table=True):
    __table_args__ = (
        Index("ix_onbehalf_csr_started", "csr_id", "started_at"),
        # The sweeper's question: which sessions are still open (few rows, however long the history).
        Index(
            "ix_onbehalf_open",
            "ended_at",
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    csr_id: int = Field(foreign_key="account.id")
    customer_id: int = Field(foreign_key="account.id", index=True)
    started_at: datetime = utc_field(default_factory=utcnow)
    last_activity_at: datetime = utc_field(default_factory=utcnow)
    # When a page of the CSR's was last seen open (a heartbeat, not activity): a lock whose holder has
    # had no page open for CART_LOCK_ABANDON_SECONDS is released as abandoned (docs/LIVE.md).
    last_seen_at: datetime = utc_field(default_factory=utcnow)
    ended_at: datetime | None = utc_field(default=None, nullable=True)
    end_reason: str = Field(default="", max_length=40)


class AuditEvent(SQLModel, table=True):
    __table_args__ = (
        Index("ix_audit_at", "at"),
        Index("ix_audit_csr_at", "csr_id", "at"),
        Index("ix_audit_customer_at", "customer_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(default_factory=utcnow)
    csr_id: int = Field(foreign_key="account.id")
    customer_id: int | None = Field(default=None, foreign_key="account.id")
    action: str = Field(max_length=40)
    cart_id: int | None = Field(default=None)
    order_number: str = Field(default="", max_length=20)
    details: str = Field(default="", max_length=1000)
