"""The order page's handlers (docs/PRODUCT.md §Orders after checkout): every refusal, whatever the browser
sends; the thank-you only right after checkout."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import Session, select

from app.state.account import OrderState
from app.state.cart import CartState
from app.state.checkout import CheckoutState
from app.state.customer_service import CustomerServiceState
from models import AuditEvent, Cart, CartLine, Order, OrderEvent, Variant
from tests.conftest import make_account, make_product, sku_of
from tests.state.conftest import toasts

CARD = {"card_number": "4242 4242 4242 4242", "card_expiry": "12/40", "card_cvc": "123"}
ADDRESS = {"full_name": "Jane Doe", "line1": "1 Main St", "city": "Springfield", "postal_code": "62701"}
NOT_FOUND = "We could not find that order."


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com"),
            "oscar": make_account(db, "Oscar", "Other", "oscar@example.com"),
            "csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr"),
            "boss": make_account(db, "Pat", "Lead", "supervisor@example.com", role="supervisor"),
            "product": make_product(db, "MUG-1", price=1200, stock=10),
        }


def open_order(c, number: str) -> OrderState:
    """What /order/<number>'s on_load runs."""
    state = c.state(OrderState)
    state.router = RouterData(
        url=ReflexURL(f"http://localhost:3000/order/{number}"), headers=c.root.rx_router_headers
    )
    c.call(CartState, "load")
    c.call(OrderState, "load")
    return state


def place(c, people) -> str:
    c.call(CartState, "add", sku_of(people["product"]), 2)
    c.call(CartState, "load")
    c.call(CheckoutState, "load")
    c.call(CheckoutState, "place_order", {**CARD, **ADDRESS})
    with Session(c.engine) as db:
        return db.exec(select(Order.number).order_by(Order.id.desc())).first()


def stock(engine) -> int:
    with Session(engine) as db:
        return db.exec(select(Variant.stock)).one()


def state_of(engine, number) -> tuple[str, str, int]:
    with Session(engine) as db:
        order = db.exec(select(Order).where(Order.number == number)).one()
        events = db.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()
        return order.status, order.payment_status, len(events)


def active_lines(engine) -> int:
    with Session(engine) as db:
        return len(
            db.exec(
                select(CartLine).join(Cart, Cart.id == CartLine.cart_id).where(Cart.status == "active")
            ).all()
        )


def test_thank_you_only_right_after_checkout(client, people):
    jane = client(people["jane"])
    number = place(jane, people)
    page = open_order(jane, number)  # where checkout sent her
    assert page.found and page.thanks and page.progress.status == "placed"
    page = open_order(jane, number)  # reopened (from My Account, a reload)
    assert page.found and not page.thanks
    assert [s.status for s in page.progress.history] == ["placed"] and page.progress.can_cancel


def test_customer_cancels_then_a_second_cancel_is_refused(client, people, sqlite_engine):
    jane = client(people["jane"])
    number = place(jane, people)
    assert stock(sqlite_engine) == 8
    page = open_order(jane, number)
    assert toasts(jane.call(OrderState, "cancel", number)) == [
        f"Order {number} is cancelled. The payment was refunded."
    ]
    assert page.progress.status == "cancelled" and page.progress.refunded and not page.progress.can_cancel
    assert toasts(jane.call(OrderState, "cancel", number)) == ["This order is already cancelled."]
    assert stock(sqlite_engine) == 10 and state_of(sqlite_engine, number) == ("cancelled", "refunded", 2)


def test_shopper_on_someone_elses_order_learns_nothing_and_changes_nothing(client, people, sqlite_engine):
    number = place(client(people["jane"]), people)
    oscar = client(people["oscar"])
    page = open_order(oscar, number)
    assert not page.found and page.order.number == "" and page.progress.number == ""
    for handler, args in [("cancel", (number,)), ("reorder", (number,)), ("advance", (number, "shipped"))]:
        assert toasts(oscar.call(OrderState, handler, *args)) in (
            [NOT_FOUND],
            ["You do not have permission to do that."],  # advance: permission first
        )
    assert state_of(sqlite_engine, number) == ("placed", "paid", 1) and stock(sqlite_engine) == 8
    assert active_lines(sqlite_engine) == 0


@pytest.mark.parametrize("number", ["W9999999", "", "x" * 500, None, 12, ["W1000001"], {"n": 1}])
def test_unknown_or_malformed_numbers_are_not_found(client, people, sqlite_engine, number):
    place(client(people["jane"]), people)
    jane = client(people["jane"])
    for handler in ("cancel", "reorder"):
        assert toasts(jane.call(OrderState, handler, number)) == [NOT_FOUND]
    assert state_of(sqlite_engine, "W1000001") == ("placed", "paid", 1)


