"""Checkout extras of an order (docs/PRODUCT.md §Checkout on behalf): the alternate pickup contact, a gift
message per line, customer service's reductions of the shipping and of the order total, and the cap on every
reduction (ADJUST_LIMIT_PERCENT for a CSR; a supervisor up to the whole amount). SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app import config
from app.services import carts, locks, notices, order_extras, orders
from app.services.errors import DomainError, FieldErrors, Forbidden
from models import AuditEvent, Cart, CartLine, Order, OrderLine
from storefront_qa.mail import Outbox
from tests.conftest import caller_for, make_account, make_product, sku_of
from tests.unit.test_fulfilment import add_store, shelve
from tests.unit.test_orders_payments import commit, on_behalf, place

CONTACT = {"alt_first_name": "Sam", "alt_last_name": "Roe", "alt_email": "Sam@Example.com", "alt_phone": ""}
SAVED = {**CONTACT, "alt_email": "sam@example.com"}


@pytest.fixture
def shop(db):
    """Jane's cart: a $40.00 tee (shipped) and 2 mugs at $12.00 (to pick up at Downtown): subtotal $64.00,
    standard shipping $5.99 (free from $75), so $69.99 in all."""
    jane = make_account(db, "Jane", "Doe")
    tee = make_product(db, code="TEE", price=4000, stock=10)
    mug = make_product(db, code="MUG", price=1200, stock=10, category="home")
    downtown = add_store(db, "DTN", "Downtown")
    shelve(db, downtown, mug, 5)
    commit(db)
    customer, _ = caller_for(db, jane)
    carts.add(db, customer, None, sku_of(tee), 1)
    carts.add(db, customer, None, sku_of(mug), 2)
    commit(db)
    lines = {line.code: line.line_id for line in carts.view(db, customer, None).lines}
    return {"jane": jane, "customer": customer, "tee": lines["TEE"], "mug": lines["MUG"]}


def staff(db, shop, role="csr"):
    """A CSR (or supervisor) on behalf of Jane, holding her cart's lock."""
    caller = on_behalf(db, make_account(db, role.title(), "Rep", role=role), shop["jane"])
    locks.lock(db, caller)
    commit(db)
    return caller


def version(db, caller) -> int:
    return carts.view(db, caller, None).version


def adjust(db, caller, kind, amount, reason="Goodwill", **kw):
    orders.adjust_checkout(db, caller, kind, amount, reason, version(db, caller), **kw)
    commit(db)


def pickup(shop) -> dict:
    return {shop["mug"]: "DTN", shop["tee"]: "ship"}


def cart_row(db) -> Cart:
    db.expire_all()
    return db.exec(select(Cart).where(Cart.status == "active")).one()


def refused(db, fn, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as e:
        fn(*args, **kw)
    db.rollback()
    db.expire_all()
    return e.value


# -- the cap ----------------------------------------------------------------------------------------


def test_a_csrs_line_price_adjustment_is_capped_a_supervisors_is_not(db, shop):
    csr = staff(db, shop)
    e = refused(db, carts.adjust_price, db, csr, shop["tee"], "6.01", "Scuffed", version(db, csr))
    assert e.field == "amount" and "Beyond 15% only a supervisor may" in e.message and "$6.00" in e.message
    assert db.get(CartLine, shop["tee"]).adjustment_cents == 0  # nothing written
    carts.adjust_price(db, csr, shop["tee"], "6.00", "Scuffed", version(db, csr))
    commit(db)
    assert db.get(CartLine, shop["tee"]).adjustment_cents == 600
    locks.unlock(db, csr)
    commit(db)

    boss = staff(db, shop, "supervisor")
    carts.adjust_price(db, boss, shop["tee"], "40.00", "Sample", version(db, boss))
    commit(db)
    assert db.get(CartLine, shop["tee"]).adjustment_cents == 4000
    e = refused(db, carts.adjust_price, db, boss, shop["tee"], "40.01", "Sample", version(db, boss))
    assert "cannot be more than the price, $40.00" in e.message


def test_the_cap_follows_the_setting(db, shop, monkeypatch):
    monkeypatch.setattr(config, "ADJUST_LIMIT_PERCENT", 50)
    csr = staff(db, shop)
    carts.adjust_price(db, csr, shop["tee"], "20.00", "Half off", version(db, csr))
    e = refused(db, carts.adjust_price, db, csr, shop["tee"], "20.01", "More", version(db, csr))
    assert "Beyond 50%" in e.message


def test_a_csrs_shipping_adjustment_is_capped_of_the_shipping_cost(db, shop):
    csr = staff(db, shop)
    e = refused(db, adjust, db, csr, "shipping", "0.90", fulfilment=pickup(shop))  # 15% of $5.99 is $0.89
    assert e.field == "amount" and "only a supervisor may reduce the shipping" in e.message
    assert cart_row(db).shipping_adjust_cents == 0
    adjust(db, csr, "shipping", "0.89", "Late parcel", fulfilment=pickup(shop))
    cart = cart_row(db)
    assert (cart.shipping_adjust_cents, cart.shipping_adjust_reason) == (89, "Late parcel")
    assert cart.shipping_adjusted_by_id == csr.account_id
    # Express costs $14.99: a CSR may take off $2.24 of it.
    adjust(db, csr, "shipping", "2.24", "Late parcel", shipping_method="express", fulfilment=pickup(shop))
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "shipping_adjust")).all()
    assert len(audit) == 2 and "−$2.24 of $14.99 (Late parcel)" in audit[-1].details


