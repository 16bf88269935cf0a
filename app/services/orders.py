"""Checkout: one transaction takes the stock, writes the order and closes the cart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.services import adjustments, audit, carts, coupons, notices, order_extras, stores
from app.services.accounts import refresh_search_columns, validate_address
from app.services.caller import Caller
from app.services.db import as_utc, get_by_id, update_where
from app.services.errors import DomainError, FieldErrors, NotFound
from app.services.money import format_cents
from app.services.payments import check_card
from models import Account, Address, Order, OrderEvent, OrderLine, Store, StoreStock, Variant

SHIPPING_METHODS = {
    "standard": {"label": "Standard (3–5 business days)", "cents": 599, "free_from_cents": 7500},
    "express": {"label": "Express (1–2 business days)", "cents": 1499, "free_from_cents": None},
}


PICKUP_METHOD = "pickup"  # Order.shipping_method when every line is picked up in a store
PICKUP_LABEL = "Pick up in store"

# -- what checkout and the order page show (typed views: a misspelt field fails the build) -------------


@dataclass(frozen=True)
class Quote:
    shipping: str
    total: str
    # Customer service's reductions as they apply to this order now ("" when none).
    shipping_adjustment: str = ""
    order_adjustment: str = ""


@dataclass(frozen=True)
class ShippingOption:
    code: str
    label: str
    price: str


@dataclass(frozen=True)
class CouponPreview:
    code: str
    discount_cents: int
    discount: str
    message: str


@dataclass(frozen=True)
class OrderLineView:
    code: str
    name: str
    options: str
    quantity: int
    unit_price: str
    line_total: str
    adjustment: str  # "" when customer service did not adjust the line's price
    adjustment_reason: str
    fulfilment: str  # "Ship to home" or where it is picked up
    gift_message: str = ""  # this line's own


@dataclass(frozen=True)
class OrderDetail:
    """An order as its customer sees it. Empty defaults: the order page starts from an empty order."""

    number: str = ""
    date: str = ""
    subtotal: str = ""
    discount: str = ""
    has_discount: bool = False
    adjustment: str = ""
    has_adjustment: bool = False
    coupon_code: str = ""
    coupon_discount: str = ""
    has_coupon: bool = False
    gift_message: str = ""
    # The note is customer service's; the customer's own view does not carry it.
    order_note: str = ""
    shipping: str = ""
    shipping_method: str = ""
    ships: bool = False
    total: str = ""
    address: str = ""
    payment: str = ""
    assisted: bool = False
    lines: list[OrderLineView] = field(default_factory=list)
    # Who else may pick up the pickup lines: "First Last, email, phone" ("" when nobody).
    alt_contact: str = ""
    shipping_adjustment: str = ""  # customer service's reduction of the shipping ("" when none)
    shipping_adjustment_reason: str = ""
    order_adjustment: str = ""  # and of the order total
    order_adjustment_reason: str = ""


MAX_GIFT_MESSAGE = 300
MAX_ORDER_NOTE = 500
MALFORMED = "That request was malformed; please reload the page."


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def shipping_cents(method: str, subtotal_cents: int) -> int:
    m = SHIPPING_METHODS[method]
    if m["free_from_cents"] is not None and subtotal_cents >= m["free_from_cents"]:
        return 0
    return m["cents"]


def _order_shipping(shipping_method: object, subtotal_cents: int, coupon_cents: int, ships: bool) -> int:
    """What shipping costs an order: nothing when every line is picked up (or the method is unknown)."""
    if not ships or not isinstance(shipping_method, str) or shipping_method not in SHIPPING_METHODS:
        return 0
    return shipping_cents(shipping_method, subtotal_cents - coupon_cents)


def quote(
    subtotal_cents: int,
    coupon_cents: int,
    shipping_method: object,
    ships: bool,
    adjust: adjustments.CartAdjustments | None = None,
) -> Quote:
    """Shipping and total for the order summary before the order is placed (place_order decides them)."""
    ship = _order_shipping(shipping_method, subtotal_cents, coupon_cents, ships)
    label = format_cents(ship) if ship else ("Free" if ships else PICKUP_LABEL)
    before = subtotal_cents - coupon_cents + ship
    off = adjustments.apply(adjust or adjustments.CartAdjustments(), ship, before)
    return Quote(
        shipping=label,
        total=format_cents(before - off.shipping_cents - off.order_cents),
        shipping_adjustment=format_cents(off.shipping_cents) if off.shipping_cents else "",
        order_adjustment=format_cents(off.order_cents) if off.order_cents else "",
    )


def shipping_options(subtotal_cents: int) -> list[ShippingOption]:
    return [
        ShippingOption(
            code=code,
            label=m["label"],
            price=format_cents(shipping_cents(code, subtotal_cents))
            if shipping_cents(code, subtotal_cents)
            else "Free",
        )
        for code, m in SHIPPING_METHODS.items()
    ]


def place_order(
    db: Session,
    caller: Caller,
    *,
    expected_version: object,
    address_id: object = None,
    new_address: dict | None = None,
    shipping_method: object = "standard",
    card_number: object = "",
    card_expiry: object = "",
    card_cvc: object = "",
    gift_message: object = "",
    order_note: object = "",
    coupon_code: object = "",
    fulfilment: object = None,
    source: object = "",
    alt_contact: object = None,
) -> str:
    """Place the effective customer's cart as an order; returns the order number.

    `source` is the client's address (coupon guesses are limited per source too).

    `fulfilment` maps cart line ids to "ship" or the code of the store where that line is picked up;
    lines it does not name are shipped. An order whose every line is picked up needs no shipping
    address or method and pays no shipping.

    `alt_contact` is the alternate pickup contact form as sent (its alt_* fields): with pickup lines it must
    be valid and the one saved on the cart; None takes what is saved. Customer service's shipping and order
    reductions saved on the cart apply as `adjustments.apply` decides from what the order costs now.
    """
    customer_id = caller.require_customer()
    errors: dict[str, str] = {}
    cart = carts.account_cart(db, customer_id, create=False)
    lines = carts.priced_lines(db, caller, cart) if cart else []
    t = carts.totals(lines)
    pickup, pickup_errors = _pickup_plan(db, fulfilment, lines)
    errors.update(pickup_errors)
    contact = order_extras.PickupContact()
    if pickup and cart is not None:
        if alt_contact is None:
            contact = order_extras.saved_contact(cart)
        else:
            contact, contact_errors = order_extras.check_saved(cart, alt_contact)
            errors.update(contact_errors)
    # Picked up in store only: nothing to ship, so no address, no method, no shipping cost.
    ships = not lines or any(line.line_id not in pickup for line in lines)
    if ships:
        if not isinstance(shipping_method, str) or shipping_method not in SHIPPING_METHODS:
            errors["shipping_method"] = "Choose a shipping method."
        values, address_errors = _ship_to(db, customer_id, address_id, new_address)
        errors.update(address_errors)
    else:
        shipping_method = PICKUP_METHOD
        values = _picked_up_by(db.get(Account, customer_id))
    card, card_errors = check_card(card_number, card_expiry, card_cvc)
    errors.update(card_errors)
    gift, note = _text(gift_message), _text(order_note)
    if len(gift) > MAX_GIFT_MESSAGE:
        errors["gift_message"] = f"Keep the gift message under {MAX_GIFT_MESSAGE} characters."
    if note and not caller.on_behalf:
        errors["order_note"] = "Only customer service can add an order note."
    elif len(note) > MAX_ORDER_NOTE:
        errors["order_note"] = f"Keep the order note under {MAX_ORDER_NOTE} characters."
    coupon = None
    if coupons.normalize(coupon_code):
        try:
            coupon = coupons.check(db, coupon_code, t.subtotal_cents, customer_id, source=source)
        except DomainError as e:
            errors["coupon"] = e.message
    if errors:
        raise FieldErrors(errors)
    if not lines:
        raise DomainError("Your cart is empty.")
    carts.claim_change(db, cart, caller, carts._version_arg(expected_version))
    for line in lines:
        store = pickup.get(line.line_id)
        if store is None:
            _take_web_stock(db, line)
        else:
            _take_store_stock(db, line, store)
    coupon_cents = coupons.discount_of(coupon, t.subtotal_cents) if coupon else 0
    if coupon is not None:
        coupons.redeem(db, coupon, customer_id)
    ship = _order_shipping(shipping_method, t.subtotal_cents, coupon_cents, ships)
    # The cart row is ours now (claim_change updated it, and refreshed it): its reductions as saved, taking
    # off no more than the order costs now, whatever changed since they were granted.
    before = t.subtotal_cents - coupon_cents + ship
    off = adjustments.apply(adjustments.of_cart(db, cart), ship, before)
    order = Order(
        number=uuid.uuid4().hex[:20],
        account_id=customer_id,
        placed_by_id=caller.account_id if caller.on_behalf else None,
        cart_id=cart.id,
        subtotal_cents=t.list_subtotal_cents,
        discount_cents=t.discount_cents + t.adjustment_cents,
        coupon_code=coupon.code if coupon else "",
        coupon_discount_cents=coupon_cents,
        shipping_cents=ship,
        total_cents=before - off.shipping_cents - off.order_cents,
        shipping_method=shipping_method,
        ship_name=values["full_name"],
        ship_line1=values["line1"],
        ship_line2=values["line2"],
        ship_city=values["city"],
        ship_postal_code=values["postal_code"],
        ship_country=values["country"],
        payment_brand=card["brand"],
        payment_last4=card["last4"],
        gift_message=gift,
        order_note=note,
        alt_first_name=contact.first_name,
        alt_last_name=contact.last_name,
        alt_email=contact.email,
        alt_phone=contact.phone,
        shipping_adjustment_cents=off.shipping_cents,
        shipping_adjustment_reason=cart.shipping_adjust_reason if off.shipping_cents else "",
        order_adjustment_cents=off.order_cents,
        order_adjustment_reason=cart.order_adjust_reason if off.order_cents else "",
    )
    db.add(order)
    db.flush()
    order.number = f"W{1000000 + order.id}"
    # The first step of the order's dated history (app/services/order_status.py).
    db.add(OrderEvent(order_id=order.id, status=order.status, by_id=order.placed_by_id))
    for line in lines:
        db.add(
            OrderLine(
                order_id=order.id,
                variant_id=line.variant_id,
                product_code=line.code,
                name=line.name,
                options=line.options,
                quantity=line.quantity,
                unit_price_cents=line.unit_cents,
                line_total_cents=line.line_cents,
                adjustment_cents=line.adjustment_cents,
                adjustment_reason=line.adjustment_reason,
                fulfilment="pickup" if line.line_id in pickup else "ship",
                pickup_store_id=pickup[line.line_id].id if line.line_id in pickup else None,
                gift_message=line.gift_message,
            )
        )
    cart.status = "ordered"
    cart.prepared_by_id = None
    db.add(cart)
    if (
        ships
        and new_address is not None
        and not db.exec(select(Address.id).where(Address.account_id == customer_id)).first()
    ):
        db.add(Address(account_id=customer_id, is_default_billing=True, is_default_shipping=True, **values))
        db.flush()
        refresh_search_columns(db, db.get(Account, customer_id))  # find-customer searches its postal code
    db.flush()
    audit.record(
        db,
        caller,
        "order_placed",
        cart_id=cart.id,
        order_number=order.number,
        details=_order_summary(order, lines, pickup),
    )
    notices.order_placed(
        db,
        caller if caller.on_behalf else None,
        db.get(Account, customer_id),
        order,
        _mail_lines(lines, pickup),
    )
    return order.number


def _mail_lines(lines: list[carts.PricedLine], pickup: dict) -> list[str]:
    out = []
    for line in lines:
        where = stores.place_label(pickup[line.line_id]) if line.line_id in pickup else "Ship to home"
        text = f"{line.quantity} × {line.name}{f' ({line.options})' if line.options else ''}: "
        text += f"{format_cents(line.line_cents)}, {where}"
        if line.gift_message:
            text += f'\n    gift message: "{line.gift_message}"'
        out.append(text)
    return out


def _order_summary(order: Order, lines: list[carts.PricedLine], pickup: dict) -> str:
    """What the audit log says about a placed order: total, and what made it differ from a plain order."""
    parts = [format_cents(order.total_cents)]
    if order.coupon_code:
        parts.append(f"coupon {order.coupon_code} -{format_cents(order.coupon_discount_cents)}")
    adjusted = sum(1 for line in lines if line.adjustment_cents)
    if adjusted:
        parts.append(f"{adjusted} price adjustment{'s' if adjusted > 1 else ''}")
    if order.shipping_adjustment_cents:
        parts.append(f"shipping −{format_cents(order.shipping_adjustment_cents)}")
    if order.order_adjustment_cents:
        parts.append(f"order total −{format_cents(order.order_adjustment_cents)}")
    if order.alt_first_name:
        parts.append(f"pickup contact {order.alt_first_name} {order.alt_last_name}")
    for name in sorted({store.name for store in pickup.values()}):
        n = sum(1 for store in pickup.values() if store.name == name)
        parts.append(f"{n} line{'s' if n > 1 else ''} picked up at {name}")
    return "; ".join(parts)


ADDRESS_COLUMNS = ("full_name", "line1", "line2", "city", "postal_code", "country")


def _ship_to(
    db: Session, customer_id: int, address_id: object, new_address: dict | None
) -> tuple[dict, dict[str, str]]:
    """The shipping address's values (a new one, or one of the customer's saved ones) and field errors."""
    if new_address is not None:
        return validate_address(new_address)
    address = get_by_id(db, Address, address_id)
    if address is None or address.account_id != customer_id:
        return {}, {"address": "Choose a shipping address."}
    return {k: getattr(address, k) for k in ADDRESS_COLUMNS}, {}


def _picked_up_by(customer: Account) -> dict:
    """An order picked up in store keeps the customer's name in the address columns and nothing else."""
    return {**dict.fromkeys(ADDRESS_COLUMNS, ""), "full_name": f"{customer.first_name} {customer.last_name}"}


