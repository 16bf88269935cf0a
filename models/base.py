"""Column helpers shared by the tables."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlmodel import Field


def utcnow() -> datetime:
    """The store's one clock: aware UTC. Models may not import services, so it lives here; services use it
    through app.services.db."""
    return datetime.now(UTC)


def utc_field(**kwargs):
    """An aware UTC timestamp column (SQLite gives naive values back; services re-attach UTC)."""
    return Field(sa_type=DateTime(timezone=True), **kwargs)


def search_column(length: int, **kwargs):
    """A normalized find-customer column, compared byte-wise on PostgreSQL.

    With a language-aware collation (en_US.UTF-8, say) a prefix range such as 'o\'' <= x < 'o('
    misses rows, and LIKE 'smi%' cannot use the index; "C" fixes both. SQLite compares bytes already.
    """
    return Field(sa_type=String(length).with_variant(String(length, collation="C"), "postgresql"), **kwargs)
