"""Orders after checkout (docs/PRODUCT.md §Orders after checkout): the status machine and its history,
cancelling (stock, store stock and the coupon use back, the payment refunded, mailed, audited), a supervisor
moving an order along, reordering, and the races the database decides — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from app import config
from app.services import carts, locks, order_status, orders
from app.services.db import session_scope
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from app.services.order_status import CANCELLED, COMPLETED, PLACED, READY, SHIPPED
from models import AuditEvent, Cart, CartLine, Coupon, CouponUse, Order, OrderEvent, Variant
from storefront_qa.mail import Outbox
from tests.conftest import caller_for, make_account, make_product, sku_of
from tests.unit.test_fulfilment import shelf, shop  # noqa: F401  (the fixture: Jane's mugs and lamp, stores)
from tests.unit.test_orders_payments import commit, on_behalf, place, stock


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    return Outbox(tmp_path / "outbox")


def mixed(db, shop) -> str:  # noqa: F811
    """Jane's order: 2 mugs picked up at Downtown, 1 lamp shipped."""
    number = place(db, shop["caller"], fulfilment={shop["mug_line"]: "DTN", shop["lamp_line"]: "ship"})
    commit(db)
    return number


def status_of(db, number) -> tuple[str, str]:
    db.expire_all()
    order = db.exec(select(Order).where(Order.number == number)).one()
    return order.status, order.payment_status


def active_lines(db) -> list[CartLine]:
    db.expire_all()
    return db.exec(
        select(CartLine).join(Cart, Cart.id == CartLine.cart_id).where(Cart.status == "active")
    ).all()


def supervisor_for(db, customer):
    return on_behalf(db, make_account(db, "Pat", "Lead", role="supervisor"), customer)


# -- the rules -------------------------------------------------------------------------------------------


def test_which_status_an_order_may_reach_from_which():
    s = order_status.sources
    # every line shipped
    assert s(READY, ships=True, picks=False) == ()
    assert s(SHIPPED, ships=True, picks=False) == (PLACED, READY)
    assert s(COMPLETED, ships=True, picks=False) == (SHIPPED,)
    # every line picked up: ready, then completed when collected; never shipped
    assert s(READY, ships=False, picks=True) == (PLACED,)
    assert s(SHIPPED, ships=False, picks=True) == ()
    assert set(s(COMPLETED, ships=False, picks=True)) == {SHIPPED, READY}
    # mixed: may be ready first, completed only once shipped
    assert s(READY, ships=True, picks=True) == (PLACED,)
    assert s(COMPLETED, ships=True, picks=True) == (SHIPPED,)
    assert s(CANCELLED, ships=True, picks=True) == s(PLACED, ships=True, picks=True) == ()


def test_a_new_order_is_placed_with_one_dated_step(db, shop):  # noqa: F811
    number = mixed(db, shop)
    view = order_status.progress(db, shop["caller"], number)
    assert (view.status, view.status_label, view.refunded) == (PLACED, "Placed", False)
    assert [(s.status, s.who) for s in view.history] == [(PLACED, "")]
    assert view.history[0].at.endswith(" UTC")
    assert view.can_cancel and view.moves == []  # the customer cannot move it along
    assert status_of(db, number) == (PLACED, "paid")