def _pickup_plan(
    db: Session, fulfilment: object, lines: list[carts.PricedLine]
) -> tuple[dict[int, Store], dict]:
    """The lines to pick up and their stores ({line_id: Store}), and field errors for what the browser sent."""
    if fulfilment is None:
        return {}, {}
    if not isinstance(fulfilment, dict) or len(fulfilment) > carts.MAX_LINES:
        return {}, {"fulfilment": MALFORMED}
    line_ids = {line.line_id for line in lines}
    open_stores = {s.code: s for s in stores.active_stores(db)} if fulfilment else {}
    plan: dict[int, Store] = {}
    errors: dict[str, str] = {}
    for line_id, choice in fulfilment.items():
        if type(line_id) is not int or line_id not in line_ids:
            errors["fulfilment"] = (
                "Your cart has changed since you chose how to receive it; please review it."
            )
        elif not isinstance(choice, str) or (choice != stores.SHIP and choice not in open_stores):
            errors[f"fulfilment-{line_id}"] = "Choose Ship to home or one of our stores."
        elif choice != stores.SHIP:
            plan[line_id] = open_stores[choice]
    return plan, errors


def _take_web_stock(db: Session, line: carts.PricedLine) -> None:
    taken = db.exec(
        update_where(Variant)
        .where(Variant.id == line.variant_id, Variant.stock >= line.quantity)
        .values(stock=Variant.stock - line.quantity)
    ).rowcount
    if taken != 1:
        left = db.get(Variant, line.variant_id).stock
        raise DomainError(f"Only {left} of {line.name} left in stock. Please update your cart.")


