"""Marks of what a unit of work changed that open pages must be shown (docs/LIVE.md).

A service that changes a cart or its lock, or ends an on-behalf session, marks it here, on the
database session it was given. The unit of work (app/state/guard.py for events, the sweeper for work
that runs outside an event) collects the marks before committing (app/services/live.py), and
publishes what they name after the commit. Nothing is published by hand, so no path can forget.
No imports from other services: every service may mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

_KEY = "live_changes"


@dataclass
class CartMark:
    # lock | unlock | takeover | released | expired | abandoned | ended, moved (an anonymous cart bound to a
    # customer's by its cart code), or "" (an edit)
    event: str = ""
    previous_holder_id: int = 0


@dataclass
class Marks:
    carts: dict[int, CartMark] = field(default_factory=dict)
    ended_sessions: dict[int, str] = field(default_factory=dict)  # on-behalf session id -> reason

    def copy(self) -> Marks:
        return Marks(dict(self.carts), dict(self.ended_sessions))

    def __bool__(self) -> bool:
        return bool(self.carts or self.ended_sessions)


def _marks(db: Session) -> Marks:
    marks = db.info.get(_KEY)
    if marks is None:
        marks = db.info[_KEY] = Marks()
    return marks


def cart_changed(
    db: Session, cart_id: int | None, event: str = "", previous_holder_id: int | None = 0
) -> None:
    """Mark a cart whose lines, prices or lock changed; a lock event wins over a plain edit."""
    if not cart_id:
        return
    marks = _marks(db)
    current = marks.carts.get(cart_id)
    if current is None or event:
        marks.carts[cart_id] = CartMark(event, previous_holder_id or 0)


def session_ended(db: Session, on_behalf_id: int, reason: str) -> None:
    _marks(db).ended_sessions[on_behalf_id] = reason


def checkpoint(db: Session) -> Marks:
    """The marks so far, to go back to if the work after this point is rolled back."""
    return _marks(db).copy()


def rewind(db: Session, point: Marks) -> None:
    db.info[_KEY] = point.copy()


def take(db: Session) -> Marks:
    return db.info.pop(_KEY, None) or Marks()
