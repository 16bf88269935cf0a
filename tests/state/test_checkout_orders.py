"""Checkout extras through the handlers (docs/PRODUCT.md §Checkout on behalf): the alternate pickup contact,
a gift message per line, and customer service's reductions of the shipping and the order total: every refusal,
whatever the browser sends."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.state.cart import CartState
from app.state.checkout import CheckoutState
from app.state.customer_service import CustomerServiceState
from models import Cart, CartLine, Order
from tests.conftest import make_account, make_product, sku_of
from tests.state.conftest import toasts
from tests.state.test_fulfilment import CARD, open_checkout
from tests.state.test_fulfilment import people as fulfilment_people  # noqa: F401  (fixture)

ADDRESS = {"full_name": "Jane Doe", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345"}
CONTACT = {"alt_first_name": "Sam", "alt_last_name": "Roe", "alt_email": "sam@example.com", "alt_phone": ""}


@pytest.fixture
def people(fulfilment_people, sqlite_engine):  # noqa: F811
    """Jane, Casey Rep (CSR), Pat Lead (supervisor); a $12.00 mug with 3 on the Downtown shelf and a $40.00
    tee."""
    with Session(sqlite_engine, expire_on_commit=False) as db:
        fulfilment_people["boss"] = make_account(db, "Pat", "Lead", "boss@example.com", role="supervisor")
        fulfilment_people["tee"] = make_product(db, "TEE-1", price=4000, stock=10)
    return fulfilment_people


def fill_contact(c, **values) -> None:
    for name, value in {**CONTACT, **values}.items():
        c.call(CheckoutState, f"set_{name}", value)


def cart_row(engine) -> Cart:
    with Session(engine) as db:
        return db.exec(select(Cart).where(Cart.status == "active", Cart.account_id.is_not(None))).one()


def on_behalf(client, people, who="csr"):
    c = client(people[who])
    c.call(CustomerServiceState, "access", people["jane"].id)
    c.call(CartState, "lock")
    return c


def test_the_pickup_contact_is_validated_saved_and_required_saved_to_place(client, people, sqlite_engine):
    jane = client(people["jane"])
    jane.call(CartState, "add", sku_of(people["product"]), 1)
    open_checkout(jane)
    checkout = jane.state(CheckoutState)
    assert not checkout.picks_up
    jane.call(CheckoutState, "set_fulfilment", checkout.fulfilment_lines[0].line_id, "DTN")
    assert checkout.picks_up

    fill_contact(jane, alt_email="not-an-email")
    assert toasts(jane.call(CheckoutState, "save_alt_contact"))
    assert "alt_email" in checkout.errors and cart_row(sqlite_engine).alt_first_name == ""
    fill_contact(jane, alt_first_name={"forged": 1}, alt_phone="x" * 500)
    jane.call(CheckoutState, "save_alt_contact")
    assert {"alt_first_name", "alt_phone"} <= set(checkout.errors)

    # Filled in but not saved: the order is refused on the form.
    fill_contact(jane)
    assert not checkout.alt_saved
    assert toasts(jane.call(CheckoutState, "place_order", {**CARD, **CONTACT}))
    assert "alt_contact" in checkout.errors
    with Session(sqlite_engine) as db:
        assert db.exec(select(Order)).first() is None

    assert toasts(jane.call(CheckoutState, "save_alt_contact")) == ["Pickup contact saved."]
    assert checkout.alt_saved and "alt_email" not in checkout.errors
    jane.call(CheckoutState, "place_order", {**CARD, **CONTACT})
    with Session(sqlite_engine) as db:
        order = db.exec(select(Order)).one()
        assert (order.alt_first_name, order.alt_email) == ("Sam", "sam@example.com")


def test_the_customer_cannot_change_contact_or_gift_messages_while_customer_service_holds_the_lock(
    client, people, sqlite_engine
):
    csr = on_behalf(client, people)
    csr.call(CartState, "add", sku_of(people["product"]), 1)
    jane = client(people["jane"])
    open_checkout(jane)
    line_id = jane.cart.lines[0].line_id
    fill_contact(jane)
    assert "read-only" in toasts(jane.call(CheckoutState, "save_alt_contact"))[0]
    assert "read-only" in toasts(jane.call(CheckoutState, "set_line_gift_message", line_id, "Hi"))[0]
    with Session(sqlite_engine) as db:
        assert db.get(CartLine, line_id).gift_message == ""
    open_checkout(csr)
    csr.call(CheckoutState, "set_line_gift_message", line_id, "From Jane")
    assert csr.cart.lines[0].gift_message == "From Jane"


def test_line_gift_message_refusals(client, people, sqlite_engine):
    jane = client(people["jane"])
    jane.call(CartState, "add", sku_of(people["product"]), 1)
    open_checkout(jane)
    line_id = jane.cart.lines[0].line_id
    checkout = jane.state(CheckoutState)
    assert toasts(jane.call(CheckoutState, "set_line_gift_message", line_id, "x" * 201))
    assert "line_gift_message" in checkout.errors
    for forged in ("1", None, 10**30, -1):
        assert toasts(jane.call(CheckoutState, "set_line_gift_message", forged, "Hi"))
    assert toasts(jane.call(CheckoutState, "set_line_gift_message", line_id, ["not", "text"])) == []
    jane.call(CheckoutState, "set_line_gift_message", line_id, "For Sam")
    assert "line_gift_message" not in checkout.errors and jane.cart.lines[0].gift_message == "For Sam"


def test_adjustment_refusals(client, people, sqlite_engine):
    jane = client(people["jane"])
    jane.call(CartState, "add", sku_of(people["tee"]), 1)  # $40.00, standard shipping $5.99
    open_checkout(jane)
    jane.call(CheckoutState, "set_adjust_kind", "order")
    assert toasts(jane.call(CheckoutState, "adjust", {"amount": "1.00", "reason": "me"}))
    assert jane.state(CheckoutState).adjust_error  # no permission

    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    open_checkout(csr)
    checkout = csr.state(CheckoutState)
    csr.call(CheckoutState, "set_adjust_kind", "order")
    assert "Lock the cart" in toasts(csr.call(CheckoutState, "adjust", {"amount": "1.00", "reason": "x"}))[0]
    csr.call(CartState, "lock")

    csr.call(CheckoutState, "set_adjust_kind", "tip")
    assert checkout.adjust_kind == ""
    assert toasts(csr.call(CheckoutState, "adjust", {"amount": "1.00", "reason": "x"}))
    csr.call(CheckoutState, "set_adjust_kind", "shipping")
    for form, expected in [
        ({"amount": "0.90", "reason": "Late"}, "Beyond 15% only a supervisor may reduce the shipping"),
        ({"amount": "-1", "reason": "Late"}, "positive amount"),
        ({"amount": "abc", "reason": "Late"}, "positive amount"),
        ({"amount": "0.50", "reason": ""}, "Give a reason"),
        ("forged", "positive amount"),
    ]:
        csr.call(CheckoutState, "adjust", form)
        assert expected in checkout.adjust_error, (form, checkout.adjust_error)
    assert cart_row(sqlite_engine).shipping_adjust_cents == 0  # nothing written

    assert toasts(csr.call(CheckoutState, "adjust", {"amount": "0.89", "reason": "Late"})) == [
        "Shipping adjusted."
    ]
    assert (checkout.adjust_error, checkout.quote_shipping_adjustment, checkout.quote_total) == (
        "",
        "$0.89",
        "$45.10",
    )
    csr.call(CheckoutState, "set_adjust_kind", "order")
    csr.call(CheckoutState, "adjust", {"amount": "6.77", "reason": "Goodwill"})  # 15% of $45.10 is $6.76
    assert "only a supervisor may reduce the order total" in checkout.adjust_error
    csr.call(CheckoutState, "adjust", {"amount": "6.76", "reason": "Goodwill"})
    assert (checkout.quote_order_adjustment, checkout.quote_total) == ("$6.76", "$38.34")
    assert checkout.cart_adjustments.order_reason == "Goodwill"


def test_a_supervisor_adjusts_beyond_the_cap_and_the_order_shows_it(client, people, sqlite_engine):
    boss = on_behalf(client, people, "boss")
    boss.call(CartState, "add", sku_of(people["tee"]), 1)
    open_checkout(boss)
    checkout = boss.state(CheckoutState)
    boss.call(CheckoutState, "set_adjust_kind", "shipping")
    boss.call(CheckoutState, "adjust", {"amount": "5.99", "reason": "Our mistake"})
    boss.call(CheckoutState, "set_adjust_kind", "order")
    boss.call(CheckoutState, "adjust", {"amount": "40.01", "reason": "Too much"})
    assert "cannot be more than the order total, $40.00" in checkout.adjust_error
    boss.call(CheckoutState, "adjust", {"amount": "20.00", "reason": "Half"})
    assert checkout.quote_total == "$20.00"
    events = boss.call(CheckoutState, "place_order", {**CARD, **ADDRESS})
    with Session(sqlite_engine) as db:
        order = db.exec(select(Order)).first()
    assert order is not None, toasts(events)
    assert (order.total_cents, order.shipping_adjustment_cents, order.order_adjustment_cents) == (
        2000,
        599,
        2000,
    )