def test_a_supervisor_may_take_off_the_whole_shipping_never_more(db, shop):
    boss = staff(db, shop, "supervisor")
    e = refused(db, adjust, db, boss, "shipping", "6.00", fulfilment=pickup(shop))
    assert "cannot be more than the shipping cost, $5.99" in e.message
    adjust(db, boss, "shipping", "5.99", "Our mistake", fulfilment=pickup(shop))
    assert cart_row(db).shipping_adjust_cents == 599
    # Nothing ships: there is no shipping to reduce.
    every = {shop["mug"]: "DTN", shop["tee"]: "DTN"}
    e = refused(db, adjust, db, boss, "shipping", "0.01", fulfilment=every)
    assert "$0.00" in e.message


def test_a_csrs_order_adjustment_is_capped_of_the_total_before_it(db, shop):
    csr = staff(db, shop)
    # $64.00 + $5.99 shipping = $69.99; 15% is $10.49.
    e = refused(db, adjust, db, csr, "order", "10.50", fulfilment=pickup(shop))
    assert "only a supervisor may reduce the order total" in e.message and "$10.49" in e.message
    adjust(db, csr, "order", "10.49", "Loyal customer", fulfilment=pickup(shop))
    # After a shipping reduction the total before the order's is smaller, and so is the cap.
    adjust(db, csr, "shipping", "0.89", "Late", fulfilment=pickup(shop))
    e = refused(db, adjust, db, csr, "order", "10.49", fulfilment=pickup(shop))  # 15% of $69.10 is $10.36
    assert "$10.36" in e.message
    assert cart_row(db).order_adjust_cents == 1049  # the refused one wrote nothing


def test_a_supervisor_may_take_the_order_to_zero_never_below(db, shop):
    boss = staff(db, shop, "supervisor")
    assert (
        "cannot be more than the order total, $69.99"
        in refused(db, adjust, db, boss, "order", "70.00", fulfilment=pickup(shop)).message
    )
    adjust(db, boss, "order", "69.99", "On the house", fulfilment=pickup(shop))
    number = place(db, boss, fulfilment=pickup(shop))
    commit(db)
    order = db.exec(select(Order).where(Order.number == number)).one()
    assert (order.total_cents, order.order_adjustment_cents) == (0, 6999)


@pytest.mark.parametrize("amount", ["-1", "abc", "1.234", "", "١٢", True, -5, 1.5, None, "99999999"])
def test_bad_amounts_are_field_errors_and_write_nothing(db, shop, amount):
    boss = staff(db, shop, "supervisor")
    for kind in ("shipping", "order"):
        e = refused(db, adjust, db, boss, kind, amount, fulfilment=pickup(shop))
        assert e.field == "amount"
    e = refused(db, carts.adjust_price, db, boss, shop["tee"], amount, "x", version(db, boss))
    assert e.field == "amount"
    cart = cart_row(db)
    assert (cart.shipping_adjust_cents, cart.order_adjust_cents) == (0, 0)


def test_a_reason_is_required_and_short(db, shop):
    csr = staff(db, shop)
    assert refused(db, adjust, db, csr, "order", "1.00", "  ", fulfilment=pickup(shop)).field == "reason"
    assert refused(db, adjust, db, csr, "order", "1.00", "r" * 201, fulfilment=pickup(shop)).field == "reason"
    adjust(db, csr, "order", "0", "", fulfilment=pickup(shop))  # 0 removes, no reason needed


