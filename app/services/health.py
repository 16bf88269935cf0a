"""What operations asks of the database (the /health and /metrics endpoints, docs/OPERATIONS.md)."""

from __future__ import annotations

from sqlalchemy import func, text
from sqlmodel import Session, select

from models.audit import OnBehalfSession


def ping(db: Session) -> None:
    """One round trip; raises when the database does not answer."""
    db.exec(text("SELECT 1"))


def open_on_behalf_sessions(db: Session) -> int:
    """On-behalf sessions not ended (an idle one is ended by the sweeper within SWEEP_SECONDS)."""
    return db.exec(
        select(func.count()).select_from(OnBehalfSession).where(OnBehalfSession.ended_at.is_(None))
    ).one()
