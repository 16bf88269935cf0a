"""Work that happens without anyone's event: idle on-behalf sessions end, locks that ran out or were
abandoned are released (docs/LIVE.md). Every worker sweeps; each release is a conditional UPDATE, so
when two sweep at once exactly one releases, audits and marks the cart for publishing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from app import config
from app.services import assistcodes, audit, changes, onbehalf, registration, throttle
from app.services.db import as_utc, update_where, utcnow
from models import Account, Cart, OnBehalfSession


def sweep(db: Session, now: datetime | None = None, *, prune: bool = False) -> dict[str, int]:
    """One pass; returns how many sessions and locks it ended (for the log and the tests)."""
    now = now or utcnow()
    done = {"idle": 0, "expired": 0, "abandoned": 0}
    for ob in db.exec(
        select(OnBehalfSession).where(
            OnBehalfSession.ended_at.is_(None),
            OnBehalfSession.last_activity_at <= now - onbehalf.idle_limit(),
        )
    ).all():
        done["idle"] += onbehalf.close(db, ob, "idle")
    abandoned_before = now - timedelta(seconds=config.CART_LOCK_ABANDON_SECONDS)
    for cart in db.exec(select(Cart).where(Cart.locked_by_id.is_not(None), Cart.status == "active")).all():
        if as_utc(cart.lock_expires_at) is None or as_utc(cart.lock_expires_at) <= now:
            done["expired"] += _release(db, cart, "lock_expired", "expired", "The lock ran out")
            continue
        holder_session = db.exec(
            select(OnBehalfSession).where(
                OnBehalfSession.csr_id == cart.locked_by_id,
                OnBehalfSession.customer_id == cart.account_id,
                OnBehalfSession.ended_at.is_(None),
            )
        ).first()
        last_seen = as_utc(holder_session.last_seen_at) if holder_session else None
        if last_seen is None or last_seen <= abandoned_before:
            holder = db.get(Account, cart.locked_by_id)
            name = f"{holder.first_name} {holder.last_name}" if holder else "The holder"
            details = f"{name} had no page of the store open for {config.CART_LOCK_ABANDON_SECONDS} s"
            done["abandoned"] += _release(db, cart, "lock_abandoned", "abandoned", details)
    if prune:
        done["pruned"] = throttle.prune(db, now)  # sign-in and coupon counters that limit nothing any more
        done["pending_pruned"] = registration.prune_pending(db, now)  # registrations nobody can finish
        done["codes_pruned"] = assistcodes.prune(db, now)  # verification codes that ended a day ago
    return done


def _release(db: Session, cart: Cart, action: str, event: str, details: str) -> bool:
    holder = cart.locked_by_id
    won = db.exec(
        update_where(Cart)
        .where(Cart.id == cart.id, Cart.version == cart.version, Cart.locked_by_id == holder)
        .values(locked_by_id=None, locked_at=None, lock_expires_at=None, version=Cart.version + 1)
    ).rowcount
    if won != 1:
        return False  # changed meanwhile (a change, an unlock, another worker's sweep): not ours to release
    audit.record_for(db, holder, cart.account_id, action, cart_id=cart.id, details=details)
    changes.cart_changed(db, cart.id, event, holder)
    return True
