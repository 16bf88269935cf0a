"""Checkout handlers given what no browser sends (docs/PRODUCT.md §Quality bars; found by
tests/e2e/test_forged_events.py)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.services import orders
from app.state.cart import CartState
from app.state.checkout import CheckoutState
from models import Order
from tests.conftest import make_account, make_product, sku_of
from tests.state.conftest import toasts

CARD = {"card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"}


@pytest.fixture
def shopper(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return make_account(db, "Kai", "Smith", "kai@example.com"), make_product(db, "TEE-1", stock=10)


def test_a_form_that_is_no_dict_is_an_empty_form_and_place_order_works_again(client, sqlite_engine):
    anonymous = client()
    for forged in ([1, 2], "card", None):
        assert toasts(anonymous.call(CheckoutState, "place_order", forged)) == ["Please sign in first."]
        # It used to raise inside the transaction and leave `placing` set: Place order spun for ever.
        assert anonymous.state(CheckoutState).placing is False
    with Session(sqlite_engine) as db:
        assert db.exec(select(Order)).all() == []


def test_an_unexpected_error_does_not_leave_place_order_spinning(client, shopper, monkeypatch):
    account, product = shopper
    kai = client(account)
    kai.call(CartState, "add", sku_of(product), 1)
    kai.call(CartState, "load")  # every page's first on_load, /checkout's too
    kai.call(CheckoutState, "load")

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(orders, "place_order", broken)
    with pytest.raises(RuntimeError):  # the app's backend exception handler turns it into a toast
        kai.call(CheckoutState, "place_order", dict(CARD))
    assert kai.state(CheckoutState).placing is False


@pytest.mark.parametrize("forged", [{"a": 1}, ["1"], 7, "1" * 5000])
def test_forged_choices_are_dropped_and_the_order_is_refused_with_field_errors(
    client, shopper, sqlite_engine, forged
):
    account, product = shopper
    kai = client(account)
    kai.call(CartState, "add", sku_of(product), 1)
    kai.call(CartState, "load")  # every page's first on_load, /checkout's too
    kai.call(CheckoutState, "load")
    kai.call(CheckoutState, "set_address_choice", forged)
    kai.call(CheckoutState, "set_shipping_method", forged)
    checkout = kai.state(CheckoutState)
    assert checkout.address_choice == "" and checkout.shipping_method == ""
    # Before, a dict or 5,000 digits in `address_choice` made place_order raise (str methods, int()).
    assert toasts(kai.call(CheckoutState, "place_order", dict(CARD))) == [
        "Please correct the highlighted fields."
    ]
    assert checkout.errors["shipping_method"] == "Choose a shipping method."
    assert checkout.placing is False
    with Session(sqlite_engine) as db:
        assert db.exec(select(Order)).all() == []