def test_adjustments_need_customer_service_on_behalf_holding_the_lock(db, shop):
    customer = shop["customer"]
    with pytest.raises(Forbidden):
        adjust(db, customer, "order", "1.00", fulfilment=pickup(shop))
    db.rollback()
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), shop["jane"])
    e = refused(db, adjust, db, csr, "order", "1.00", fulfilment=pickup(shop))
    assert isinstance(e, Forbidden) and "Lock the cart" in e.message
    own, _ = caller_for(db, make_account(db, "Own", "Rep", role="csr"))
    assert isinstance(refused(db, adjust, db, own, "order", "1.00"), Forbidden)
    assert refused(db, adjust, db, staff(db, shop), "tip", "1.00").message.startswith("That request")
    assert cart_row(db).order_adjust_cents == 0


# -- the order --------------------------------------------------------------------------------------


def test_reductions_are_copied_to_the_order_and_shown(db, shop):
    csr = staff(db, shop)
    adjust(db, csr, "shipping", "0.89", "Late parcel", fulfilment=pickup(shop))
    adjust(db, csr, "order", "5.00", "Sorry", fulfilment=pickup(shop))
    q = orders.quote(6400, 0, "standard", True, orders.checkout_adjustments(db, csr))
    assert (q.shipping_adjustment, q.order_adjustment, q.total) == ("$0.89", "$5.00", "$64.10")
    number = place(db, csr, fulfilment=pickup(shop))
    commit(db)
    order = db.exec(select(Order).where(Order.number == number)).one()
    assert (order.shipping_cents, order.shipping_adjustment_cents, order.order_adjustment_cents) == (
        599,
        89,
        500,
    )
    assert order.total_cents == 6400 + 599 - 89 - 500
    detail = orders.order_detail(db, csr, number)
    assert (detail.shipping_adjustment, detail.shipping_adjustment_reason) == ("$0.89", "Late parcel")
    assert (detail.order_adjustment, detail.order_adjustment_reason, detail.total) == (
        "$5.00",
        "Sorry",
        "$64.10",
    )
    placed = db.exec(select(AuditEvent).where(AuditEvent.action == "order_placed")).one()
    assert "shipping −$0.89" in placed.details and "order total −$5.00" in placed.details


def test_a_reduction_over_a_total_that_shrank_since_never_makes_it_negative(db, shop):
    boss = staff(db, shop, "supervisor")
    adjust(db, boss, "shipping", "5.99", "Our mistake", fulfilment=pickup(shop))
    adjust(db, boss, "order", "60.00", "Goodwill", fulfilment=pickup(shop))
    carts.remove(db, boss, None, shop["tee"], version(db, boss))  # $24.00 left, picked up: no shipping
    commit(db)
    number = place(db, boss, fulfilment={shop["mug"]: "DTN"})
    commit(db)
    order = db.exec(select(Order).where(Order.number == number)).one()
    assert (order.total_cents, order.shipping_adjustment_cents, order.order_adjustment_cents) == (0, 0, 2400)


def test_a_csrs_reduction_stays_within_the_cap_of_what_the_order_costs_when_placed(db, shop):
    csr = staff(db, shop)
    adjust(db, csr, "shipping", "2.24", "Late", shipping_method="express", fulfilment=pickup(shop))
    number = place(db, csr, shipping_method="standard", fulfilment=pickup(shop))  # $5.99: at most $0.89
    commit(db)
    assert db.exec(select(Order).where(Order.number == number)).one().shipping_adjustment_cents == 89


# -- alternate pickup contact -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "form,field",
    [
        ({**CONTACT, "alt_email": "not-an-email"}, "alt_email"),
        ({**CONTACT, "alt_email": ""}, "alt_email"),
        ({**CONTACT, "alt_first_name": ""}, "alt_first_name"),
        ({**CONTACT, "alt_last_name": "x" * 61}, "alt_last_name"),
        ({**CONTACT, "alt_phone": "call me"}, "alt_phone"),
        ({**CONTACT, "alt_email": ["a@b.co"]}, "alt_email"),
    ],
)
def test_a_bad_contact_is_a_field_error_and_writes_nothing(db, shop, form, field):
    with pytest.raises(FieldErrors) as e:
        order_extras.save_contact(db, shop["customer"], form, version(db, shop["customer"]))
    assert field in e.value.errors
    db.rollback()
    assert cart_row(db).alt_first_name == ""