def test_csr_must_be_on_behalf_and_reorder_needs_the_lock(client, people, sqlite_engine):
    number = place(client(people["jane"]), people)
    csr = client(people["csr"])
    for handler in ("cancel", "reorder"):
        assert toasts(csr.call(OrderState, handler, number)) == ["Access a customer's account first."]
    assert not open_order(csr, number).found

    csr.call(CustomerServiceState, "access", people["jane"].id)
    page = open_order(csr, number)
    assert page.found and page.progress.can_cancel and page.progress.moves == []  # a CSR cannot advance
    assert toasts(csr.call(OrderState, "advance", number, "shipped")) == [
        "You do not have permission to do that."
    ]
    assert toasts(csr.call(OrderState, "reorder", number)) == [
        "Lock the cart before changing it (mini-cart → Lock)."
    ]
    assert active_lines(sqlite_engine) == 0
    csr.call(CartState, "lock")
    assert toasts(csr.call(OrderState, "reorder", number)) == ["Added 1 item to the cart."]
    assert active_lines(sqlite_engine) == 1

    assert toasts(csr.call(OrderState, "cancel", number)) == [
        f"Order {number} is cancelled. The payment was refunded."
    ]
    with Session(sqlite_engine) as db:
        (event,) = db.exec(select(AuditEvent).where(AuditEvent.action == "order_cancelled")).all()
        assert (event.csr_id, event.customer_id, event.order_number) == (
            people["csr"].id,
            people["jane"].id,
            number,
        )


def test_supervisor_on_behalf_moves_the_order_to_shipped_and_cancel_is_gone(client, people, sqlite_engine):
    number = place(client(people["jane"]), people)
    boss = client(people["boss"])
    assert toasts(boss.call(OrderState, "advance", number, "shipped")) == [
        "Access a customer's account first."
    ]
    boss.call(CustomerServiceState, "access", people["jane"].id)
    page = open_order(boss, number)
    assert [m.status for m in page.progress.moves] == ["shipped"]  # every line ships: never ready for pickup
    for bad in ("ready_for_pickup", "completed", "cancelled", "nonsense", None, 5):
        assert toasts(boss.call(OrderState, "advance", number, bad))
    assert state_of(sqlite_engine, number) == ("placed", "paid", 1)
    assert toasts(boss.call(OrderState, "advance", number, "shipped")) == [f"Order {number}: Shipped."]
    assert page.progress.status == "shipped" and not page.progress.can_cancel
    assert [m.status for m in page.progress.moves] == ["completed"]
    assert toasts(boss.call(OrderState, "cancel", number)) == [
        "This order is shipped; it can no longer be cancelled."
    ]
    assert state_of(sqlite_engine, number) == ("shipped", "paid", 2) and stock(sqlite_engine) == 8


def again(c, number: str, generation: int | None = None) -> bool:
    """One tick of the open order page's watch (OrderState.watch), as its background task runs it."""
    state = c.state(OrderState)
    tick = state._again(state._watch if generation is None else generation, number)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, tick).result()


def test_the_customers_open_order_page_follows_the_order(client, people, sqlite_engine):
    jane = client(people["jane"])
    number = place(jane, people)
    page = open_order(jane, number)
    assert page.progress.status == "placed" and page.progress.can_cancel
    assert OrderState.watch in jane.call(OrderState, "load")  # the page watches an order that may move
    page._clean()
    assert again(jane, number) and "progress" not in page.dirty_vars  # nothing changed, nothing sent

    boss = client(people["boss"])  # the store moves it along while Jane looks at it
    boss.call(CustomerServiceState, "access", people["jane"].id)
    open_order(boss, number)
    boss.call(OrderState, "advance", number, "shipped")
    assert again(jane, number)
    assert page.progress.status == "shipped" and not page.progress.can_cancel
    assert [step.status for step in page.progress.history] == ["placed", "shipped"]

    boss.call(OrderState, "advance", number, "completed")
    assert not again(jane, number)  # shows it completed, and stops: nothing happens to it any more
    assert page.progress.status == "completed"
    assert OrderState.watch not in jane.call(OrderState, "load")  # nor does a page that opens it later


def test_the_order_watch_ends_elsewhere_on_a_later_load_or_for_someone_else(client, people):
    jane = client(people["jane"])
    number = place(jane, people)
    page = open_order(jane, number)
    assert not again(jane, number, page._watch - 1)  # a later load of the page follows it now
    assert not again(jane, "ORD-OTHER")  # the tab shows another order
    page.router = RouterData(url=ReflexURL("http://localhost:3000/account"), headers=page.router.headers)
    assert not again(jane, number)  # the tab went to another page
    oscar = client(people["oscar"])
    other = oscar.state(OrderState)
    other.router = RouterData(
        url=ReflexURL(f"http://localhost:3000/order/{number}"), headers=oscar.root.rx_router_headers
    )
    other.found = True  # as if forged: Oscar's tab claims to show Jane's order
    assert not again(oscar, number) and other.order.number == ""  # refused; nothing of Jane's is shown
