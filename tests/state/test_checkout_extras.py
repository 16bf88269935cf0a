"""Checkout extras through the handlers (docs/PRODUCT.md §Checkout on behalf): price adjustments and coupons,
whatever the browser sends."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.state.cart import CartState
from app.state.checkout import CheckoutState
from app.state.customer_service import CustomerServiceState
from models import CartLine, Coupon
from tests.conftest import make_account, make_product, sku_of
from tests.state.conftest import toasts


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        people = {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com"),
            "csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr"),
            "product": make_product(db, "TEE-1", price=3000, stock=10),
        }
        db.add(Coupon(code="WELCOME10", kind="percent", value=10, min_subtotal_cents=5000))
        db.commit()
        return people


def test_adjust_price_needs_lock_and_reason_and_shows_in_the_live_cart(client, people, sqlite_engine):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    assert csr.session.can_adjust_price
    csr.call(CartState, "lock")
    csr.call(CartState, "add", sku_of(people["product"]), 2)
    line_id = csr.cart.lines[0].line_id
    csr.call(CartState, "set_adjust_line", line_id)
    assert toasts(csr.call(CartState, "adjust_price", {"amount": "5", "reason": ""})) == [
        "Give a reason for the price adjustment."
    ]
    assert "cannot be more" in toasts(csr.call(CartState, "adjust_price", {"amount": "31", "reason": "x"}))[0]
    assert (
        "Beyond 15% only a supervisor may"
        in toasts(csr.call(CartState, "adjust_price", {"amount": "4.51", "reason": "x"}))[0]
    )
    assert "only a supervisor" in csr.state(CartState).adjust_error  # shown in the dialog, which stays open
    csr.call(CartState, "adjust_price", {"amount": "4.50", "reason": "Scuffed"})
    assert csr.state(CartState).adjust_error == ""
    assert csr.cart.has_adjustment and csr.cart.adjustment == "$9.00" and csr.cart.subtotal == "$51.00"

    jane = client(people["jane"])
    jane.call(CartState, "load")
    assert jane.cart.lines[0].adjustment_reason == "Scuffed"
    assert toasts(jane.call(CartState, "adjust_price", {"amount": "30", "reason": "me"}))
    with Session(sqlite_engine) as db:
        line = db.exec(select(CartLine)).one()
        assert (line.adjustment_cents, line.adjustment_quantity) == (900, 2)  # $4.50 off each of 2


def test_apply_coupon_reports_refusals_and_the_discount(client, people):
    jane = client(people["jane"])
    jane.call(CartState, "add", sku_of(people["product"]), 1)
    checkout = jane.state(CheckoutState)
    checkout.coupon_input = "welcome10"
    assert "at least $50.00" in toasts(jane.call(CheckoutState, "apply_coupon"))[0]
    assert checkout.coupon_code == "" and "coupon" in checkout.errors
    jane.call(CartState, "add", sku_of(people["product"]), 1)
    jane.call(CheckoutState, "apply_coupon")
    assert (checkout.coupon_code, checkout.coupon_discount) == ("WELCOME10", "$6.00")
    assert "coupon" not in checkout.errors
