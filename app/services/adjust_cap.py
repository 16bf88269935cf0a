"""How far customer service may reduce an amount (docs/PRODUCT.md §Checkout on behalf): a CSR at most
ADJUST_LIMIT_PERCENT of what they adjust (a line's price, the shipping, the order total); a supervisor
(`order.adjust_unlimited`) the whole amount, never below zero."""

from __future__ import annotations

from app import config
from app.services.caller import Caller
from app.services.errors import DomainError
from app.services.money import format_cents, parse_cents
from app.services.permissions import ORDER_ADJUST_UNLIMITED

MAX_REASON = 200


def limit_cents(base_cents: int, unlimited: bool) -> int:
    """The most that may come off `base_cents`: all of it, or the percentage a CSR may (rounded down)."""
    base = max(0, base_cents)
    return base if unlimited else base * config.ADJUST_LIMIT_PERCENT // 100


def granted(amount_cents: int, base_cents: int, unlimited: bool) -> int:
    """What an adjustment takes off today: never more than its cap of what it adjusts now, never below
    zero. Used when the order is placed and for the checkout summary, so an amount that shrank since the
    adjustment (another method, a coupon, fewer items) is never overdrawn."""
    return max(0, min(amount_cents, limit_cents(base_cents, unlimited)))


def parse_amount(value: object) -> int:
    """The reduction a form sent ("5", "5.50", "$5.50", or cents as an int); a field error otherwise."""
    if isinstance(value, str):
        value = parse_cents(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError("Enter the reduction as a positive amount, e.g. 5.00.", field="amount")
    return value


def parse_reason(value: object, amount_cents: int, what: str = "price adjustment") -> str:
    reason = value.strip() if isinstance(value, str) else ""
    if amount_cents > 0 and not reason:
        raise DomainError(f"Give a reason for the {what}.", field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    return reason


def check(caller: Caller, amount_cents: int, base_cents: int, what: str, full: str) -> None:
    """Refuse (a field error on the amount) a reduction over the whole amount or over the caller's cap.

    `what` names what is reduced ("this price"), `full` the whole amount's name ("the price")."""
    if amount_cents > max(0, base_cents):
        raise DomainError(
            f"The reduction cannot be more than {full}, {format_cents(max(0, base_cents))}.", field="amount"
        )
    unlimited = caller.can(ORDER_ADJUST_UNLIMITED)
    cap = limit_cents(base_cents, unlimited)
    if amount_cents > cap:
        raise DomainError(
            f"Beyond {config.ADJUST_LIMIT_PERCENT}% only a supervisor may reduce {what}: "
            f"you may take off at most {format_cents(cap)}.",
            field="amount",
        )
