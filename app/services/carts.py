"""Carts: find the caller's cart, view it priced for the effective customer, and change it.

Every change is one conditional UPDATE on the cart row (version and lock in the WHERE clause), so
the database decides between concurrent editors; lines are written only after that UPDATE won.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import Row, and_, bindparam, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from app import config
from app.services import adjust_cap, audit, cart_codes, changes, promotions
from app.services.caller import ANONYMOUS, Caller, parse_segments, staff_tag
from app.services.db import MAX_ID, as_utc, get_by_id, table_update, update_where, utcnow
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from app.services.money import format_cents
from app.services.permissions import ORDER_ADJUST_PRICE
from app.services.tokens import hash_token
from app.services.validation import QUANTITY_MESSAGE, parse_quantity
from models import Account, Cart, CartLine, Product, Variant

# -- what a cart display is handed (typed views: a misspelt field fails the build, not a blank cell) ----


@dataclass(frozen=True)
class AddedToCart:
    cart_id: int
    name: str
    quantity: int  # the line's quantity after the addition


@dataclass(frozen=True)
class PricedLine:
    """One cart line priced for the effective customer, in cents (what checkout computes with)."""

    line_id: int
    variant_id: int
    code: str
    sku: str
    name: str
    options: str
    image: str
    quantity: int
    stock: int
    # One item's price before customer service's adjustment, which is for the line as a whole.
    unit_cents: int
    list_cents: int
    promo_cents: int
    promo: str
    adjustment_cents: int
    adjustment_per_item_cents: int
    adjusted_items: int
    adjustment_reason: str
    line_cents: int
    promo_line_cents: int
    list_line_cents: int
    gift_message: str  # this line's own gift message (set at checkout)


@dataclass(frozen=True)
class CartLineView(PricedLine):
    """A priced line with its amounts formatted for display."""

    unit_price: str
    list_price: str
    discounted: bool
    line_total: str
    adjusted: bool
    adjustment: str
    adjustment_label: str
    promo_price: str


@dataclass(frozen=True)
class CartTotals:
    count: int
    list_subtotal_cents: int
    discount_cents: int  # promotions
    adjustment_cents: int  # customer service's price adjustments
    subtotal_cents: int


@dataclass(frozen=True)
class CartView(CartTotals):
    """Everything a cart display needs, for one caller (see `view`)."""

    id: int
    owner_id: int | None
    version: int
    lines: list[CartLineView]
    subtotal: str
    list_subtotal: str
    discount: str
    adjustment: str
    has_adjustment: bool
    can_adjust: bool
    locked: bool
    locked_by_me: bool
    lock_holder: str
    lock_holder_tag: str
    lock_ref: str
    lock_since: str
    can_edit: bool
    read_only: bool
    prepared_by: str
    code: str = ""  # an anonymous cart's code for customer service (app/services/cart_codes.py)
    moved: bool = False  # customer service moved this anonymous cart into a customer's cart


MAX_LINES = 50
STALE_MESSAGE = "Your cart was changed somewhere else. Here is the latest version; please try again."


def lock_minutes() -> timedelta:
    return timedelta(minutes=config.CART_LOCK_MINUTES)


def _anon_hash(anon_key: str | None) -> str | None:
    if not anon_key or not isinstance(anon_key, str) or len(anon_key) > 200:
        return None
    return hash_token(anon_key)


# The statements every add-to-cart (and cart view) runs, built once with bind parameters: building a WHERE
# clause costs more than running it on SQLite (bench/RESULTS.md, "unit of work").
_LINES, _VARIANTS, _PRODUCTS = CartLine.__table__.c, Variant.__table__.c, Product.__table__.c
_CARTS = Cart.__table__.c
_ACCOUNT_CART = select(Cart).where(Cart.account_id == bindparam("account_id"), Cart.status == "active")
_ANON_CART = select(Cart).where(Cart.anon_key_hash == bindparam("key"), Cart.status == "active")
# Every page load of an anonymous visitor without a cart asks this (`_last_moved`).
_LAST_ANON_CART_STATUS = (
    select(_CARTS.status).where(_CARTS.anon_key_hash == bindparam("key")).order_by(_CARTS.id.desc()).limit(1)
)
_VARIANT_BY_SKU = (
    select(Variant, Product)
    .join(Product, Product.id == Variant.product_id)
    .where(Variant.sku == bindparam("sku"))
)


def _add_target(cart_is):
    """An add-to-cart's reads in one statement, as a plain row: the variant with its product's name, the
    caller's active cart (`cart_is`: whose it is; `cart_id` None when they have none yet) with the version the
    change is claimed against, and that cart's line of the variant (`line_id` None when there is none). No
    ORM object: a whole Cart row and its instance cost as much as the rest of the statement (bench/RESULTS.md,
    "An add-to-cart's cart read narrowed")."""
    return (
        select(
            _CARTS.id.label("cart_id"),
            _CARTS.version.label("cart_version"),
            _VARIANTS.id.label("variant_id"),
            _VARIANTS.stock,
            _VARIANTS.option1,
            _VARIANTS.option2,
            _PRODUCTS.name,
            _LINES.id.label("line_id"),
            _LINES.quantity.label("line_quantity"),
        )
        .select_from(Variant.__table__)
        .join(Product.__table__, _PRODUCTS.id == _VARIANTS.product_id)
        .outerjoin(Cart.__table__, and_(cart_is, _CARTS.status == "active"))
        .outerjoin(CartLine.__table__, and_(_LINES.cart_id == _CARTS.id, _LINES.variant_id == _VARIANTS.id))
        .where(_VARIANTS.sku == bindparam("sku"))
    )


_ADD_TARGET = {
    "account_id": _add_target(_CARTS.account_id == bindparam("account_id")),
    "key": _add_target(_CARTS.anon_key_hash == bindparam("key")),
}
_LINE_COUNT = (
    select(func.count()).select_from(CartLine.__table__).where(_LINES.cart_id == bindparam("cart_id"))
)
# A changed cart read afresh for its viewers, with its owner's segments (the prices it is shown at): a plain row
# of what `_render` reads, not a Cart object (bench/RESULTS.md, "An add-to-cart's cart read narrowed").
_CART_AND_OWNER = (
    select(
        _CARTS.id,
        _CARTS.account_id,
        _CARTS.status,
        _CARTS.version,
        _CARTS.locked_by_id,
        _CARTS.locked_at,
        _CARTS.lock_expires_at,
        _CARTS.prepared_by_id,
        _CARTS.updated_at,
        _CARTS.code,
        Account.__table__.c.segments,
    )
    .select_from(Cart.__table__)
    .outerjoin(Account.__table__, Account.__table__.c.id == _CARTS.account_id)
    .where(_CARTS.id == bindparam("cart_id"))
)
_SET_LINE_QUANTITY = (
    table_update(CartLine).where(_LINES.id == bindparam("line_id")).values(quantity=bindparam("quantity"))
)
# A cart's lines with what pricing and display need, as plain rows (read only: no ORM objects to build). Their
# names serve `granted_discount` as the line's and `_options` as the variant's.
_PRICED_ROWS = (
    select(
        _LINES.id,
        _LINES.quantity,
        _LINES.adjustment_cents,
        _LINES.adjustment_quantity,
        _LINES.adjustment_reason,
        _LINES.gift_message,
        _VARIANTS.id.label("variant_id"),
        _VARIANTS.sku,
        _VARIANTS.option1,
        _VARIANTS.option2,
        _VARIANTS.stock,
        _PRODUCTS.id.label("product_id"),
        _PRODUCTS.code,
        _PRODUCTS.name,
        _PRODUCTS.image,
        _PRODUCTS.price_cents,
        _PRODUCTS.category_id,
    )
    .join_from(CartLine.__table__, Variant.__table__, _VARIANTS.id == _LINES.variant_id)
    .join(Product.__table__, _PRODUCTS.id == _VARIANTS.product_id)
    .where(_LINES.cart_id == bindparam("cart_id"))
    .order_by(_LINES.id)
)


def account_cart(db: Session, account_id: int, *, create: bool) -> Cart | None:
    params = {"account_id": account_id}
    cart = db.exec(_ACCOUNT_CART, params=params).first()
    if cart is None and create:
        try:
            with db.begin_nested():
                cart = Cart(account_id=account_id)
                db.add(cart)
                db.flush()
        except IntegrityError:  # another request created it first: the partial unique index decided
            cart = db.exec(_ACCOUNT_CART, params=params).first()
    return cart


def _whose_cart(caller: Caller, anon_key: str | None) -> tuple[str, int | str] | None:
    """Which active cart the caller looks at, as (bind parameter, value) of `_ADD_TARGET`; None when they
    have none (a CSR on their own, a browser without its key): `current_cart` says what then."""
    if caller.customer_id is not None:
        return "account_id", caller.customer_id
    key = None if caller.signed_in else _anon_hash(anon_key)
    return ("key", key) if key is not None else None


def current_cart(db: Session, caller: Caller, anon_key: str | None, *, create: bool = False) -> Cart | None:
    """The cart this caller is looking at: the effective customer's, or the anonymous browser's."""
    if caller.customer_id is not None:
        return account_cart(db, caller.customer_id, create=create)
    if caller.signed_in:
        if create:
            raise Forbidden("Access a customer's account before adding to a cart.")
        return None  # a CSR on their own has no cart
    key = _anon_hash(anon_key)
    if key is None:
        if create:
            raise DomainError("Your browser session is missing; please reload the page.")
        return None
    cart = db.exec(_ANON_CART, params={"key": key}).first()
    if cart is None and create:
        cart = Cart(anon_key_hash=key)
        db.add(cart)
        db.flush()
    return cart


def lock_ref(cart: Cart) -> str:
    """An opaque name for one holding of a cart's lock (who and since when), without the holder's id:
    a takeover is confirmed against it, so a lock that changed hands meanwhile is not taken blind."""
    if not lock_active(cart):
        return ""
    raw = f"{cart.id}:{cart.locked_by_id}:{as_utc(cart.locked_at).isoformat() if cart.locked_at else ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def lock_active(cart: Cart) -> bool:
    expires = as_utc(cart.lock_expires_at)
    return cart.locked_by_id is not None and expires is not None and expires > utcnow()


def _refusal(db: Session, cart: Cart, caller: Caller) -> DomainError:
    """Why the conditional UPDATE found no row: checked out, the lock, or else a stale version."""
    db.refresh(cart)
    if cart.status != "active":
        return Conflict("This cart was already checked out. Here is your new cart.")
    if caller.on_behalf:
        if not lock_active(cart):
            return Forbidden("Lock the cart before changing it (mini-cart → Lock).")
        if cart.locked_by_id != caller.account_id:
            holder = db.get(Account, cart.locked_by_id)
            name = f"{holder.first_name} {holder.last_name}" if holder else "another representative"
            return Forbidden(f"Your lock was taken over by {name}. The cart is read-only for you now.")
    elif lock_active(cart):
        return Forbidden(
            "Customer service is working on this cart right now. It is read-only until they finish."
        )
    return Conflict(STALE_MESSAGE)


def check_can_change(db: Session, cart: Cart, caller: Caller) -> None:
    """Refuse now, without writing, if the caller may not change the cart (its lock, as `claim_change` sees
    it): for work that must not start without the lock. `claim_change` still decides."""
    db.refresh(cart)
    if cart.status == "active":
        if caller.on_behalf:
            allowed = lock_active(cart) and cart.locked_by_id == caller.account_id
        else:
            allowed = not lock_active(cart)
        if allowed:
            return
    raise _refusal(db, cart, caller)


def _claim(on_behalf: bool):
    """The conditional UPDATE of `claim_change`, built once per kind of caller. Who may change the cart: the
    CSR holding a live lock, or anyone else only while it is unlocked."""
    now = bindparam("now")
    values = {"version": _CARTS.version + 1, "updated_at": now}
    if on_behalf:  # the lock lives on while the holder works
        values["lock_expires_at"] = bindparam("lock_expires")
        may = and_(_CARTS.locked_by_id == bindparam("holder_id"), _CARTS.lock_expires_at > now)
    else:
        may = or_(_CARTS.locked_by_id.is_(None), _CARTS.lock_expires_at <= now)
    return (
        table_update(Cart)
        .where(
            _CARTS.id == bindparam("cart_id"),
            _CARTS.status == "active",
            _CARTS.version == bindparam("seen"),
            may,
        )
        .values(values)
    )


_CLAIM = {False: _claim(False), True: _claim(True)}


def claim_change(db: Session, cart: Cart, caller: Caller, expected_version: int | None) -> int:
    """Atomically bump the cart's version if the caller may change it; returns the new version."""
    version = cart.version if expected_version is None else expected_version
    params = _claim_by_id(db, cart.id, version, caller)
    # The row is now exactly what the WHERE matched plus these values: say so without reading it again.
    set_committed_value(cart, "version", version + 1)
    set_committed_value(cart, "updated_at", params["now"])
    if caller.on_behalf:
        set_committed_value(cart, "lock_expires_at", params["lock_expires"])
    return cart.version


