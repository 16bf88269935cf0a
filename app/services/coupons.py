"""Coupons: a code the customer gives at checkout, with validity dates, a usage limit, a per-customer limit
and a minimum subtotal.

Uses are counted by conditional UPDATEs in the order's transaction (the coupon's in all, and the customer's
own in `CouponUse`), so the database decides who gets the last use; a refused checkout rolls the counts
back with everything else.

A code that is unknown, switched off, expired, not yet valid or used up gets one answer, so nobody learns
which codes exist or existed; each such answer counts as a guess, and a customer past COUPON_MAX_GUESSES in
the window is refused a while, as is a source (client address) past COUPON_SOURCE_MAX_GUESSES whatever
accounts it uses (docs/SECURITY.md). Only a coupon the customer could use now says more (its
minimum subtotal, or that they used it already).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from app import config
from app.services import throttle
from app.services.db import as_utc, insert_on_conflict, update_where, utcnow
from app.services.errors import DomainError
from app.services.money import format_cents
from models import Coupon, CouponUse

MAX_CODE = 30
# ASCII letters and digits only, checked before upper-casing ("ı".upper() is "I", "ß".upper() is "SS").
CODE_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{MAX_CODE - 1}}}", re.ASCII)
NOT_VALID = "That coupon code is not valid."


def normalize(code: object) -> str:
    return code.strip().upper() if isinstance(code, str) else ""


def _refuse(message: str) -> DomainError:
    return DomainError(message, field="coupon")


def _guesses() -> throttle.Limit:
    return throttle.Limit(
        "coupon-guess",
        config.COUPON_MAX_GUESSES,
        timedelta(minutes=config.COUPON_GUESS_WINDOW_MINUTES),
        timedelta(minutes=config.COUPON_GUESS_PAUSE_MINUTES),
    )


def _guesses_per_source() -> throttle.Limit:
    return throttle.Limit(
        "coupon-guess-source",
        config.COUPON_SOURCE_MAX_GUESSES,
        timedelta(minutes=config.COUPON_GUESS_WINDOW_MINUTES),
        timedelta(minutes=config.COUPON_GUESS_PAUSE_MINUTES),
    )


def discount_of(coupon: Coupon, subtotal_cents: int) -> int:
    if coupon.kind == "percent":
        cents = subtotal_cents * coupon.value // 100
    else:
        cents = coupon.value
    return max(0, min(cents, subtotal_cents))


def _usable(coupon: Coupon | None, now: datetime) -> bool:
    return (
        coupon is not None
        and coupon.active
        and (coupon.valid_from is None or as_utc(coupon.valid_from) <= now)
        and (coupon.valid_until is None or as_utc(coupon.valid_until) > now)
        and (coupon.usage_limit is None or coupon.times_used < coupon.usage_limit)
    )


def _times_used_by(db: Session, coupon: Coupon, customer_id: int) -> int:
    used = db.exec(
        select(CouponUse.times_used).where(
            CouponUse.coupon_id == coupon.id, CouponUse.account_id == customer_id
        )
    ).first()
    return used or 0


def check(
    db: Session,
    code: object,
    subtotal_cents: int,
    customer_id: int,
    *,
    source: object = "",
    now: datetime | None = None,
) -> Coupon:
    """The coupon for this code if this customer can use it on this subtotal now; otherwise a DomainError
    saying why. `source` is the client's address. A code that is not valid is committed as a guess, for the
    customer and for the source, although the caller's unit of work fails."""
    text = code.strip() if isinstance(code, str) else ""
    if not text:
        raise _refuse("Enter a coupon code.")
    now = now or utcnow()
    guessers = [(_guesses(), str(customer_id)), (_guesses_per_source(), throttle.source_of(source))]
    wait = max(throttle.take(db, limit, subject, now) for limit, subject in guessers)
    if wait:
        minutes = -(-wait // 60)
        raise _refuse(
            f"Too many coupon codes that are not valid were tried. Please try again in {minutes} minutes."
        )
    coupon = None
    if CODE_RE.fullmatch(text):
        coupon = db.exec(select(Coupon).where(Coupon.code == text.upper())).first()
    if not _usable(coupon, now):
        for limit, subject in guessers:
            throttle.failed(db, limit, subject, now)
        db.commit()  # the guess counts
        raise _refuse(NOT_VALID)
    for limit, subject in guessers:
        throttle.give_back(db, limit, subject)
    if coupon.per_customer_limit is not None and _times_used_by(db, coupon, customer_id) >= (
        coupon.per_customer_limit
    ):
        raise _refuse(f"You have already used coupon {coupon.code}.")
    if subtotal_cents < coupon.min_subtotal_cents:
        raise _refuse(
            f"Coupon {coupon.code} needs a subtotal of at least {format_cents(coupon.min_subtotal_cents)}."
        )
    return coupon


def redeem(db: Session, coupon: Coupon, customer_id: int) -> None:
    """Count one use, in all and for this customer, each decided by the database; raises if the last use
    went to someone else, or the customer's last use to another of their orders."""
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
    insert_on_conflict(
        db,
        CouponUse,
        {"coupon_id": coupon.id, "account_id": customer_id, "times_used": 0},
        ["coupon_id", "account_id"],
    )
    limit = select(Coupon.per_customer_limit).where(Coupon.id == coupon.id).scalar_subquery()
    mine = db.exec(
        update_where(CouponUse)
        .where(
            CouponUse.coupon_id == coupon.id,
            CouponUse.account_id == customer_id,
            or_(limit.is_(None), CouponUse.times_used < limit),
        )
        .values(times_used=CouponUse.times_used + 1)
    ).rowcount
    if mine != 1:
        raise _refuse(f"You have already used coupon {coupon.code}. Remove it to place the order.")


def give_back(db: Session, code: str, customer_id: int) -> None:
    """A cancelled order's use is given back, in all and to the customer (never below zero)."""
    coupon = db.exec(select(Coupon).where(Coupon.code == code)).first()
    if coupon is None:
        return
    db.exec(
        update_where(Coupon)
        .where(Coupon.id == coupon.id, Coupon.times_used > 0)
        .values(times_used=Coupon.times_used - 1)
    )
    db.exec(
        update_where(CouponUse)
        .where(
            CouponUse.coupon_id == coupon.id, CouponUse.account_id == customer_id, CouponUse.times_used > 0
        )
        .values(times_used=CouponUse.times_used - 1)
    )


def describe(coupon: Coupon) -> str:
    return f"{coupon.value}% off" if coupon.kind == "percent" else f"{format_cents(coupon.value)} off"