def test_the_saved_contact_is_copied_to_the_order_and_mailed(db, shop, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    customer = shop["customer"]
    saved = order_extras.save_contact(
        db, customer, {**CONTACT, "alt_phone": "555-0100"}, version(db, customer)
    )
    commit(db)
    assert saved == order_extras.PickupContact("Sam", "Roe", "sam@example.com", "555-0100")
    assert order_extras.pickup_contact(db, customer) == saved
    number = place(db, customer, fulfilment=pickup(shop), alt_contact={**SAVED, "alt_phone": "555-0100"})
    commit(db)
    order = db.exec(select(Order).where(Order.number == number)).one()
    assert (order.alt_first_name, order.alt_email, order.alt_phone) == ("Sam", "sam@example.com", "555-0100")
    assert orders.order_detail(db, customer, number).alt_contact == "Sam Roe, sam@example.com, 555-0100"
    mail = Outbox(tmp_path / "outbox").latest(shop["jane"].email, timeout=0)
    body = mail.get_content()
    assert number in mail["Subject"] and "Sam Roe, sam@example.com, 555-0100" in body
    assert "Pick up at Downtown" in body and "Ship to home" in body


def test_an_unsaved_or_invalid_contact_refuses_the_order(db, shop):
    customer = shop["customer"]
    with pytest.raises(FieldErrors) as e:
        place(db, customer, fulfilment=pickup(shop), alt_contact=CONTACT)  # filled in, never saved
    assert e.value.errors["alt_contact"] == order_extras.UNSAVED
    db.rollback()
    with pytest.raises(FieldErrors) as e:
        place(db, customer, fulfilment=pickup(shop), alt_contact={**CONTACT, "alt_email": "nope"})
    assert "alt_email" in e.value.errors
    db.rollback()
    assert db.exec(select(Order)).first() is None


def test_a_contact_goes_with_pickup_lines_only(db, shop):
    customer = shop["customer"]
    order_extras.save_contact(db, customer, CONTACT, version(db, customer))
    commit(db)
    number = place(db, customer, alt_contact={})  # everything shipped: no form, no contact
    commit(db)
    assert db.exec(select(Order).where(Order.number == number)).one().alt_first_name == ""


def test_saving_the_contact_keeps_the_lock_rules(db, shop):
    csr = staff(db, shop)
    customer = shop["customer"]
    e = refused(db, order_extras.save_contact, db, customer, CONTACT, version(db, customer))
    assert isinstance(e, Forbidden)
    order_extras.save_contact(db, csr, CONTACT, version(db, csr))
    commit(db)
    assert cart_row(db).alt_first_name == "Sam"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "pickup_contact")).one()


# -- a gift message per line ------------------------------------------------------------------------


def test_line_gift_messages_are_saved_and_copied_to_the_order_lines(db, shop):
    customer = shop["customer"]
    order_extras.set_line_gift_message(db, customer, shop["mug"], "  For Sam  ", version(db, customer))
    commit(db)
    assert [l.gift_message for l in carts.view(db, customer, None).lines if l.code == "MUG"] == ["For Sam"]
    e = refused(
        db, order_extras.set_line_gift_message, db, customer, shop["tee"], "x" * 201, version(db, customer)
    )
    assert e.field == "line_gift_message"
    number = place(db, customer, gift_message="For the family", fulfilment=pickup(shop))
    commit(db)
    by_code = {l.product_code: l.gift_message for l in db.exec(select(OrderLine)).all()}
    assert by_code == {"TEE": "", "MUG": "For Sam"}
    detail = orders.order_detail(db, customer, number)
    assert [l.gift_message for l in detail.lines] == [
        "",
        "For Sam",
    ] and detail.gift_message == "For the family"


def test_line_gift_messages_keep_the_lock_rules(db, shop):
    csr = staff(db, shop)
    customer = shop["customer"]
    e = refused(
        db, order_extras.set_line_gift_message, db, customer, shop["mug"], "Hi", version(db, customer)
    )
    assert isinstance(e, Forbidden)
    other = make_account(db, "Other", "Shopper")
    other_caller, _ = caller_for(db, other)
    assert isinstance(
        refused(db, order_extras.set_line_gift_message, db, other_caller, shop["mug"], "Hi", 1), DomainError
    )
    order_extras.set_line_gift_message(db, csr, shop["mug"], "From Jane", version(db, csr))
    commit(db)
    assert db.get(CartLine, shop["mug"]).gift_message == "From Jane"


def test_one_mail_per_order_on_behalf(db, shop, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    csr = staff(db, shop)
    box = Outbox(tmp_path / "outbox")
    before = box.count(shop["jane"].email)
    number = place(db, csr, fulfilment=pickup(shop))
    commit(db)
    assert box.count(shop["jane"].email) == before + 1
    assert "placed by customer service" in box.latest(shop["jane"].email, timeout=0)["Subject"]
    assert notices.order_placed  # the one confirmation, folded with the on-behalf notice
    assert number