def _claim_by_id(db: Session, cart_id: int, version: int, caller: Caller) -> dict:
    """`claim_change` of the cart `cart_id` seen at `version`, for a caller holding no Cart object (the
    add-to-cart); returns the values written. A refusal reads the cart to say why."""
    now = utcnow()
    params = {"cart_id": cart_id, "seen": version, "now": now}
    if caller.on_behalf:
        params |= {"holder_id": caller.account_id, "lock_expires": now + lock_minutes()}
    if db.exec(_CLAIM[caller.on_behalf], params=params).rowcount != 1:
        raise _refusal(db, db.get(Cart, cart_id), caller)
    changes.cart_changed(db, cart_id)
    return params


def _version_arg(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise DomainError("That request was malformed; please reload the page.")
    return value


def add(
    db: Session,
    caller: Caller,
    anon_key: str | None,
    sku: object,
    quantity: object,
    expected_version: object = None,
) -> AddedToCart:
    qty = parse_quantity(quantity)
    if qty is None:
        raise DomainError(QUANTITY_MESSAGE, field="quantity")
    version = _version_arg(expected_version)
    if not isinstance(sku, str) or not sku or len(sku) > 60:
        raise NotFound("Choose the product options first.")
    whose = _whose_cart(caller, anon_key)
    if whose is None:
        # Nobody's cart to add to (a CSR on their own, a browser without its key): once the product is known to
        # exist, current_cart refuses and says why; the last line only keeps that promise if it ever changes.
        if db.exec(_VARIANT_BY_SKU, params={"sku": sku}).first() is None:
            raise NotFound("That product is no longer available.")
        current_cart(db, caller, anon_key, create=True)
        raise DomainError("Your browser session is missing; please reload the page.")
    found = db.execute(_ADD_TARGET[whose[0]], {"sku": sku, whose[0]: whose[1]}).first()
    if found is None:
        raise NotFound("That product is no longer available.")
    if found.cart_id is None:
        cart = current_cart(db, caller, anon_key, create=True)
        cart_id, seen = cart.id, cart.version
    else:
        cart_id, seen = found.cart_id, found.cart_version if version is None else version
    line_id = found.line_id
    new_qty = qty + (found.line_quantity if line_id is not None else 0)
    if new_qty > 99:
        raise DomainError("You can have at most 99 of one item in your cart.", field="quantity")
    if new_qty > found.stock:
        raise DomainError(_stock_message(found.name, found.stock), field="quantity")
    if line_id is None and db.exec(_LINE_COUNT, params={"cart_id": cart_id}).one() >= MAX_LINES:
        raise DomainError(f"A cart holds at most {MAX_LINES} different items.")
    _claim_by_id(db, cart_id, seen, caller)
    if line_id is None:
        db.add(
            CartLine(
                cart_id=cart_id,
                variant_id=found.variant_id,
                quantity=qty,
                added_by_id=caller.account_id if caller.on_behalf else None,
            )
        )
        db.flush()
    else:  # one UPDATE, without the ORM's flush machinery (no line object was loaded)
        db.exec(_SET_LINE_QUANTITY, params={"line_id": line_id, "quantity": new_qty})
    audit.record(
        db,
        caller,
        "cart_add",
        cart_id=cart_id,
        details=f"{found.name} {_options(found)} x{qty}".replace("  ", " "),
    )
    return AddedToCart(cart_id=cart_id, name=found.name, quantity=new_qty)


def _stock_message(name: str, stock: int) -> str:
    if stock <= 0:
        return f"{name} is out of stock."
    return f"Only {stock} of {name} left in stock."


def _options(variant: Variant) -> str:
    return " / ".join(o for o in (variant.option1, variant.option2) if o)


def _own_line(db: Session, caller: Caller, anon_key: str | None, line_id: object) -> tuple[Cart, CartLine]:
    cart = current_cart(db, caller, anon_key)
    line = get_by_id(db, CartLine, line_id)
    if cart is None or line is None or line.cart_id != cart.id:
        raise NotFound("That item is no longer in the cart.")
    return cart, line


def set_quantity(
    db: Session,
    caller: Caller,
    anon_key: str | None,
    line_id: object,
    quantity: object,
    expected_version: object,
) -> None:
    qty = parse_quantity(quantity)
    if qty is None:
        raise DomainError(QUANTITY_MESSAGE, field="quantity")
    version = _version_arg(expected_version)
    cart, line = _own_line(db, caller, anon_key, line_id)
    variant = db.get(Variant, line.variant_id)
    product = db.get(Product, variant.product_id)
    if qty > variant.stock:
        raise DomainError(_stock_message(product.name, variant.stock), field="quantity")
    claim_change(db, cart, caller, version)
    old = line.quantity
    line.quantity = qty
    db.add(line)
    audit.record(db, caller, "cart_quantity", cart_id=cart.id, details=f"{product.name}: {old} → {qty}")


def remove(
    db: Session, caller: Caller, anon_key: str | None, line_id: object, expected_version: object
) -> None:
    version = _version_arg(expected_version)
    cart, line = _own_line(db, caller, anon_key, line_id)
    variant = db.get(Variant, line.variant_id)
    product = db.get(Product, variant.product_id)
    claim_change(db, cart, caller, version)
    db.delete(line)
    audit.record(db, caller, "cart_remove", cart_id=cart.id, details=f"{product.name} x{line.quantity}")


MAX_REASON = adjust_cap.MAX_REASON


def adjust_price(
    db: Session,
    caller: Caller,
    line_id: object,
    amount_cents: object,
    reason: object,
    expected_version: object,
) -> None:
    """A CSR on behalf reduces one line's price by `amount_cents` per item, with a reason; 0 removes it.

    The reduction is granted for the line's quantity now and never grows: raising the quantity later adds
    items at the full price, lowering it shrinks the reduction with it (see `granted_discount`).
    """
    caller.require(ORDER_ADJUST_PRICE)
    if not caller.on_behalf:
        raise Forbidden("Access a customer's account before adjusting a price.")
    version = _version_arg(expected_version)
    amount_cents = adjust_cap.parse_amount(amount_cents)
    reason = adjust_cap.parse_reason(reason, amount_cents)
    cart, line = _own_line(db, caller, None, line_id)
    priced = next(p for p in priced_lines(db, caller, cart) if p.line_id == line.id)
    # Capped of one item's price (ADJUST_LIMIT_PERCENT for a CSR), never more than the price.
    adjust_cap.check(caller, amount_cents, priced.promo_cents, "this price", "the price")
    claim_change(db, cart, caller, version)
    granted_for = line.quantity if amount_cents else 0
    line.adjustment_cents = amount_cents * granted_for
    line.adjustment_quantity = granted_for
    line.adjustment_reason = reason if amount_cents else ""
    line.adjusted_by_id = caller.account_id if amount_cents else None
    db.add(line)
    db.flush()
    if amount_cents:
        details = (
            f"{priced.name}: −{format_cents(amount_cents)} per item on {_items(granted_for)}, "
            f"at most −{format_cents(line.adjustment_cents)} whatever the quantity ({reason})"
        )
    else:
        details = f"{priced.name}: price adjustment removed"
    audit.record(db, caller, "price_adjust", cart_id=cart.id, details=details)


def _items(n: int) -> str:
    return f"{n} item{'s' if n != 1 else ''}"


def granted_discount(line: CartLine, promo_cents: int) -> tuple[int, int, int]:
    """What a line's price adjustment takes off now: (total, per item, items it applies to).

    The grant is a reduction per item for at most the quantity it was granted for, so the total never
    exceeds what was granted, and never takes an item below zero (a promotion may have started since).
    """
    if line.adjustment_cents <= 0 or line.adjustment_quantity <= 0:
        return 0, 0, 0
    per_item = min(line.adjustment_cents // line.adjustment_quantity, promo_cents)
    items = min(line.quantity, line.adjustment_quantity)
    return per_item * items, per_item, items


def priced_lines(db: Session, caller: Caller, cart: Cart) -> list[PricedLine]:
    rows = db.execute(_PRICED_ROWS, {"cart_id": cart.id}).all()
    promos = promotions.applicable(db, caller.customer_id, caller.customer_segments)
    out = []
    for line in rows:
        price = promotions.price_for(line.product_id, line.category_id, line.price_cents, promos)
        adjustment, per_item, adjusted_items = granted_discount(line, price.cents)
        out.append(
            PricedLine(
                line_id=line.id,
                variant_id=line.variant_id,
                code=line.code,
                sku=line.sku,
                name=line.name,
                options=_options(line),
                image=line.image,
                quantity=line.quantity,
                stock=line.stock,
                unit_cents=price.cents,
                list_cents=price.list_cents,
                promo_cents=price.cents,
                promo=price.label,
                adjustment_cents=adjustment,
                adjustment_per_item_cents=per_item,
                adjusted_items=adjusted_items,
                adjustment_reason=line.adjustment_reason if adjustment else "",
                line_cents=price.cents * line.quantity - adjustment,
                promo_line_cents=price.cents * line.quantity,
                list_line_cents=price.list_cents * line.quantity,
                gift_message=line.gift_message,
            )
        )
    return out


def totals(lines: list[PricedLine]) -> CartTotals:
    list_subtotal = sum(line.list_line_cents for line in lines)
    promo_subtotal = sum(line.promo_line_cents for line in lines)
    subtotal = sum(line.line_cents for line in lines)
    return CartTotals(
        count=sum(line.quantity for line in lines),
        list_subtotal_cents=list_subtotal,
        discount_cents=list_subtotal - promo_subtotal,
        adjustment_cents=promo_subtotal - subtotal,
        subtotal_cents=subtotal,
    )


def _adjustment_label(line: PricedLine) -> str:
    """E.g. "−$5.00 each on 2 items", or "−$150.00 each on 1 of 40 items" once the quantity grew."""
    if not line.adjustment_cents:
        return ""
    per_item, items, qty = line.adjustment_per_item_cents, line.adjusted_items, line.quantity
    on = _items(items) if items == qty else f"{items} of {_items(qty)}"
    return f"−{format_cents(per_item)} each on {on}"


def view(db: Session, caller: Caller, anon_key: str | None) -> CartView:
    """Everything a cart display needs, for this caller.

    A registered customer's cart is created on first view, so every browser looking at it (the
    customer's, the CSRs') has the same cart to follow before anyone adds to it.
    """
    # A change earlier in this transaction may have used conditional UPDATEs, which bypass the
    # session's objects: write what is pending, then read everything afresh.
    db.flush()
    db.expire_all()
    if caller.customer_id is not None:
        cart = account_cart(db, caller.customer_id, create=True)
    else:
        cart = current_cart(db, caller, anon_key)
    shown = _render(db, cart, priced_lines(db, caller, cart) if cart else [], caller)
    if cart is None and not caller.signed_in:
        shown = replace(shown, moved=_last_moved(db, anon_key))
    return shown


def _last_moved(db: Session, anon_key: str | None) -> bool:
    """Whether this browser's last cart was moved to a customer's account by customer service (until the
    shopper starts a new one), so a reload still says where it went."""
    key = _anon_hash(anon_key)
    if key is None:
        return False
    return db.execute(_LAST_ANON_CART_STATUS, {"key": key}).scalar() == "moved"


def _line_view(line: PricedLine) -> CartLineView:
    return CartLineView(
        **vars(line),
        unit_price=format_cents(line.unit_cents),
        list_price=format_cents(line.list_cents),
        discounted=line.unit_cents < line.list_cents,
        line_total=format_cents(line.line_cents),
        adjusted=line.adjustment_cents > 0,
        adjustment=format_cents(line.adjustment_cents),
        adjustment_label=_adjustment_label(line),
        promo_price=format_cents(line.promo_cents),
    )


def _render(db: Session, cart: Cart | Row | None, lines: list[PricedLine], caller: Caller) -> CartView:
    """The view of `cart` (an object, or a row of `_CART_AND_OWNER`'s columns) with its priced `lines`."""
    t = totals(lines)
    locked = cart is not None and lock_active(cart)
    holder = db.get(Account, cart.locked_by_id) if locked else None
    by_me = locked and caller.account_id is not None and cart.locked_by_id == caller.account_id
    if caller.on_behalf:
        can_edit = by_me
    else:
        can_edit = not locked and (caller.customer_id is not None or not caller.signed_in)
    prepared = db.get(Account, cart.prepared_by_id) if cart is not None and cart.prepared_by_id else None
    return CartView(
        **vars(t),
        id=cart.id if cart else 0,
        owner_id=cart.account_id if cart else None,
        version=cart.version if cart else 0,
        lines=[_line_view(line) for line in lines],
        subtotal=format_cents(t.subtotal_cents),
        list_subtotal=format_cents(t.list_subtotal_cents),
        discount=format_cents(t.discount_cents),
        adjustment=format_cents(t.adjustment_cents),
        has_adjustment=t.adjustment_cents > 0,
        can_adjust=by_me and caller.can(ORDER_ADJUST_PRICE),
        locked=locked,
        locked_by_me=by_me,
        lock_holder=f"{holder.first_name} {holder.last_name}" if holder else "",
        lock_holder_tag=staff_tag(holder) if holder else "",
        lock_ref=lock_ref(cart) if cart is not None else "",
        lock_since=as_utc(cart.locked_at).strftime("%H:%M UTC") if locked and cart.locked_at else "",
        can_edit=can_edit,
        read_only=not can_edit,
        prepared_by=f"{prepared.first_name} {prepared.last_name}" if prepared else "",
        # An anonymous cart with lines shows its code for customer service; a moved one says where it went.
        code=cart_codes.shown(db, cart) if cart is not None and cart.account_id is None and lines else "",
        moved=cart is not None and cart.status == "moved",
    )


def merge_anonymous(db: Session, anon_key: str | None, account_id: int) -> int:
    """Move an anonymous browser's cart into the account's cart at sign-in; returns lines merged."""
    key = _anon_hash(anon_key)
    if key is None:
        return 0
    anon = db.exec(select(Cart).where(Cart.anon_key_hash == key, Cart.status == "active")).first()
    if anon is None:
        return 0
    anon_lines = db.exec(select(CartLine).where(CartLine.cart_id == anon.id)).all()
    if not anon_lines:
        return 0
    cart = account_cart(db, account_id, create=True)
    if lock_active(cart):
        return 0  # customer service holds the account's cart; the anonymous cart stays as it is
    merged = move_lines(db, anon_lines, cart)
    db.exec(
        update_where(Cart).where(Cart.id == cart.id).values(version=Cart.version + 1, updated_at=utcnow())
    )
    anon.status = "merged"
    anon.code = None
    db.add(anon)
    db.flush()
    changes.cart_changed(db, cart.id)
    return merged


def move_lines(db: Session, lines: list[CartLine], cart: Cart, added_by_id: int | None = None) -> int:
    """Add an anonymous cart's lines to `cart` (quantities added up, at most 99 and what is in stock); returns
    how many lines were merged. The caller has claimed `cart` (or holds it) and closes the other cart."""
    merged = 0
    for anon_line in lines:
        variant = db.get(Variant, anon_line.variant_id)
        line = db.exec(
            select(CartLine).where(CartLine.cart_id == cart.id, CartLine.variant_id == variant.id)
        ).first()
        qty = min(99, variant.stock, anon_line.quantity + (line.quantity if line else 0))
        if qty <= 0:
            continue
        if line is None:
            db.add(CartLine(cart_id=cart.id, variant_id=variant.id, quantity=qty, added_by_id=added_by_id))
        else:
            line.quantity = qty
            db.add(line)
        merged += 1
    db.flush()
    return merged


def owner_view(db: Session, cart_id: int) -> CartView | None:
    """The cart as its owner sees it (their prices), for publishing to its viewers.

    For a registered customer that is their current cart: after an order it is the new, empty one."""
    db.flush()
    db.expire_all()  # as in `view`: read what this transaction's conditional UPDATEs wrote
    found = db.execute(_CART_AND_OWNER, {"cart_id": cart_id}).first()
    return _owner_view(db, found) if found is not None else None


def _owner_view(db: Session, cart: Row) -> CartView | None:
    """`owner_view` of a cart read afresh in this transaction (`_CART_AND_OWNER`: its owner's `segments` None
    without an owner)."""
    segments = cart.segments
    if not cart.account_id or segments is None:
        return None
    owner_id = cart.account_id
    caller = Caller(account_id=owner_id, customer_id=owner_id, customer_segments=parse_segments(segments))
    current = cart if cart.status == "active" else account_cart(db, owner_id, create=True)
    return _render(db, current, priced_lines(db, caller, current), caller)


def published_view(db: Session, cart_id: int) -> tuple[int | None, CartView] | None:
    """(owner account id, view) of a changed cart for its viewers; None when nobody can be viewing it.

    Called by app/services/live.py `collect`, which has just written what is pending and expired every
    object of the transaction: everything read here is read afresh."""
    cart = db.execute(_CART_AND_OWNER, {"cart_id": cart_id}).first()
    if cart is None:
        return None
    if cart.account_id:
        view = _owner_view(db, cart)
        return (cart.account_id, view) if view is not None else None
    if cart.status == "moved":
        return None, _render(db, cart, [], ANONYMOUS)  # customer service moved it: its browser is told so
    if cart.status != "active":
        return None  # merged into an account's cart at sign-in: that browser follows the account now
    lines = priced_lines(db, ANONYMOUS, cart)
    return None, _render(db, cart, lines, ANONYMOUS)
