"""Bind a cart code: a CSR on behalf of a registered customer, holding the customer's cart lock, enters the
code an anonymous shopper reads from their cart page (app/services/cart_codes.py); the anonymous cart's lines
move into the customer's cart in the CSR's transaction, and the shopper's browser is told at once.

The database decides: the customer's cart is claimed like any change (the lock in the WHERE clause), then the
anonymous cart is closed by one conditional UPDATE on its code, so of two CSRs binding one code at once
exactly one wins. A code that names no usable cart counts as a guess for the CSR; after CART_CODE_MAX_GUESSES
in the window the CSR is paused a while (docs/SECURITY.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from app import config
from app.services import audit, cart_codes, carts, changes, throttle
from app.services.caller import Caller
from app.services.db import update_where, utcnow
from app.services.errors import DomainError, Forbidden
from app.services.permissions import CART_LOCK
from models import Cart, CartLine

FIELD = "cart_code"
NOT_VALID = "That cart code is not valid. Check it with the shopper: it is on their cart page."
ALREADY_USED = "That cart code was just used. Ask the shopper to reload their cart page."


@dataclass(frozen=True)
class Bound:
    lines: int  # lines merged into the customer's cart
    customer: str


def _refuse(message: str) -> DomainError:
    return DomainError(message, field=FIELD)


def _guesses() -> throttle.Limit:
    return throttle.Limit(
        "cart-code-guess",
        config.CART_CODE_MAX_GUESSES,
        timedelta(minutes=config.CART_CODE_GUESS_WINDOW_MINUTES),
        timedelta(minutes=config.CART_CODE_GUESS_PAUSE_MINUTES),
    )


def _lines(n: int) -> str:
    return f"{n} line{'s' if n != 1 else ''}"


def bind(db: Session, caller: Caller, typed: object) -> Bound:
    caller.require(CART_LOCK)
    if not caller.on_behalf:
        raise Forbidden("Access a customer's account before entering a cart code.")
    cart = carts.account_cart(db, caller.customer_id, create=True)
    carts.check_can_change(db, cart, caller)  # without the lock, no code is even looked at
    if not isinstance(typed, str) or not typed.strip():
        raise _refuse("Enter the cart code the shopper reads from their cart page.")
    code = cart_codes.normalize(typed)
    if code is None:  # cannot be a code: no guess spent
        raise _refuse("A cart code has 8 letters and digits, like K7QM-4XPA.")
    now = utcnow()
    subject = str(caller.account_id)
    wait = throttle.take(db, _guesses(), subject, now)
    if wait:
        raise _refuse(
            f"Too many cart codes that are not valid were entered. Please try again in {-(-wait // 60)} minutes."
        )
    anon = cart_codes.find(db, code, now)
    if anon is None:
        throttle.failed(db, _guesses(), subject, now)
        db.commit()  # the guess counts, although the unit of work fails
        raise _refuse(NOT_VALID)
    throttle.give_back(db, _guesses(), subject)
    lines = list(db.exec(select(CartLine).where(CartLine.cart_id == anon.id).order_by(CartLine.id)).all())
    if not lines:
        raise _refuse("The shopper's cart is empty: there is nothing to move.")
    carts.claim_change(db, cart, caller, None)  # the lock decides; the customer's viewers see the new lines
    won = db.exec(
        update_where(Cart)
        .where(Cart.id == anon.id, Cart.code == code, cart_codes.valid(now))
        .values(status="moved", code=None, version=Cart.version + 1, updated_at=now)
    ).rowcount
    if won != 1:
        raise _refuse(ALREADY_USED)  # another CSR bound it a moment ago (or the shopper signed in)
    merged = carts.move_lines(db, lines, cart, added_by_id=caller.account_id)
    audit.record(
        db, caller, "cart_bound", cart_id=cart.id, details=f"{_lines(merged)} merged from a cart code"
    )
    changes.cart_changed(db, anon.id, "moved")
    return Bound(merged, caller.customer_name)