def _take_store_stock(db: Session, line: carts.PricedLine, store: Store) -> None:
    """One conditional UPDATE on the store's shelf: the database decides between concurrent orders."""
    on_shelf = (StoreStock.store_id == store.id, StoreStock.variant_id == line.variant_id)
    taken = db.exec(
        update_where(StoreStock)
        .where(*on_shelf, StoreStock.quantity >= line.quantity)
        .values(quantity=StoreStock.quantity - line.quantity)
    ).rowcount
    if taken != 1:
        left = db.exec(select(StoreStock.quantity).where(*on_shelf)).first() or 0
        where = f"at the {store.name} store"
        message = (
            f"{line.name} is out of stock {where}."
            if left <= 0
            else f"Only {left} of {line.name} left {where}."
        )
        raise DomainError(
            f"{message} Choose another store or Ship to home.", field=f"fulfilment-{line.line_id}"
        )


def fulfilment_options(db: Session, caller: Caller) -> list[stores.FulfilmentLine]:
    """The effective customer's cart lines with how each can reach them: shipped, or picked up in a store."""
    cart = carts.account_cart(db, caller.require_customer(), create=False)
    return stores.fulfilment_choices(db, carts.priced_lines(db, caller, cart) if cart else [])


def preview_coupon(db: Session, caller: Caller, code: object, source: object = "") -> CouponPreview:
    """Check a coupon against the effective customer's cart before the order is placed (`source`: the
    client's address, for the guessing limit)."""
    customer_id = caller.require_customer()
    cart = carts.account_cart(db, customer_id, create=False)
    subtotal = carts.totals(carts.priced_lines(db, caller, cart) if cart else []).subtotal_cents
    coupon = coupons.check(db, code, subtotal, customer_id, source=source)
    cents = coupons.discount_of(coupon, subtotal)
    return CouponPreview(
        code=coupon.code,
        discount_cents=cents,
        discount=format_cents(cents),
        message=f"Coupon {coupon.code} applied: {coupons.describe(coupon)}, you save {format_cents(cents)}.",
    )