def test_supervisor_moves_a_mixed_order_to_completed_and_cancel_is_gone(db, shop, outbox):  # noqa: F811
    number = mixed(db, shop)
    boss = supervisor_for(db, shop["jane"])
    assert [m.status for m in order_status.progress(db, boss, number).moves] == [READY, SHIPPED]
    assert order_status.advance(db, boss, number, READY) == "Ready for pickup"
    commit(db)
    assert [m.status for m in order_status.progress(db, boss, number).moves] == [SHIPPED]
    with pytest.raises(Conflict, match="cannot be marked completed"):
        order_status.advance(db, boss, number, COMPLETED)  # the lamp has not shipped
    db.rollback()
    order_status.advance(db, boss, number, SHIPPED)
    commit(db)
    view = order_status.progress(db, shop["caller"], number)
    assert view.status == SHIPPED and not view.can_cancel
    with pytest.raises(Conflict, match="can no longer be cancelled"):
        order_status.cancel(db, shop["caller"], number)
    db.rollback()
    order_status.advance(db, boss, number, COMPLETED)
    commit(db)
    view = order_status.progress(db, shop["caller"], number)
    assert [s.status for s in view.history] == [PLACED, READY, SHIPPED, COMPLETED]
    assert [s.who for s in view.history] == ["", "customer service", "customer service", "customer service"]
    assert order_status.progress(db, boss, number).moves == []
    audited = db.exec(select(AuditEvent.details).where(AuditEvent.action == "order_status")).all()
    assert audited == ["Placed → Ready for pickup", "Ready for pickup → Shipped", "Shipped → Completed"]
    subjects = [m["Subject"] for m in outbox.messages(shop["jane"].email)]
    assert any("is ready for pickup" in s for s in subjects) and any("has shipped" in s for s in subjects)


def test_a_pickup_only_order_is_never_shipped(db, shop):  # noqa: F811
    number = place(
        db, shop["caller"], fulfilment={shop["mug_line"]: "DTN", shop["lamp_line"]: "DTN"}, new_address=None
    )
    commit(db)
    boss = supervisor_for(db, shop["jane"])
    with pytest.raises(Conflict, match="cannot be marked shipped"):
        order_status.advance(db, boss, number, SHIPPED)
    db.rollback()
    order_status.advance(db, boss, number, READY)
    commit(db)
    assert order_status.progress(db, shop["caller"], number).can_cancel  # still in the store
    order_status.advance(db, boss, number, COMPLETED)
    commit(db)
    assert status_of(db, number) == (COMPLETED, "paid")


def test_only_a_supervisor_on_behalf_of_the_orders_customer_moves_it(db, shop):  # noqa: F811
    number = mixed(db, shop)
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), shop["jane"])
    for who in (shop["caller"], csr):
        with pytest.raises(Forbidden):
            order_status.advance(db, who, number, SHIPPED)
    boss, _ = caller_for(db, make_account(db, "Pat", "Lead", role="supervisor"))
    with pytest.raises(Forbidden, match="Access a customer's account first"):
        order_status.advance(db, boss, number, SHIPPED)
    other = supervisor_for(db, make_account(db, "Oscar", "Other"))
    with pytest.raises(NotFound):
        order_status.advance(db, other, number, SHIPPED)
    boss = supervisor_for(db, shop["jane"])
    for bad in (None, "", "teleported", CANCELLED, PLACED, ["shipped"], 3):
        with pytest.raises(DomainError):
            order_status.advance(db, boss, number, bad)
    db.rollback()
    assert status_of(db, number) == (PLACED, "paid")


# -- cancel ---------------------------------------------------------------------------------------------


def test_customer_cancels_stock_and_store_stock_go_back_refunded_and_mailed(db, shop, outbox):  # noqa: F811
    number = mixed(db, shop)
    assert shelf(db, shop["stores"]["DTN"], shop["mug"]) == 3 and stock(db, shop["lamp"]) == 9
    order_status.cancel(db, shop["caller"], number)
    commit(db)
    assert shelf(db, shop["stores"]["DTN"], shop["mug"]) == 5
    assert stock(db, shop["lamp"]) == 10 and stock(db, shop["mug"]) == 10
    assert status_of(db, number) == (CANCELLED, "refunded")
    view = order_status.progress(db, shop["caller"], number)
    assert [s.status for s in view.history] == [PLACED, CANCELLED] and view.refunded and not view.can_cancel
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "order_cancelled")).all() == []  # own act
    mail = outbox.latest(shop["jane"].email)
    assert f"order {number} is cancelled" in mail["Subject"] and "refunded" in mail.get_content()
    assert "customer service" not in mail.get_content()


