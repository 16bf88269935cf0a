"""Coupons: a code the customer gives at checkout, with validity dates, a usage limit and a minimum subtotal.

Usage is counted by one conditional UPDATE in the order's transaction, so the database decides who gets the
last use of a coupon; a refused checkout rolls the count back with everything else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from app.services.db import as_utc, update_where, utcnow
from app.services.errors import DomainError
from app.services.money import format_cents
from models import Coupon

MAX_CODE = 30


def normalize(code: object) -> str:
    return code.strip().upper() if isinstance(code, str) else ""


def _refuse(message: str) -> DomainError:
    return DomainError(message, field="coupon")


def discount_of(coupon: Coupon, subtotal_cents: int) -> int:
    if coupon.kind == "percent":
        cents = subtotal_cents * coupon.value // 100
    else:
        cents = coupon.value
    return max(0, min(cents, subtotal_cents))


def check(db: Session, code: object, subtotal_cents: int, *, now: datetime | None = None) -> Coupon:
    """The coupon for this code if it can be used on this subtotal now; otherwise a DomainError saying why."""
    normalized = normalize(code)
    if not normalized or len(normalized) > MAX_CODE:
        raise _refuse("We do not know that coupon code. Please check it and try again.")
    coupon = db.exec(select(Coupon).where(Coupon.code == normalized)).first()
    if coupon is None or not coupon.active:
        raise _refuse(f"We do not know the coupon code {normalized}. Please check it and try again.")
    now = now or utcnow()
    if coupon.valid_from is not None and as_utc(coupon.valid_from) > now:
        start = as_utc(coupon.valid_from).strftime("%Y-%m-%d")
        raise _refuse(f"Coupon {normalized} is not valid yet; it can be used from {start}.")
    if coupon.valid_until is not None and as_utc(coupon.valid_until) <= now:
        end = as_utc(coupon.valid_until).strftime("%Y-%m-%d")
        raise _refuse(f"Coupon {normalized} expired on {end}.")
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        raise _refuse(f"Coupon {normalized} has been used up.")
    if subtotal_cents < coupon.min_subtotal_cents:
        raise _refuse(
            f"Coupon {normalized} needs a subtotal of at least {format_cents(coupon.min_subtotal_cents)}."
        )
    return coupon


def redeem(db: Session, coupon: Coupon) -> None:
    """Count one use, decided by the database; raises if the last use went to someone else."""
    used = db.exec(
        update_where(Coupon)
        .where(
            Coupon.id == coupon.id,
            Coupon.active,
            or_(Coupon.usage_limit.is_(None), Coupon.times_used < Coupon.usage_limit),
        )
        .values(times_used=Coupon.times_used + 1)
    ).rowcount
    if used != 1:
        raise _refuse(f"Coupon {coupon.code} has just been used up. Remove it to place the order.")


def describe(coupon: Coupon) -> str:
    return f"{coupon.value}% off" if coupon.kind == "percent" else f"{format_cents(coupon.value)} off"
