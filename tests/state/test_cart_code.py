"""Cart codes through the handlers: the shopper's page shows the code, a CSR holding the lock binds it, and
every refusal is made by the handler whatever the browser sends."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.state.cart import CartState
from app.state.customer_service import CustomerServiceState
from models import AuditEvent, Cart, CartLine, Throttle
from tests.conftest import make_account, make_product, sku_of
from tests.state.conftest import toasts


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return {
            "jane": make_account(db, "Jane", "Smith", "jane@example.com"),
            "csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr"),
            "tee": make_product(db, "TEE-1", stock=10),
            "cap": make_product(db, "CAP-1", stock=10),
        }


def shopper_with_code(client, people):
    shopper = client()
    shopper.call(CartState, "add", sku_of(people["tee"]), 1)
    shopper.call(CartState, "add", sku_of(people["cap"]), 2)
    shopper.call(CartState, "load")
    assert len(shopper.cart.lines) == 2
    return shopper, shopper.cart.code


def on_behalf(client, people, lock=True):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    csr.call(CartState, "load")
    if lock:
        csr.call(CartState, "lock")
        assert csr.locked_by_me
    return csr


def _rows(engine, model, *where):
    with Session(engine) as db:
        return db.exec(select(model).where(*where)).all()


def test_the_csr_holding_the_lock_moves_the_shoppers_cart(client, people, sqlite_engine):
    shopper, code = shopper_with_code(client, people)
    assert len(code) == 9 and code[4] == "-"
    csr = on_behalf(client, people)
    events = csr.call(CartState, "bind_cart_code", {"cart_code": code.lower()})
    assert toasts(events) == ["Moved the shopper's cart (2 lines) into Jane Smith's cart."]
    assert csr.state(CartState).bind_code_error == ""
    assert {line.code for line in csr.cart.lines} == {"TEE-1", "CAP-1"}  # published to the CSR's tab
    assert len(_rows(sqlite_engine, AuditEvent, AuditEvent.action == "cart_bound")) == 1
    shopper.call(CartState, "load")  # the shopper's page (live in a browser: tests/e2e/test_cart_code.py)
    assert (shopper.cart.lines, shopper.cart.code, shopper.cart.moved) == ([], "", True)
    shopper.call(CartState, "add", sku_of(people["tee"]), 1)  # a new cart: followed, the notice goes
    assert (len(shopper.cart.lines), shopper.cart.moved) == (1, False)
    assert shopper.cart.code not in ("", code)


@pytest.mark.parametrize(
    "form, message",
    [
        ({"cart_code": ""}, "Enter the cart code the shopper reads from their cart page."),
        ({"cart_code": "ZZZZ-ZZZZ"}, "That cart code is not valid."),
        ({"cart_code": "K0QM-4XPA"}, "A cart code has 8 letters and digits, like K7QM-4XPA."),
        ({"cart_code": ["ZZZZZZZZ"]}, "Enter the cart code the shopper reads from their cart page."),
        ({}, "Enter the cart code the shopper reads from their cart page."),
        ("not a form", "Enter the cart code the shopper reads from their cart page."),
    ],
)
def test_codes_that_are_refused_show_under_the_box(client, people, sqlite_engine, form, message):
    shopper_with_code(client, people)
    csr = on_behalf(client, people)
    events = csr.call(CartState, "bind_cart_code", form)
    assert toasts(events) == []
    assert csr.state(CartState).bind_code_error.startswith(message)
    assert _rows(sqlite_engine, Cart, Cart.status == "moved") == []
    csr.call(CartState, "load")  # the page's next load clears it
    assert csr.state(CartState).bind_code_error == ""


def test_without_the_lock_nothing_moves_and_no_guess_counts(client, people, sqlite_engine):
    _, code = shopper_with_code(client, people)
    csr = on_behalf(client, people, lock=False)
    events = csr.call(CartState, "bind_cart_code", {"cart_code": code})
    assert toasts(events) == ["Lock the cart before changing it (mini-cart → Lock)."]
    assert _rows(sqlite_engine, Cart, Cart.status == "moved") == []
    assert _rows(sqlite_engine, Throttle) == []


@pytest.mark.parametrize("who", ["anonymous", "jane", "csr-not-on-behalf"])
def test_nobody_else_binds(client, people, sqlite_engine, who):
    _, code = shopper_with_code(client, people)
    caller = client({"anonymous": None, "jane": people["jane"], "csr-not-on-behalf": people["csr"]}[who])
    events = caller.call(CartState, "bind_cart_code", {"cart_code": code})
    assert toasts(events)
    assert _rows(sqlite_engine, Cart, Cart.status == "moved") == []
    assert _rows(sqlite_engine, CartLine, CartLine.cart_id != _rows(sqlite_engine, Cart)[0].id) == []
