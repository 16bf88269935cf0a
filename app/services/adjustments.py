"""Customer service's reductions of the shipping and of the order total (docs/PRODUCT.md §Checkout on behalf).

A CSR on behalf, holding the cart's lock, takes an amount off the shipping or off the order total, with a
reason; it is kept on the cart (amount, reason, who) until the order is placed, audited `shipping_adjust` and
`order_adjust` like a line's `price_adjust`. What it may take off is capped (`adjust_cap`), and what an
adjustment takes off is decided again when the order is placed (`apply`), from what the order costs then:
a shipping cost or a total that shrank since never goes below zero, and a CSR's adjustment never passes the
CSR's cap of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.services import adjust_cap, audit, carts
from app.services.caller import Caller
from app.services.errors import DomainError, Forbidden
from app.services.money import format_cents
from app.services.permissions import ORDER_ADJUST_PRICE, ORDER_ADJUST_UNLIMITED, permissions_for
from models import Account, Cart

# kind -> (what the cap message reduces, the whole amount's name, the audit action)
KINDS = {
    "shipping": ("the shipping", "the shipping cost", "shipping_adjust"),
    "order": ("the order total", "the order total", "order_adjust"),
}


@dataclass(frozen=True)
class CartAdjustments:
    """The reductions saved on a cart, as granted; `*_unlimited` when a supervisor granted it."""

    shipping_cents: int = 0
    shipping_reason: str = ""
    shipping_unlimited: bool = False
    order_cents: int = 0
    order_reason: str = ""
    order_unlimited: bool = False


@dataclass(frozen=True)
class Applied:
    """What the reductions take off an order costing this much now."""

    shipping_cents: int = 0
    order_cents: int = 0


def _unlimited(db: Session, account_id: int | None) -> bool:
    account = db.get(Account, account_id) if account_id else None
    return account is not None and ORDER_ADJUST_UNLIMITED in permissions_for(account.role)


def of_cart(db: Session, cart: Cart | None) -> CartAdjustments:
    if cart is None:
        return CartAdjustments()
    return CartAdjustments(
        shipping_cents=cart.shipping_adjust_cents,
        shipping_reason=cart.shipping_adjust_reason,
        shipping_unlimited=_unlimited(db, cart.shipping_adjusted_by_id),
        order_cents=cart.order_adjust_cents,
        order_reason=cart.order_adjust_reason,
        order_unlimited=_unlimited(db, cart.order_adjusted_by_id),
    )


def apply(adjust: CartAdjustments, shipping_cents: int, total_before_cents: int) -> Applied:
    """The shipping reduction of the shipping cost, then the order reduction of what the order costs after
    it (`total_before_cents`: subtotal − coupon + shipping)."""
    ship_off = adjust_cap.granted(adjust.shipping_cents, shipping_cents, adjust.shipping_unlimited)
    order_off = adjust_cap.granted(adjust.order_cents, total_before_cents - ship_off, adjust.order_unlimited)
    return Applied(shipping_cents=ship_off, order_cents=order_off)


def save(
    db: Session,
    caller: Caller,
    cart: Cart,
    kind: str,
    amount: object,
    reason: object,
    base_cents: int,
    expected_version: object,
) -> None:
    """Save a reduction of `base_cents` (what the shipping or the order costs now, worked out by the
    caller from the database); 0 removes it. Nothing is written when it is refused."""
    what, full, action = KINDS[kind]
    amount_cents = adjust_cap.parse_amount(amount)
    text = adjust_cap.parse_reason(reason, amount_cents, f"{kind} adjustment")
    adjust_cap.check(caller, amount_cents, base_cents, what, full)
    carts.claim_change(db, cart, caller, carts._version_arg(expected_version))
    setattr(cart, f"{kind}_adjust_cents", amount_cents)
    setattr(cart, f"{kind}_adjust_reason", text if amount_cents else "")
    setattr(cart, f"{kind}_adjusted_by_id", caller.account_id if amount_cents else None)
    db.add(cart)
    db.flush()
    details = (
        f"{full}: −{format_cents(amount_cents)} of {format_cents(base_cents)} ({text})"
        if amount_cents
        else f"{full}: adjustment removed"
    )
    audit.record(db, caller, action, cart_id=cart.id, details=details)


def require_adjuster(caller: Caller) -> None:
    caller.require(ORDER_ADJUST_PRICE)
    if not caller.on_behalf:
        raise Forbidden("Access a customer's account before adjusting a price.")


def require_kind(kind: object) -> str:
    if not isinstance(kind, str) or kind not in KINDS:
        raise DomainError("That request was malformed; please reload the page.")
    return kind
