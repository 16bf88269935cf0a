"""Cart lock, unlock and take over: each one conditional UPDATE, so the database picks the winner."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.services import audit, carts, changes
from app.services.caller import Caller
from app.services.db import as_utc, get_by_id, update_where, utcnow
from app.services.errors import DomainError, Forbidden, LockConflict
from app.services.permissions import CART_LOCK, CART_TAKEOVER, LOCK_RELEASE_ANY
from models import Account, Cart


@dataclass(frozen=True)
class LockedCart:
    """A cart with a live lock, as a supervisor sees it on the Customer Service page."""

    cart_id: int
    customer: str
    customer_number: str
    holder: str
    since: str  # "YYYY-MM-DD HH:MM UTC"


def _name(db: Session, account_id: int | None) -> str:
    a = db.get(Account, account_id) if account_id else None
    return f"{a.first_name} {a.last_name}" if a else "nobody"


def _customer_cart(db: Session, caller: Caller) -> Cart:
    if not caller.on_behalf:
        raise Forbidden("Access a customer's account before locking their cart.")
    return carts.account_cart(db, caller.customer_id, create=True)


def lock(db: Session, caller: Caller) -> Cart:
    caller.require(CART_LOCK)
    cart = _customer_cart(db, caller)
    now = utcnow()
    won = db.exec(
        update_where(Cart)
        .where(
            Cart.id == cart.id,
            Cart.status == "active",
            or_(
                Cart.locked_by_id.is_(None),
                Cart.lock_expires_at <= now,
                Cart.locked_by_id == caller.account_id,
            ),
        )
        .values(
            locked_by_id=caller.account_id,
            locked_at=now,
            lock_expires_at=now + carts.lock_minutes(),
            version=Cart.version + 1,
        )
    ).rowcount
    db.refresh(cart)
    if won != 1:
        raise LockConflict(
            f"This cart is locked by {_name(db, cart.locked_by_id)}. You can take over the lock."
        )
    audit.record(db, caller, "cart_locked", cart_id=cart.id)
    changes.cart_changed(db, cart.id, "lock")
    return cart


def unlock(db: Session, caller: Caller) -> None:
    caller.require(CART_LOCK)
    cart = _customer_cart(db, caller)
    won = db.exec(
        update_where(Cart)
        .where(Cart.id == cart.id, Cart.locked_by_id == caller.account_id)
        .values(locked_by_id=None, locked_at=None, lock_expires_at=None, version=Cart.version + 1)
    ).rowcount
    if won != 1:
        raise LockConflict("You do not hold the lock on this cart.")
    audit.record(db, caller, "cart_unlocked", cart_id=cart.id)
    changes.cart_changed(db, cart.id, "unlock")


def take_over(db: Session, caller: Caller, expected_lock: object = None) -> int | None:
    """Take the lock from whoever holds it; returns the previous holder's id.

    `expected_lock` is the lock the CSR saw and confirmed against (the view's `lock_ref`): if it changed
    hands meanwhile, or was released, the takeover is refused instead of taking from someone else.
    """
    caller.require(CART_TAKEOVER)
    cart = _customer_cart(db, caller)
    db.refresh(cart)
    previous = cart.locked_by_id if carts.lock_active(cart) else None
    if previous == caller.account_id:
        raise DomainError("You already hold the lock on this cart.")
    if expected_lock is not None:
        if not isinstance(expected_lock, str) or len(expected_lock) > 64:
            raise DomainError("That request was malformed; please reload the page.")
        if previous is None:
            raise LockConflict(
                "The lock was released while you were deciding. Lock the cart from the mini-cart."
            )
        if carts.lock_ref(cart) != expected_lock:
            raise LockConflict(
                f"The lock changed hands while you were deciding: {_name(db, previous)} holds it now. "
                "Look again and retry."
            )
    now = utcnow()
    # The holder we confirmed against must still be the holder: a takeover never steals blind.
    holder_clause = (
        Cart.locked_by_id.is_(None) if cart.locked_by_id is None else Cart.locked_by_id == cart.locked_by_id
    )
    won = db.exec(
        update_where(Cart)
        .where(Cart.id == cart.id, Cart.status == "active", Cart.version == cart.version, holder_clause)
        .values(
            locked_by_id=caller.account_id,
            locked_at=now,
            lock_expires_at=now + carts.lock_minutes(),
            version=Cart.version + 1,
        )
    ).rowcount
    if won != 1:
        raise LockConflict("The lock changed hands while you were deciding. Look again and retry.")
    audit.record(
        db, caller, "cart_takeover", cart_id=cart.id, details=f"Previous holder: {_name(db, previous)}"
    )
    changes.cart_changed(db, cart.id, "takeover", previous)
    return previous


def release_any(db: Session, caller: Caller, cart_id: object) -> int:
    """A supervisor releases whatever lock a cart has."""
    caller.require(LOCK_RELEASE_ANY)
    cart = get_by_id(db, Cart, cart_id)
    if cart is None or cart.locked_by_id is None:
        raise DomainError("That cart is not locked.")
    previous = cart.locked_by_id
    won = db.exec(
        update_where(Cart)
        .where(Cart.id == cart.id, Cart.locked_by_id == previous)
        .values(locked_by_id=None, locked_at=None, lock_expires_at=None, version=Cart.version + 1)
    ).rowcount
    if won != 1:
        raise LockConflict("The lock changed while you were deciding. Look again.")
    audit.record(
        db,
        caller,
        "lock_released",
        customer_id=cart.account_id,
        cart_id=cart.id,
        details=f"Previous holder: {_name(db, previous)}",
    )
    changes.cart_changed(db, cart.id, "released", previous)
    return previous


def locked_carts(db: Session, caller: Caller) -> list[LockedCart]:
    """Every cart with a live lock, for a supervisor who may release them."""
    caller.require(LOCK_RELEASE_ANY)
    customer, holder = aliased(Account), aliased(Account)
    rows = db.exec(
        select(Cart, customer, holder)
        .join(customer, customer.id == Cart.account_id)
        .join(holder, holder.id == Cart.locked_by_id)
        .where(Cart.status == "active", Cart.lock_expires_at > utcnow())
        .order_by(Cart.locked_at)
        .limit(100)
    ).all()
    return [
        LockedCart(
            cart_id=cart.id,
            customer=f"{c.first_name} {c.last_name}",
            customer_number=c.customer_number,
            holder=f"{h.first_name} {h.last_name}",
            since=as_utc(cart.locked_at).strftime("%Y-%m-%d %H:%M UTC") if cart.locked_at else "",
        )
        for cart, c, h in rows
    ]