def order_detail(db: Session, caller: Caller, number: object) -> OrderDetail:
    customer_id = caller.require_customer()
    order = (
        db.exec(select(Order).where(Order.number == number)).first()
        if isinstance(number, str) and len(number) <= 20
        else None
    )
    if order is None or order.account_id != customer_id:
        raise NotFound("We could not find that order.")
    lines = db.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    store_ids = {l.pickup_store_id for l in lines if l.pickup_store_id is not None}
    pickup_at = {s.id: s for s in db.exec(select(Store).where(Store.id.in_(store_ids)))} if store_ids else {}
    ships = any(l.fulfilment != "pickup" for l in lines)
    placed_by = db.get(Account, order.placed_by_id) if order.placed_by_id else None
    adjustments = sum(l.adjustment_cents for l in lines)  # each line's adjustment is its total
    return OrderDetail(
        number=order.number,
        date=as_utc(order.created_at).strftime("%Y-%m-%d %H:%M UTC"),
        subtotal=format_cents(order.subtotal_cents),
        discount=format_cents(order.discount_cents - adjustments),
        has_discount=order.discount_cents - adjustments > 0,
        adjustment=format_cents(adjustments),
        has_adjustment=adjustments > 0,
        coupon_code=order.coupon_code,
        coupon_discount=format_cents(order.coupon_discount_cents),
        has_coupon=bool(order.coupon_code),
        gift_message=order.gift_message,
        order_note=order.order_note if caller.on_behalf else "",
        shipping=format_cents(order.shipping_cents) if order.shipping_cents else "Free",
        shipping_method=PICKUP_LABEL
        if order.shipping_method == PICKUP_METHOD
        else SHIPPING_METHODS.get(order.shipping_method, {}).get("label", order.shipping_method),
        ships=ships,
        total=format_cents(order.total_cents),
        address=", ".join(
            p
            for p in [
                order.ship_name,
                order.ship_line1,
                order.ship_line2,
                f"{order.ship_postal_code} {order.ship_city}",
                order.ship_country,
            ]
            if p
        )
        if ships
        else "",
        payment=f"{order.payment_brand} ending in {order.payment_last4}",
        assisted=placed_by is not None,
        lines=[
            OrderLineView(
                code=l.product_code,
                name=l.name,
                options=l.options,
                quantity=l.quantity,
                unit_price=format_cents(l.unit_price_cents),
                line_total=format_cents(l.line_total_cents),
                adjustment=format_cents(l.adjustment_cents) if l.adjustment_cents else "",
                adjustment_reason=l.adjustment_reason,
                fulfilment=stores.place_label(pickup_at[l.pickup_store_id])
                if l.fulfilment == "pickup" and l.pickup_store_id in pickup_at
                else "Ship to home",
                gift_message=l.gift_message,
            )
            for l in lines
        ],
        alt_contact=alt_contact_text(order),
        shipping_adjustment=format_cents(order.shipping_adjustment_cents)
        if order.shipping_adjustment_cents
        else "",
        shipping_adjustment_reason=order.shipping_adjustment_reason,
        order_adjustment=format_cents(order.order_adjustment_cents) if order.order_adjustment_cents else "",
        order_adjustment_reason=order.order_adjustment_reason,
    )


