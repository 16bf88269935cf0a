"""An order after checkout: its status and dated history, cancelling, a supervisor moving it along, and
ordering it again (docs/PRODUCT.md §Orders after checkout).

    placed ──► ready_for_pickup ──► completed        (every line picked up in a store)
       │             │
       └──────────── ┴──► shipped ──► completed       (some line is shipped)
    placed / ready_for_pickup ──► cancelled           (nothing has shipped yet)

A mixed order (lines shipped and lines picked up) may be ready for pickup first, but is completed only
after it shipped. Every move is one conditional UPDATE on the order's id and status, so the database picks
one winner when a cancel races with "shipped", or two cancels race: the loser changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.services import audit, carts, coupons, mail
from app.services.caller import Caller
from app.services.db import as_utc, update_where
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from app.services.money import format_cents
from app.services.permissions import ORDER_ADVANCE, ORDER_CANCEL
from models import Account, Order, OrderEvent, OrderLine, StoreStock, Variant

PLACED = "placed"
READY = "ready_for_pickup"
SHIPPED = "shipped"
COMPLETED = "completed"
CANCELLED = "cancelled"
LABELS = {
    PLACED: "Placed",
    READY: "Ready for pickup",
    SHIPPED: "Shipped",
    COMPLETED: "Completed",
    CANCELLED: "Cancelled",
}
MOVE_LABELS = {READY: "Mark ready for pickup", SHIPPED: "Mark shipped", COMPLETED: "Mark completed"}
CANCELLABLE = (PLACED, READY)  # nothing has left the store yet
FINAL = (COMPLETED, CANCELLED)  # nothing happens to the order any more
PAID, REFUNDED = "paid", "refunded"
NOT_FOUND = "We could not find that order."


def label(status: str) -> str:
    return LABELS.get(status, status)


# -- what the order page shows (typed views) ---------------------------------------------------------------


@dataclass(frozen=True)
class OrderStep:
    """One dated step of the order's history."""

    status: str
    label: str
    at: str  # "YYYY-MM-DD HH:MM UTC"
    who: str  # "customer service" when staff moved it, else ""


@dataclass(frozen=True)
class StatusMove:
    """A step a supervisor may move the order to next."""

    status: str
    label: str


@dataclass(frozen=True)
class OrderProgress:
    """Status, history and what the caller may do with the order. Empty defaults: the page starts empty."""

    number: str = ""
    status: str = ""
    status_label: str = ""
    refunded: bool = False
    history: list[OrderStep] = field(default_factory=list)
    can_cancel: bool = False
    moves: list[StatusMove] = field(default_factory=list)


@dataclass(frozen=True)
class Reordered:
    added: int  # lines put in the cart
    not_added: list[str]  # "<item>: <why>", one per line that could not be added


# -- rules -------------------------------------------------------------------------------------------------


def sources(to: str, ships: bool, picks: bool) -> tuple[str, ...]:
    """The statuses an order with these kinds of lines may move to `to` from (empty: never)."""
    if to == READY:
        return (PLACED,) if picks else ()
    if to == SHIPPED:
        return (PLACED, READY) if ships else ()
    if to == COMPLETED:
        return (SHIPPED,) if ships else (SHIPPED, READY)
    return ()


def _kinds(db: Session, order: Order) -> tuple[bool, bool]:
    kinds = set(db.exec(select(OrderLine.fulfilment).where(OrderLine.order_id == order.id)).all())
    return "ship" in kinds, "pickup" in kinds


def _own_order(db: Session, caller: Caller, number: object) -> Order:
    """The effective customer's order with this number; anything else is not found, alike."""
    customer_id = caller.require_customer()
    order = (
        db.exec(select(Order).where(Order.number == number)).first()
        if isinstance(number, str) and 0 < len(number) <= 20
        else None
    )
    if order is None or order.account_id != customer_id:
        raise NotFound(NOT_FOUND)
    return order


def _may_cancel(caller: Caller) -> bool:
    """The customer cancels their own orders; customer service, on behalf, with `order.cancel`."""
    return caller.can(ORDER_CANCEL) if caller.on_behalf else not caller.permissions


def _move(db: Session, order: Order, froms: tuple[str, ...], to: str, **values) -> bool:
    """One conditional UPDATE: true when this caller moved the order (the database decides)."""
    if not froms:
        return False
    moved = db.exec(
        update_where(Order).where(Order.id == order.id, Order.status.in_(froms)).values(status=to, **values)
    ).rowcount
    db.refresh(order)
    return moved == 1


def _step(db: Session, caller: Caller, order: Order, status: str, note: str = "") -> None:
    db.add(
        OrderEvent(
            order_id=order.id,
            status=status,
            by_id=caller.account_id if caller.permissions else None,
            note=note,
        )
    )
    db.flush()


# -- the services ------------------------------------------------------------------------------------------


