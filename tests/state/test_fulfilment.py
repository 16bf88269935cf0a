"""Ship or pick up per line through the checkout handlers (docs/PRODUCT.md §Shopping), whatever the browser
sends."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session, select

from app.state.cart import CartState
from app.state.checkout import CheckoutState
from app.state.customer_service import CustomerServiceState
from models import Order, OrderLine, Store, StoreStock, Variant
from tests.conftest import make_account, make_product, sku_of
from tests.state.conftest import toasts

CARD = {"card_number": "4242 4242 4242 4242", "card_expiry": "12/40", "card_cvc": "123"}


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        people = {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com"),
            "csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr"),
            "product": make_product(db, "MUG-1", price=1200, stock=10),
        }
        variant_id = db.exec(select(Variant.id)).one()
        for code, name, quantity in [("DTN", "Downtown", 3), ("RVS", "Riverside", 0)]:
            store = Store(code=code, name=name, line1="1 Main St", city="Springfield", postal_code="62701")
            db.add(store)
            db.flush()
            db.add(StoreStock(store_id=store.id, variant_id=variant_id, quantity=quantity))
        db.commit()
        return people


def open_checkout(c) -> None:
    """What /checkout's on_load runs: the header's identity, then the checkout itself."""
    c.call(CartState, "load")
    c.call(CheckoutState, "load")


def shelf(engine, code: str) -> int:
    with Session(engine) as db:
        return db.exec(
            select(StoreStock.quantity).join(Store, Store.id == StoreStock.store_id).where(Store.code == code)
        ).one()


def test_shopper_picks_up_everything_without_an_address(client, people, sqlite_engine):
    jane = client(people["jane"])
    jane.call(CartState, "add", sku_of(people["product"]), 2)
    open_checkout(jane)
    checkout = jane.state(CheckoutState)
    (line,) = checkout.fulfilment_lines
    assert [c.label for c in line.choices] == [
        "Ship to home",
        "Pick up at Downtown (3 in stock)",
        "Pick up at Riverside (out of stock)",
    ]
    assert line.choice == "ship" and checkout.ships and checkout.address_choice == "new"

    jane.call(CheckoutState, "set_fulfilment", line.line_id, "NOPE")  # not offered: ignored
    jane.call(CheckoutState, "set_fulfilment", line.line_id, ["DTN"])
    jane.call(CheckoutState, "set_fulfilment", "x", "DTN")
    assert checkout.fulfilment_lines[0].choice == "ship"
    jane.call(CheckoutState, "set_fulfilment", line.line_id, "DTN")
    assert checkout.fulfilment_lines[0].choice == "DTN" and not checkout.ships

    # No address fields on the page: the handler does not ask the service for one.
    assert toasts(jane.call(CheckoutState, "place_order", dict(CARD))) == [
        "Thank you! Order W1000001 is placed."
    ]
    assert shelf(sqlite_engine, "DTN") == 1
    with Session(sqlite_engine) as db:
        order = db.exec(select(Order)).one()
        assert (order.shipping_cents, order.shipping_method, order.ship_line1) == (0, "pickup", "")
        assert db.exec(select(OrderLine.fulfilment)).one() == "pickup"


def test_a_store_without_stock_is_refused_on_the_line_and_nothing_is_written(client, people, sqlite_engine):
    jane = client(people["jane"])
    jane.call(CartState, "add", sku_of(people["product"]), 1)
    open_checkout(jane)
    checkout = jane.state(CheckoutState)
    line_id = checkout.fulfilment_lines[0].line_id
    # Offered disabled in the page; a browser that enables it anyway still gets no order.
    jane.call(CheckoutState, "set_fulfilment", line_id, "RVS")
    assert toasts(jane.call(CheckoutState, "place_order", dict(CARD))) == [
        "Product MUG-1 is out of stock at the Riverside store. Choose another store or Ship to home."
    ]
    (line,) = checkout.fulfilment_lines
    assert line.choice == "RVS" and "Riverside" in line.error
    assert not checkout.placing
    with Session(sqlite_engine) as db:
        assert db.exec(select(Order)).first() is None
        assert db.exec(select(Variant.stock)).one() == 10
    assert shelf(sqlite_engine, "DTN") == 3

    jane.call(CheckoutState, "set_fulfilment", line_id, "DTN")  # choosing again clears the error
    assert checkout.fulfilment_lines[0].error == ""


def test_forged_choice_in_state_is_refused_by_the_service(client, people, sqlite_engine):
    jane = client(people["jane"])
    jane.call(CartState, "add", sku_of(people["product"]), 1)
    open_checkout(jane)
    checkout = jane.state(CheckoutState)
    checkout.fulfilment_lines = [dataclasses.replace(checkout.fulfilment_lines[0], choice="ZZZ")]
    assert toasts(jane.call(CheckoutState, "place_order", dict(CARD))) == [
        "Please correct the highlighted fields."
    ]
    assert checkout.fulfilment_lines[0].error == "Choose Ship to home or one of our stores."
    with Session(sqlite_engine) as db:
        assert db.exec(select(Order)).first() is None


def test_a_cart_changed_under_the_page_asks_to_choose_again(client, people, sqlite_engine):
    jane = client(people["jane"])
    jane.call(CartState, "add", sku_of(people["product"]), 1)
    open_checkout(jane)
    other = make_product_in(sqlite_engine)
    jane.call(CartState, "add", sku_of(other), 1)  # e.g. from another tab
    assert toasts(jane.call(CheckoutState, "place_order", dict(CARD))) == [
        "Your cart has changed. Please check how each item reaches you."
    ]
    assert len(jane.state(CheckoutState).fulfilment_lines) == 2
    with Session(sqlite_engine) as db:
        assert db.exec(select(Order)).first() is None


def make_product_in(engine):
    with Session(engine, expire_on_commit=False) as db:
        return make_product(db, "CAP-1", price=2000, stock=5)


def test_csr_on_behalf_mixes_ship_and_pickup(client, people, sqlite_engine):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    csr.call(CartState, "lock")
    csr.call(CartState, "add", sku_of(people["product"]), 1)
    cap = make_product_in(sqlite_engine)
    csr.call(CartState, "add", sku_of(cap), 1)
    open_checkout(csr)
    checkout = csr.state(CheckoutState)
    mug = next(l for l in checkout.fulfilment_lines if l.code == "MUG-1")
    cap_line = next(l for l in checkout.fulfilment_lines if l.code == "CAP-1")
    assert [c.disabled for c in cap_line.choices] == [False, True, True]  # no shelf has caps
    csr.call(CheckoutState, "set_fulfilment", mug.line_id, "DTN")
    assert checkout.ships
    form = {
        **CARD,
        "full_name": "Jane Doe",
        "line1": "1 Main St",
        "city": "Springfield",
        "postal_code": "62701",
    }
    assert "is placed" in toasts(csr.call(CheckoutState, "place_order", form))[0]
    with Session(sqlite_engine) as db:
        order = db.exec(select(Order)).one()
        assert order.placed_by_id == people["csr"].id and order.shipping_cents == 599
        assert sorted(db.exec(select(OrderLine.fulfilment))) == ["pickup", "ship"]
    assert shelf(sqlite_engine, "DTN") == 2
