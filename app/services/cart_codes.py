"""Cart codes: a short code on an anonymous shopper's cart page, read out over the phone, with which customer
service moves that cart into a registered customer's cart (app/services/cart_binding.py).

Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as "K7QM-4XPA" and accepted
with or without the dash, in any case, spaces ignored: 31^8 (about 8.5 * 10^11) codes, and wrong guesses
are limited per CSR (docs/SECURITY.md). A code is issued when an anonymous cart with lines is first shown,
stored as shown (unique while set), and is valid only while its cart is active, still anonymous and not
expired: an anonymous cart lives in a browser cookie of ANON_CART_DAYS, so a cart not changed for that long
belongs to no browser any more. Binding or a sign-in merge clears the code; it names no cart after that.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Row, and_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from app import config
from app.services.db import as_utc, update_where, utcnow
from models import Cart

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
# What a CSR may type: the code's characters in any case, with dashes and spaces anywhere. ASCII only,
# checked before upper-casing ("ı".upper() is "I").
_TYPED = re.compile(r"[A-Za-z0-9\s\-]{1,40}", re.ASCII)
_SEPARATORS = re.compile(r"[\s\-]", re.ASCII)
_ISSUE_TRIES = 5


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str | None) -> str:
    """The code as shown: K7QM4XPA becomes K7QM-4XPA (two groups of four, easy to read out)."""
    return f"{code[:4]}-{code[4:]}" if code else ""


def normalize(typed: object) -> str | None:
    """The code as stored, from what was typed; None when it cannot be a cart code."""
    if not isinstance(typed, str) or not _TYPED.fullmatch(typed):
        return None
    code = _SEPARATORS.sub("", typed).upper()
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def lifetime() -> timedelta:
    return timedelta(days=config.ANON_CART_DAYS)


def valid(now: datetime):
    """The carts whose code may be used now: active, anonymous and not expired (a WHERE clause)."""
    return and_(Cart.status == "active", Cart.account_id.is_(None), Cart.updated_at > now - lifetime())


def _usable(cart: Cart | Row, now: datetime) -> bool:
    updated = as_utc(cart.updated_at)
    return (
        cart.status == "active"
        and cart.account_id is None
        and updated is not None
        and updated > now - lifetime()
    )


def shown(db: Session, cart: Cart | Row) -> str:
    """The code to show on this anonymous cart's page (a Cart, or a row with its columns), issued on first
    need; "" when it has none to show."""
    if not _usable(cart, utcnow()):
        return ""
    return display(cart.code if cart.code is not None else _issue(db, cart))


def _issue(db: Session, cart: Cart | Row) -> str | None:
    """Give the cart a fresh code, unless another request just did (conditional UPDATE), and return the code
    it has now; a code another cart holds is refused by the unique index, and another is drawn."""
    for _ in range(_ISSUE_TRIES):
        try:
            with db.begin_nested():
                db.exec(
                    update_where(Cart).where(Cart.id == cart.id, Cart.code.is_(None)).values(code=generate())
                )
        except IntegrityError:
            continue
        break
    code = db.exec(select(Cart.code).where(Cart.id == cart.id)).one()
    if isinstance(cart, Cart):
        set_committed_value(cart, "code", code)
    return code


def find(db: Session, code: str, now: datetime | None = None) -> Cart | None:
    """The anonymous cart this (normalized) code names now, if any."""
    return db.exec(select(Cart).where(Cart.code == code, valid(now or utcnow()))).first()