def test_cancelling_twice_restocks_once(db, shop):  # noqa: F811
    number = mixed(db, shop)
    order_status.cancel(db, shop["caller"], number)
    commit(db)
    with pytest.raises(Conflict, match="already cancelled"):
        order_status.cancel(db, shop["caller"], number)
    db.rollback()
    assert shelf(db, shop["stores"]["DTN"], shop["mug"]) == 5 and stock(db, shop["lamp"]) == 10
    assert len(db.exec(select(OrderEvent).where(OrderEvent.status == CANCELLED)).all()) == 1


def test_csr_on_behalf_cancels_it_is_audited_and_the_coupon_use_comes_back(db, outbox):
    jane = make_account(db, "Jane", "Doe")
    tee = make_product(db, code="TEE", price=2000, stock=10)
    db.add(Coupon(code="WELCOME10", kind="percent", value=10, min_subtotal_cents=5000, usage_limit=5))
    commit(db)
    me, _ = caller_for(db, jane)
    carts.add(db, me, None, sku_of(tee), 3)
    commit(db)
    number = place(db, me, coupon_code="welcome10")
    commit(db)
    assert db.exec(select(Coupon.times_used)).one() == 1 and db.exec(select(CouponUse.times_used)).one() == 1

    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), jane)
    assert order_status.progress(db, csr, number).can_cancel
    order_status.cancel(db, csr, number)
    commit(db)
    assert db.exec(select(Coupon.times_used)).one() == 0 and db.exec(select(CouponUse.times_used)).one() == 0
    assert stock(db, tee) == 10
    (event,) = db.exec(select(AuditEvent).where(AuditEvent.action == "order_cancelled")).all()
    assert (event.csr_id, event.customer_id, event.order_number) == (csr.account_id, jane.id, number)
    assert "by customer service" in outbox.latest(jane.email).get_content()
    # The coupon can be used again by the same customer.
    carts.add(db, me, None, sku_of(tee), 3)
    commit(db)
    place(db, me, coupon_code="WELCOME10")
    commit(db)
    assert db.exec(select(CouponUse.times_used)).one() == 1


def test_cancel_refusals_write_nothing(db, shop):  # noqa: F811
    number = mixed(db, shop)
    other, _ = caller_for(db, make_account(db, "Oscar", "Other"))
    csr, _ = caller_for(db, make_account(db, "Casey", "Rep", role="csr"))
    refusals = [
        (other, number, NotFound, "We could not find that order."),  # someone else's: nothing revealed
        (shop["caller"], "W9999999", NotFound, "We could not find that order."),
        (shop["caller"], None, NotFound, "We could not find that order."),
        (shop["caller"], ["W1000001"], NotFound, "We could not find that order."),
        (shop["caller"], "W" * 500, NotFound, "We could not find that order."),
        (csr, number, Forbidden, "Access a customer's account first."),  # CSR not on behalf
    ]
    for who, which, error, message in refusals:
        with pytest.raises(error) as e:
            order_status.cancel(db, who, which)
        assert e.value.message == message
        with pytest.raises(error):
            order_status.progress(db, who, which)
        db.rollback()
    assert status_of(db, number) == (PLACED, "paid")
    assert shelf(db, shop["stores"]["DTN"], shop["mug"]) == 3


def test_staff_without_order_cancel_on_behalf_may_not_cancel(db, shop, monkeypatch):  # noqa: F811
    import dataclasses

    number = mixed(db, shop)
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), shop["jane"])
    limited = dataclasses.replace(csr, permissions=csr.permissions - {"order.cancel"})
    assert not order_status.progress(db, limited, number).can_cancel
    with pytest.raises(Forbidden):
        order_status.cancel(db, limited, number)
    db.rollback()
    assert status_of(db, number) == (PLACED, "paid")


# -- reorder -------------------------------------------------------------------------------------------


