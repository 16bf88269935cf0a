"""Ship to home or pick up in a store, per order line (docs/PRODUCT.md §Shopping): store stock, refusals,
shipping cost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.services import auth, carts, locks, orders, stores
from app.services.db import session_scope
from app.services.errors import DomainError, FieldErrors
from app.services.stores import FulfilmentChoice as Choice
from models import Cart, CartLine, Order, OrderLine, Store, StoreStock, Variant
from tests.conftest import caller_for, make_account, make_product, sku_of
from tests.unit.test_orders_payments import commit, on_behalf, place, stock


def add_store(db, code, name, city="Springfield", active=True) -> Store:
    store = Store(code=code, name=name, line1="1 Main St", city=city, postal_code="62701", active=active)
    db.add(store)
    db.flush()
    return store


def shelve(db, store, product, quantity) -> None:
    variant = db.exec(select(Variant).where(Variant.product_id == product.id)).one()
    db.add(StoreStock(store_id=store.id, variant_id=variant.id, quantity=quantity))


@pytest.fixture
def shop(db):
    """Jane's cart: 2 mugs ($12.00) and 1 lamp ($49.00); stores Downtown (mugs 5, lamps 1), Riverside
    (mugs 0, no lamp row at all) and a closed Airport store (mugs 9)."""
    jane = make_account(db, "Jane", "Doe")
    mug = make_product(db, code="MUG", price=1200, stock=10)
    lamp = make_product(db, code="LAMP", price=4900, stock=10, category="home")
    downtown = add_store(db, "DTN", "Downtown")
    riverside = add_store(db, "RVS", "Riverside", city="Shelbyville")
    airport = add_store(db, "APT", "Airport", active=False)
    shelve(db, downtown, mug, 5)
    shelve(db, downtown, lamp, 1)
    shelve(db, riverside, mug, 0)
    shelve(db, airport, mug, 9)
    commit(db)
    caller, _ = caller_for(db, jane)
    carts.add(db, caller, None, sku_of(mug), 2)
    carts.add(db, caller, None, sku_of(lamp), 1)
    commit(db)
    lines = {line.code: line.line_id for line in carts.view(db, caller, None).lines}
    return {
        "jane": jane,
        "caller": caller,
        "mug": mug,
        "lamp": lamp,
        "stores": {"DTN": downtown, "RVS": riverside, "APT": airport},
        "mug_line": lines["MUG"],
        "lamp_line": lines["LAMP"],
    }


def shelf(db, store, product) -> int | None:
    db.expire_all()
    return db.exec(
        select(StoreStock.quantity)
        .join(Variant, Variant.id == StoreStock.variant_id)
        .where(StoreStock.store_id == store.id, Variant.product_id == product.id)
    ).first()


def nothing_written(db, shop, cart_version) -> None:
    """No order, no stock taken anywhere, the cart still open at the same version."""
    db.rollback()
    db.expire_all()
    assert db.exec(select(func.count()).select_from(Order)).one() == 0
    assert stock(db, shop["mug"]) == 10 and stock(db, shop["lamp"]) == 10
    assert shelf(db, shop["stores"]["DTN"], shop["mug"]) == 5
    assert shelf(db, shop["stores"]["DTN"], shop["lamp"]) == 1
    cart = db.exec(select(Cart).where(Cart.account_id == shop["jane"].id)).one()
    assert (cart.status, cart.version) == ("active", cart_version)
    assert len(db.exec(select(CartLine).where(CartLine.cart_id == cart.id)).all()) == 2


def version(db, shop) -> int:
    return carts.view(db, shop["caller"], None).version


# -- stores service -------------------------------------------------------------------------------


def test_active_stores_and_stock_per_store_in_one_query(db, shop):
    assert [s.code for s in stores.active_stores(db)] == ["DTN", "RVS"]
    mug_variant, lamp_variant = (
        db.exec(select(Variant.id).where(Variant.product_id == p.id)).one()
        for p in (shop["mug"], shop["lamp"])
    )
    dtn, rvs, apt = (shop["stores"][c].id for c in ("DTN", "RVS", "APT"))
    assert stores.stock_by_store(db, [mug_variant, lamp_variant, "x", True]) == {
        mug_variant: {dtn: 5, rvs: 0, apt: 9},
        lamp_variant: {dtn: 1},
    }
    assert stores.stock_by_store(db, []) == {}


def test_checkout_choices_show_each_stores_stock_and_disable_what_is_short(db, shop):
    options = {o.code: o for o in orders.fulfilment_options(db, shop["caller"])}
    assert options["MUG"].choices == [
        Choice(value="ship", label="Ship to home", disabled=False),
        Choice(value="DTN", label="Pick up at Downtown (5 in stock)", disabled=False),
        Choice(value="RVS", label="Pick up at Riverside (out of stock)", disabled=True),
    ]
    assert options["LAMP"].choices[1:] == [
        Choice(value="DTN", label="Pick up at Downtown (1 in stock)", disabled=False),
        Choice(value="RVS", label="Pick up at Riverside (out of stock)", disabled=True),
    ]
    carts.set_quantity(db, shop["caller"], None, shop["mug_line"], 6, None)
    commit(db)
    mug = next(o for o in orders.fulfilment_options(db, shop["caller"]) if o.code == "MUG")
    assert mug.choices[1] == Choice(value="DTN", label="Pick up at Downtown (only 5 in stock)", disabled=True)


# -- placing orders -------------------------------------------------------------------------------


def test_pickup_takes_store_stock_and_ship_takes_web_stock(db, shop):
    number = place(db, shop["caller"], fulfilment={shop["mug_line"]: "DTN", shop["lamp_line"]: "ship"})
    commit(db)
    assert shelf(db, shop["stores"]["DTN"], shop["mug"]) == 3
    assert stock(db, shop["mug"]) == 10  # the web warehouse is untouched by the pickup line
    assert stock(db, shop["lamp"]) == 9
    assert shelf(db, shop["stores"]["DTN"], shop["lamp"]) == 1
    by_code = {l.product_code: l for l in db.exec(select(OrderLine))}
    assert (by_code["MUG"].fulfilment, by_code["MUG"].pickup_store_id) == ("pickup", shop["stores"]["DTN"].id)
    assert (by_code["LAMP"].fulfilment, by_code["LAMP"].pickup_store_id) == ("ship", None)
    detail = orders.order_detail(db, shop["caller"], number)
    assert {l.code: l.fulfilment for l in detail.lines} == {
        "MUG": "Pick up at Downtown, Springfield",
        "LAMP": "Ship to home",
    }
    assert detail.ships and "Springfield" in detail.address


def test_mixed_order_pays_shipping_like_an_all_ship_order(db, shop):
    place(db, shop["caller"], fulfilment={shop["mug_line"]: "DTN"})  # the lamp is not named: it ships
    commit(db)
    order = db.exec(select(Order)).one()
    subtotal = 2 * 1200 + 4900
    assert (order.shipping_method, order.shipping_cents) == ("standard", 599)  # free only from $75
    assert order.total_cents == subtotal + 599
    assert order.ship_line1 == "1 Main St"


def test_without_fulfilment_everything_ships_as_before(db, shop):
    place(db, shop["caller"])
    commit(db)
    assert {l.fulfilment for l in db.exec(select(OrderLine))} == {"ship"}
    assert stock(db, shop["mug"]) == 8 and shelf(db, shop["stores"]["DTN"], shop["mug"]) == 5


def test_all_pickup_is_free_and_needs_no_address_or_method(db, shop):
    number = place(
        db,
        shop["caller"],
        new_address=None,
        address_id=None,
        shipping_method=None,
        fulfilment={shop["mug_line"]: "DTN", shop["lamp_line"]: "DTN"},
    )
    commit(db)
    order = db.exec(select(Order)).one()
    assert (order.shipping_cents, order.shipping_method) == (0, "pickup")
    assert order.total_cents == 2 * 1200 + 4900
    assert (order.ship_name, order.ship_line1, order.ship_city) == ("Jane Doe", "", "")
    detail = orders.order_detail(db, shop["caller"], number)
    assert (detail.shipping, detail.shipping_method, detail.ships) == (
        "Free",
        "Pick up in store",
        False,
    )
    assert detail.address == ""
    assert shelf(db, shop["stores"]["DTN"], shop["lamp"]) == 0
    # No address was given, so none is saved to the account.
    from models import Address

    assert db.exec(select(Address)).first() is None


def test_pickup_without_enough_stock_is_refused_naming_product_and_store(db, shop):
    v = version(db, shop)
    carts.set_quantity(db, shop["caller"], None, shop["lamp_line"], 2, v)
    commit(db)
    v = version(db, shop)
    with pytest.raises(DomainError) as e:
        place(db, shop["caller"], fulfilment={shop["mug_line"]: "DTN", shop["lamp_line"]: "DTN"})
    assert e.value.message.startswith("Only 1 of Product LAMP left at the Downtown store.")
    assert e.value.field == f"fulfilment-{shop['lamp_line']}"
    db.rollback()
    # The mug's store stock taken earlier in the same transaction was rolled back with it.
    assert shelf(db, shop["stores"]["DTN"], shop["mug"]) == 5
    assert db.exec(select(func.count()).select_from(Order)).one() == 0
    assert version(db, shop) == v


@pytest.mark.parametrize("store", ["RVS", "DTN-no-lamp-row"])
def test_pickup_in_a_store_without_the_item_is_refused_and_nothing_written(db, shop, store):
    v = version(db, shop)
    if store == "RVS":  # a row with 0
        fulfilment, message = {shop["mug_line"]: "RVS"}, "Product MUG is out of stock at the Riverside store."
    else:  # no row at all for the lamp at Riverside
        fulfilment = {shop["mug_line"]: "DTN", shop["lamp_line"]: "RVS"}
        message = "Product LAMP is out of stock at the Riverside store."
    with pytest.raises(DomainError) as e:
        place(db, shop["caller"], fulfilment=fulfilment)
    assert e.value.message == message + " Choose another store or Ship to home."
    nothing_written(db, shop, v)


@pytest.mark.parametrize(
    "fulfilment, key",
    [
        ({"MUG": "DTN"}, "fulfilment"),  # not a line id
        ({True: "DTN"}, "fulfilment"),
        ({999999: "DTN"}, "fulfilment"),  # a line that is not in this cart
        ({"mug": "NOPE"}, "fulfilment-mug"),  # an unknown store
        ({"mug": "APT"}, "fulfilment-mug"),  # a closed store
        ({"mug": "dtn"}, "fulfilment-mug"),  # codes are exact
        ({"mug": None}, "fulfilment-mug"),
        ({"mug": ["DTN"]}, "fulfilment-mug"),
        ({"mug": 1}, "fulfilment-mug"),
        (["DTN"], "fulfilment"),
        ("DTN", "fulfilment"),
        ({i: "ship" for i in range(60)}, "fulfilment"),  # more entries than a cart has lines
    ],
)
def test_forged_fulfilment_is_a_field_error_and_nothing_written(db, shop, fulfilment, key):
    if isinstance(fulfilment, dict) and "mug" in fulfilment:
        fulfilment = {shop["mug_line"]: fulfilment["mug"]}
        key = f"fulfilment-{shop['mug_line']}"
    v = version(db, shop)
    with pytest.raises(FieldErrors) as e:
        place(db, shop["caller"], fulfilment=fulfilment)
    assert e.value.errors.get(key)
    nothing_written(db, shop, v)


def test_another_customers_line_is_unknown(db, shop):
    other = make_account(db, "Olly", "Other")
    caller, _ = caller_for(db, other)
    carts.add(db, caller, None, sku_of(shop["mug"]), 1)
    commit(db)
    other_line = carts.view(db, caller, None).lines[0].line_id
    with pytest.raises(FieldErrors) as e:
        place(db, shop["caller"], fulfilment={other_line: "DTN"})
    assert "fulfilment" in e.value.errors


def test_all_pickup_still_checks_the_card_and_a_shipping_line_still_needs_an_address(db, shop):
    with pytest.raises(FieldErrors) as e:
        place(db, shop["caller"], new_address=None, card_number="1", fulfilment={shop["mug_line"]: "DTN"})
    assert {"address", "card_number"} <= set(e.value.errors)


def test_csr_on_behalf_places_a_pickup_order(db, shop):
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), shop["jane"])
    locks.lock(db, csr)
    commit(db)
    number = place(db, csr, new_address=None, fulfilment={shop["mug_line"]: "DTN", shop["lamp_line"]: "DTN"})
    commit(db)
    order = db.exec(select(Order)).one()
    assert order.placed_by_id == csr.account_id and order.shipping_cents == 0
    assert orders.order_detail(db, csr, number).lines[0].fulfilment == "Pick up at Downtown, Springfield"


def test_history_and_audit_say_what_was_picked_up(db, shop):
    from app.services import accounts
    from models import AuditEvent

    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), shop["jane"])
    locks.lock(db, csr)
    commit(db)
    place(db, csr, fulfilment={shop["mug_line"]: "DTN"})  # the lamp ships
    commit(db)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "order_placed")).one()
    assert event.details == "$78.99; 1 line picked up at Downtown"  # 2 x $12 + $49 + $5.99 shipping
    assert accounts.order_history(db, shop["caller"])[0].summary == "3 items · part pick up in store"


def test_history_of_an_all_pickup_order(db, shop):
    from app.services import accounts

    place(
        db, shop["caller"], new_address=None, fulfilment={shop["mug_line"]: "DTN", shop["lamp_line"]: "DTN"}
    )
    commit(db)
    assert accounts.order_history(db, shop["caller"])[0].summary == "3 items · pick up in store"


# -- the race ---------------------------------------------------------------------------------------


def test_two_orders_race_for_the_last_unit_in_a_store_exactly_one_wins(db):
    lamp = make_product(db, code="LAST", price=1000, stock=50)
    store = add_store(db, "DTN", "Downtown")
    shelve(db, store, lamp, 1)
    commit(db)
    tokens, lines = [], []
    for name in ("Ann", "Bob"):
        account = make_account(db, name, "Racer")
        caller, token = caller_for(db, account)
        carts.add(db, caller, None, sku_of(lamp), 1)
        commit(db)
        tokens.append(token)
        lines.append(carts.view(db, caller, None).lines[0].line_id)
    barrier = threading.Barrier(2)

    def order(i):
        barrier.wait()
        try:
            with session_scope() as s:
                caller = auth.resolve_caller(s, tokens[i])
                return place(s, caller, new_address=None, fulfilment={lines[i]: "DTN"})
        except DomainError as e:
            return e

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(order, range(2)))
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1
    assert "out of stock at the Downtown store" in lost[0].message
    db.expire_all()
    assert shelf(db, store, lamp) == 0
    assert db.exec(select(func.count()).select_from(Order)).one() == 1
    assert stock(db, lamp) == 50
