"""What is published after a unit of work commits: fresh views of the marked carts and sessions.

Read inside the transaction (so the view is exactly what was committed), written to the pages after
the commit by app/state/live.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from app.services import carts
from app.services.caller import on_behalf_tag, staff_tag
from app.services.changes import take
from app.services.onbehalf import END_REASONS
from models import Account, OnBehalfSession

# -- what is published ------------------------------------------------------------------------------


def cart_token(account_id: int | None, cart_id: int) -> str:
    """The shared-state token every viewer of a cart links to.

    A registered customer's cart is followed by its owner, not its id, so an order placed (which starts
    a new cart) keeps every viewer on the customer's current cart. Tokens may not contain underscores.
    """
    return f"cust{account_id}" if account_id else f"anon{cart_id}"


@dataclass
class CartPublication:
    token: str
    view: carts.CartView
    event: str
    previous_holder_tag: str  # whom a takeover or release displaced, as their own browser knows them


@dataclass
class SessionEnd:
    token: str  # the customer's cart: every tab of the session is linked to it
    tag: str  # the on-behalf session, as its own tabs know it
    reason: str


@dataclass
class Publications:
    carts: list[CartPublication] = field(default_factory=list)
    sessions: list[SessionEnd] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.carts or self.sessions)


def collect(db: Session) -> Publications:
    """Read, inside the unit of work, the fresh view of everything marked (then publish it after commit)."""
    marks = take(db)
    out = Publications()
    if not marks:
        return out
    db.flush()
    db.expire_all()  # conditional UPDATEs bypassed the session's objects
    for cart_id, mark in marks.carts.items():
        found = carts.published_view(db, cart_id)
        if found is None:
            continue
        account_id, view = found
        previous = db.get(Account, mark.previous_holder_id) if mark.previous_holder_id else None
        out.carts.append(
            CartPublication(
                cart_token(account_id, cart_id), view, mark.event, staff_tag(previous) if previous else ""
            )
        )
    for ob_id, reason in marks.ended_sessions.items():
        ob = db.get(OnBehalfSession, ob_id)
        if ob is not None:
            out.sessions.append(
                SessionEnd(
                    cart_token(ob.customer_id, 0), on_behalf_tag(ob_id), END_REASONS.get(reason, reason)
                )
            )
    return out