def test_reorder_adds_what_is_in_stock_and_names_the_rest(db, shop):  # noqa: F811
    number = mixed(db, shop)
    lamp = db.exec(select(Variant).where(Variant.product_id == shop["lamp"].id)).one()
    lamp.stock = 0
    db.add(lamp)
    commit(db)
    done = order_status.reorder(db, shop["caller"], None, number)
    commit(db)
    assert done.added == 1
    assert done.not_added == ["Product LAMP: Product LAMP is out of stock."]
    view = carts.view(db, shop["caller"], None)
    assert [(l.code, l.quantity) for l in view.lines] == [("MUG", 2)]


def test_reorder_with_nothing_left_writes_nothing(db, shop):  # noqa: F811
    number = mixed(db, shop)
    for variant in db.exec(select(Variant)).all():
        variant.stock = 0
        db.add(variant)
    commit(db)
    with pytest.raises(DomainError, match="Nothing from this order could be added"):
        order_status.reorder(db, shop["caller"], None, number)
    db.rollback()
    assert active_lines(db) == []


def test_reorder_on_behalf_needs_the_lock(db, shop):  # noqa: F811
    number = mixed(db, shop)
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), shop["jane"])
    with pytest.raises(Forbidden, match="Lock the cart"):
        order_status.reorder(db, csr, None, number)
    db.rollback()
    assert active_lines(db) == []
    locks.lock(db, csr)
    commit(db)
    assert order_status.reorder(db, csr, None, number).added == 2
    commit(db)
    cart = db.exec(select(Cart).where(Cart.account_id == shop["jane"].id, Cart.status == "active")).one()
    assert {l.added_by_id for l in db.exec(select(CartLine).where(CartLine.cart_id == cart.id))} == {
        csr.account_id
    }
    with pytest.raises(NotFound):
        order_status.reorder(db, csr, None, "W9999999")


# -- races, decided by the database ----------------------------------------------------------------------


def _race(fns) -> list:
    barrier = threading.Barrier(len(fns))

    def run(fn):
        barrier.wait()
        try:
            with session_scope() as s:
                return fn(s)
        except DomainError as e:
            return e

    with ThreadPoolExecutor(len(fns)) as pool:
        return list(pool.map(run, fns))


def test_cancel_racing_with_shipped_exactly_one_wins(db, shop):  # noqa: F811
    number = place(db, shop["caller"])  # everything shipped from the web warehouse
    commit(db)
    boss = supervisor_for(db, shop["jane"])
    me = shop["caller"]
    fns = [
        (lambda s: ("cancel", order_status.cancel(s, me, number)))
        if i % 2
        else (lambda s: ("ship", order_status.advance(s, boss, number, SHIPPED)))
        for i in range(8)
    ]
    results = _race(fns)
    winners = [r for r in results if not isinstance(r, DomainError)]
    assert len(winners) == 1, results
    status, payment = status_of(db, number)
    assert len(db.exec(select(OrderEvent).where(OrderEvent.status != PLACED)).all()) == 1
    if winners[0][0] == "cancel":
        assert (status, payment) == (CANCELLED, "refunded")
        assert stock(db, shop["mug"]) == 10 and stock(db, shop["lamp"]) == 10
    else:
        assert (status, payment) == (SHIPPED, "paid")
        assert stock(db, shop["mug"]) == 8 and stock(db, shop["lamp"]) == 9


def test_eight_cancels_at_once_restock_once(db, shop):  # noqa: F811
    number = mixed(db, shop)
    me = shop["caller"]
    results = _race([lambda s: order_status.cancel(s, me, number)] * 8)
    assert sum(not isinstance(r, DomainError) for r in results) == 1
    assert all("already cancelled" in r.message for r in results if isinstance(r, DomainError)), [
        getattr(r, "message", r) for r in results
    ]
    assert shelf(db, shop["stores"]["DTN"], shop["mug"]) == 5 and stock(db, shop["lamp"]) == 10
    assert status_of(db, number) == (CANCELLED, "refunded")


def test_order_detail_is_unchanged_by_statuses(db, shop):  # noqa: F811
    """The order page's other half still reads the same order (app/services/orders.py)."""
    number = mixed(db, shop)
    order_status.cancel(db, shop["caller"], number)
    commit(db)
    assert orders.order_detail(db, shop["caller"], number).number == number