def progress(db: Session, caller: Caller, number: object) -> OrderProgress:
    order = _own_order(db, caller, number)
    ships, picks = _kinds(db, order)
    events = db.exec(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.at, OrderEvent.id)
    ).all()
    return OrderProgress(
        number=order.number,
        status=order.status,
        status_label=label(order.status),
        refunded=order.payment_status == REFUNDED,
        history=[
            OrderStep(
                status=e.status,
                label=label(e.status),
                at=as_utc(e.at).strftime("%Y-%m-%d %H:%M UTC"),
                who="customer service" if e.by_id is not None else "",
            )
            for e in events
        ],
        can_cancel=order.status in CANCELLABLE and _may_cancel(caller),
        moves=[
            StatusMove(status=to, label=MOVE_LABELS[to])
            for to in (READY, SHIPPED, COMPLETED)
            if order.status in sources(to, ships, picks)
        ]
        if caller.can(ORDER_ADVANCE)
        else [],
    )


def advance(db: Session, caller: Caller, number: object, to: object) -> str:
    """A supervisor moves the order one step along (back office); returns the new status's label."""
    caller.require(ORDER_ADVANCE)
    order = _own_order(db, caller, number)
    if not isinstance(to, str) or to not in MOVE_LABELS:
        raise DomainError("That request was malformed; please reload the page.")
    ships, picks = _kinds(db, order)
    before = order.status
    if not _move(db, order, sources(to, ships, picks), to):
        raise Conflict(
            f"This order is {label(order.status).lower()}; it cannot be marked {label(to).lower()}."
        )
    _step(db, caller, order, to)
    audit.record(
        db,
        caller,
        "order_status",
        order_number=order.number,
        details=f"{label(before)} → {label(to)}" if before in sources(to, ships, picks) else label(to),
    )
    if to in (READY, SHIPPED):
        customer = db.get(Account, order.account_id)
        what = "is ready for pickup" if to == READY else "has shipped"
        mail.send_on_commit(
            db,
            customer.email,
            f"Your Harbor & Pine order {order.number} {what}",
            f"Hello {customer.first_name},\n\nYour order {order.number} {what}.\n",
        )
    return label(to)


def cancel(db: Session, caller: Caller, number: object) -> None:
    """Cancel an order while nothing has shipped: stock back (the web warehouse's and the stores'), the
    coupon use given back, the payment refunded, the customer mailed, audited; all or nothing."""
    order = _own_order(db, caller, number)
    if not _may_cancel(caller):
        raise Forbidden("You do not have permission to do that.")
    if not _move(db, order, CANCELLABLE, CANCELLED, payment_status=REFUNDED):
        if order.status == CANCELLED:
            raise Conflict("This order is already cancelled.")
        raise Conflict(f"This order is {label(order.status).lower()}; it can no longer be cancelled.")
    lines = db.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    for line in lines:
        _restock(db, line)
    if order.coupon_code:
        coupons.give_back(db, order.coupon_code, order.account_id)
    _step(db, caller, order, CANCELLED)
    audit.record(
        db,
        caller,
        "order_cancelled",
        order_number=order.number,
        details=f"refunded {format_cents(order.total_cents)}",
    )
    customer = db.get(Account, order.account_id)
    by = " by customer service" if caller.on_behalf else ""
    mail.send_on_commit(
        db,
        customer.email,
        f"Your Harbor & Pine order {order.number} is cancelled",
        f"Hello {customer.first_name},\n\n"
        f"Your order {order.number} was cancelled{by}. We refunded {format_cents(order.total_cents)} to your\n"
        f"{order.payment_brand} ending in {order.payment_last4}.\n",
    )


def _restock(db: Session, line: OrderLine) -> None:
    """Put a cancelled line back where it was taken from (orders.place_order): a store's shelf or the web."""
    if line.fulfilment == "pickup" and line.pickup_store_id is not None:
        back = db.exec(
            update_where(StoreStock)
            .where(StoreStock.store_id == line.pickup_store_id, StoreStock.variant_id == line.variant_id)
            .values(quantity=StoreStock.quantity + line.quantity)
        ).rowcount
        if back == 0:
            db.add(
                StoreStock(store_id=line.pickup_store_id, variant_id=line.variant_id, quantity=line.quantity)
            )
            db.flush()
        return
    db.exec(
        update_where(Variant).where(Variant.id == line.variant_id).values(stock=Variant.stock + line.quantity)
    )


def reorder(db: Session, caller: Caller, anon_key: str | None, number: object) -> Reordered:
    """Put the order's items back in the effective customer's cart, each as a cart change (the lock rules
    apply on behalf). What cannot be added is named; if nothing can, nothing is written."""
    order = _own_order(db, caller, number)
    lines = db.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    added, not_added = 0, []
    for line in lines:
        variant = db.get(Variant, line.variant_id)
        name = f"{line.name} {line.options}".strip()
        if variant is None:
            not_added.append(f"{name}: no longer available")
            continue
        try:
            carts.add(db, caller, anon_key, variant.sku, line.quantity)
        except (Forbidden, Conflict):
            raise  # the cart itself refuses (the lock, a checkout elsewhere): nothing is added
        except DomainError as e:
            not_added.append(f"{name}: {e.message}")
        else:
            added += 1
    if not added:
        raise DomainError("Nothing from this order could be added to the cart. " + " ".join(not_added))
    return Reordered(added=added, not_added=not_added)
