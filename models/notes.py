"""Customer service's notes on a customer (Customer 360): append-only, with author and time."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.base import utc_field, utcnow

NOTE_MAX = 1000


class CustomerNote(SQLModel, table=True):
    # The 360 page reads a customer's notes newest first.
    __table_args__ = (Index("ix_customernote_customer_created", "customer_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="account.id")
    author_id: int = Field(foreign_key="account.id")
    body: str = Field(max_length=NOTE_MAX)
    created_at: datetime = utc_field(default_factory=utcnow)