def alt_contact_text(order: Order) -> str:
    if not order.alt_first_name:
        return ""
    parts = [f"{order.alt_first_name} {order.alt_last_name}", order.alt_email, order.alt_phone]
    return ", ".join(p for p in parts if p)


def checkout_adjustments(db: Session, caller: Caller) -> adjustments.CartAdjustments:
    """Customer service's shipping and order reductions saved on the effective customer's cart."""
    return adjustments.of_cart(db, carts.account_cart(db, caller.require_customer(), create=False))


def adjust_checkout(
    db: Session,
    caller: Caller,
    kind: object,
    amount: object,
    reason: object,
    expected_version: object,
    *,
    shipping_method: object = "standard",
    fulfilment: object = None,
    coupon_code: object = "",
    source: object = "",
) -> adjustments.CartAdjustments:
    """A CSR on behalf, holding the lock, reduces the shipping (`kind` "shipping") or the order total
    ("order") of the cart being checked out, with a reason; 0 removes it. The cap is of what it costs now,
    worked out here from the database and the choices sent (method, pickup, coupon) as place_order would;
    place_order decides again from what the order costs then."""
    adjustments.require_adjuster(caller)
    kind = adjustments.require_kind(kind)
    customer_id = caller.require_customer()
    cart = carts.account_cart(db, customer_id, create=False)
    lines = carts.priced_lines(db, caller, cart) if cart else []
    if not lines:
        raise DomainError("Your cart is empty.")
    t = carts.totals(lines)
    pickup, pickup_errors = _pickup_plan(db, fulfilment, lines)
    if pickup_errors:
        raise DomainError(next(iter(pickup_errors.values())))
    ships = any(line.line_id not in pickup for line in lines)
    coupon_cents = 0
    if coupons.normalize(coupon_code):
        try:
            coupon = coupons.check(db, coupon_code, t.subtotal_cents, customer_id, source=source)
            coupon_cents = coupons.discount_of(coupon, t.subtotal_cents)
        except DomainError:
            coupon_cents = 0
    ship = _order_shipping(shipping_method, t.subtotal_cents, coupon_cents, ships)
    if kind == "shipping":
        base = ship
    else:
        shipping_off = adjustments.apply(adjustments.of_cart(db, cart), ship, 0).shipping_cents
        base = t.subtotal_cents - coupon_cents + ship - shipping_off
    adjustments.save(db, caller, cart, kind, amount, reason, base, expected_version)
    return adjustments.of_cart(db, cart)
