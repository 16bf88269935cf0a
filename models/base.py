"""Column helpers shared by the tables."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_field(**kwargs):
    """An aware UTC timestamp column (SQLite gives naive values back; services re-attach UTC)."""
    return Field(sa_type=DateTime(timezone=True), **kwargs)
