"""Checkout extras (docs/PRODUCT.md §Checkout on behalf): gift message, order note, coupons, and CSR line
price adjustments."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.services import accounts, carts, coupons, locks, orders
from app.services.db import utcnow
from app.services.errors import DomainError, FieldErrors, Forbidden
from models import AuditEvent, Coupon, Order, OrderLine
from tests.conftest import caller_for, make_account, make_product, sku_of
from tests.unit.test_orders_payments import commit, on_behalf, place


@pytest.fixture
def cart(db):
    """Jane with a $60.00 cart (3 × $20 tees) she can check out herself."""
    jane = make_account(db, "Jane", "Doe")
    tee = make_product(db, code="TEE", price=2000, stock=10)
    commit(db)
    caller, _ = caller_for(db, jane)
    carts.add(db, caller, None, sku_of(tee), 3)
    commit(db)
    return jane, caller, tee


def add_coupon(db, code="WELCOME10", **kw) -> Coupon:
    values = {"code": code, "kind": "percent", "value": 10, "min_subtotal_cents": 5000, **kw}
    coupon = Coupon(**values)
    db.add(coupon)
    commit(db)
    return coupon


def only_order(db) -> Order:
    db.expire_all()
    return db.exec(select(Order)).one()


# -- gift message and note ----------------------------------------------------------------------


def test_gift_message_is_stored_and_shown(db, cart):
    _, caller, _ = cart
    number = place(db, caller, gift_message="  Happy birthday, Sam!  ")
    commit(db)
    assert only_order(db).gift_message == "Happy birthday, Sam!"
    assert orders.order_detail(db, caller, number).gift_message == "Happy birthday, Sam!"


def test_too_long_gift_message_is_refused_and_nothing_written(db, cart):
    _, caller, _ = cart
    with pytest.raises(FieldErrors) as e:
        place(db, caller, gift_message="x" * 301)
    assert "gift_message" in e.value.errors
    db.rollback()
    assert db.exec(select(Order)).first() is None


def test_order_note_is_for_customer_service_only(db, cart):
    jane, caller, _ = cart
    with pytest.raises(FieldErrors) as e:
        place(db, caller, order_note="call me")
    assert "order_note" in e.value.errors
    db.rollback()
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), jane)
    locks.lock(db, csr)
    commit(db)
    with pytest.raises(FieldErrors) as e:
        place(db, csr, order_note="n" * 501)
    assert "order_note" in e.value.errors
    db.rollback()
    number = place(db, csr, order_note="Paid by phone")
    commit(db)
    assert only_order(db).order_note == "Paid by phone"
    assert orders.order_detail(db, csr, number).order_note == "Paid by phone"
    assert orders.order_detail(db, caller, number).order_note == ""  # not shown to the customer


# -- coupons --------------------------------------------------------------------------------------


def test_coupon_takes_its_discount_and_counts_one_use(db, cart):
    _, caller, _ = cart
    add_coupon(db, usage_limit=5)
    assert orders.preview_coupon(db, caller, " welcome10 ").discount_cents == 600
    number = place(db, caller, coupon_code="welcome10")
    commit(db)
    order = only_order(db)
    assert (order.coupon_code, order.coupon_discount_cents) == ("WELCOME10", 600)
    assert order.total_cents == 6000 - 600 + 599  # standard shipping is free only from $75
    detail = orders.order_detail(db, caller, number)
    assert detail.has_coupon and detail.coupon_discount == "$6.00"
    assert db.exec(select(Coupon.times_used)).one() == 1
    assert accounts.order_history(db, caller)[0].summary == "3 items · coupon WELCOME10"


@pytest.mark.parametrize(
    "values, message",
    [
        # Unknown, not yet valid, expired, used up or switched off: one answer, which tells nothing.
        ({"code": "OTHER"}, coupons.NOT_VALID),
        ({"valid_from": utcnow() + timedelta(days=2)}, coupons.NOT_VALID),
        ({"valid_until": utcnow() - timedelta(days=1)}, coupons.NOT_VALID),
        ({"usage_limit": 2, "times_used": 2}, coupons.NOT_VALID),
        ({"min_subtotal_cents": 10000}, "at least $100.00"),
        ({"active": False}, coupons.NOT_VALID),
    ],
)
def test_each_coupon_refusal_has_its_message_and_writes_nothing(db, cart, values, message):
    _, caller, _ = cart
    add_coupon(db, **values)
    with pytest.raises(DomainError, match=re.escape(message)):
        orders.preview_coupon(db, caller, "WELCOME10")
    with pytest.raises(FieldErrors) as e:
        place(db, caller, coupon_code="WELCOME10")
    assert message in e.value.errors["coupon"]
    db.rollback()
    assert db.exec(select(Order)).first() is None


def test_last_use_goes_to_one_order_only(db, cart):
    jane = cart[0]
    coupon = add_coupon(db, usage_limit=1, per_customer_limit=None)
    checked = coupons.check(db, "WELCOME10", 6000, jane.id)
    coupons.redeem(db, checked, jane.id)
    commit(db)
    with pytest.raises(DomainError, match="used up"):
        coupons.redeem(db, coupon, jane.id)  # the conditional UPDATE refuses, whatever Python last read
    db.rollback()
    assert db.exec(select(Coupon.times_used)).one() == 1


# -- price adjustments ------------------------------------------------------------------------------


@pytest.fixture
def adjusting(db, cart):
    jane, _, _ = cart
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), jane)
    locks.lock(db, csr)
    commit(db)
    view = carts.view(db, csr, None)
    return csr, view.lines[0].line_id, view.version


def test_csr_reduces_a_line_price_with_a_reason(db, cart, adjusting):
    _, customer, _ = cart
    csr, line_id, version = adjusting
    carts.adjust_price(db, csr, line_id, 300, "Scuffed box", version)  # 15% of $20.00, a CSR's most
    commit(db)
    view = carts.view(db, customer, None)
    line = view.lines[0]
    assert (line.unit_cents, line.adjustment_cents, line.line_cents) == (2000, 900, 5100)
    assert (line.adjustment_reason, line.adjusted) == ("Scuffed box", True)
    assert line.adjustment_label == "−$3.00 each on 3 items"
    assert view.adjustment_cents == 900 and view.subtotal_cents == 5100 and view.has_adjustment
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "price_adjust")).one()
    place(db, csr)
    commit(db)
    order_line = db.exec(select(OrderLine)).one()
    # The unit price before the adjustment; the adjustment is the line's total.
    assert (order_line.unit_price_cents, order_line.adjustment_cents) == (2000, 900)
    assert order_line.line_total_cents == 5100
    assert order_line.adjustment_reason == "Scuffed box"
    assert only_order(db).total_cents == 5100 + 599
    placed = db.exec(select(AuditEvent).where(AuditEvent.action == "order_placed")).one()
    assert placed.details == "$56.99; 1 price adjustment"
    assert accounts.order_history(db, customer)[0].summary.endswith("price adjusted by customer service")


@pytest.mark.parametrize(
    "amount, reason, field",
    [
        (2001, "too much", "amount"),
        (301, "over a CSR's cap", "amount"),
        (-5, "negative", "amount"),
        (500, "  ", "reason"),
        (500, "r" * 201, "reason"),
    ],
)
def test_bad_adjustments_are_refused(db, adjusting, amount, reason, field):
    csr, line_id, version = adjusting
    with pytest.raises(DomainError) as e:
        carts.adjust_price(db, csr, line_id, amount, reason, version)
    assert e.value.field == field
    db.rollback()
    assert carts.view(db, csr, None).adjustment_cents == 0


def test_only_csrs_with_the_permission_on_behalf_adjust(db, cart):
    _, customer, _ = cart
    line_id = carts.view(db, customer, None).lines[0].line_id
    with pytest.raises(Forbidden):
        carts.adjust_price(db, customer, line_id, 100, "friend", None)


def test_demo_coupons_are_seeded_once(db):
    from app.seed import seed_coupons

    seed_coupons(db)
    seed_coupons(db)
    commit(db)
    assert sorted(db.exec(select(Coupon.code)).all()) == ["SUMMER5", "WELCOME10"]
    with pytest.raises(DomainError, match=re.escape(coupons.NOT_VALID)):  # expired, and not said so
        coupons.check(db, "summer5", 10000, 1)
    welcome = coupons.check(db, "WELCOME10", 5000, 1)
    assert welcome.kind == "percent" and welcome.per_customer_limit == 1
