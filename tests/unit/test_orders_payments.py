"""Checkout (one transaction) and the test-card checks (docs/PRODUCT.md §Shopping, §Checkout on behalf)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text, update
from sqlmodel import select

from app.services import accounts, auth, carts, customers, locks, onbehalf, orders, payments
from app.services.caller import ANONYMOUS, Caller
from app.services.db import utcnow
from app.services.errors import Conflict, DomainError, FieldErrors, Forbidden, NotFound
from models import Address, AuditEvent, Cart, Order, OrderLine, Promotion, Variant
from tests.conftest import caller_for, make_account, make_product, sku_of

VISA = "4242 4242 4242 4242"
ADDRESS = {"full_name": "Jane Doe", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345"}
FUTURE = f"12/{(date.today().year + 2) % 100:02d}"


def commit(db):
    db.commit()
    db.expire_all()  # the fixture keeps objects after commit; conditional UPDATEs bypass them


def on_behalf(db, csr, customer) -> Caller:
    caller, token = caller_for(db, csr)
    onbehalf.start(db, caller, customer.id)
    commit(db)
    return auth.resolve_caller(db, token)


def place(db, caller, **kw):
    args = {
        "expected_version": carts.view(db, caller, None).version,
        "new_address": dict(ADDRESS),
        "shipping_method": "standard",
        "card_number": VISA,
        "card_expiry": FUTURE,
        "card_cvc": "123",
    }
    args.update(kw)
    return orders.place_order(db, caller, **args)


def stock(db, product) -> int:
    db.expire_all()
    return db.exec(select(Variant).where(Variant.product_id == product.id)).one().stock


# -- payments --------------------------------------------------------------------------------

TODAY = date(2030, 6, 15)


@pytest.mark.parametrize(
    "number,brand",
    [
        ("4242424242424242", "Visa"),
        ("4111-1111-1111-1111", "Visa"),
        ("5555 5555 5555 4444", "Mastercard"),
        ("2223003122003222", "Mastercard"),
        ("378282246310005", "Amex"),
        ("6011111111111117", "Discover"),
        ("3566002020360505", "Card"),
    ],
)
def test_valid_cards_keep_brand_and_last4_only(number, brand):
    card, errors = payments.check_card(number, "12/31", "123", today=TODAY)
    assert errors == {}
    assert card == {"brand": brand, "last4": number.replace(" ", "").replace("-", "")[-4:]}


@pytest.mark.parametrize(
    "number,expiry,cvc,field,message",
    [
        ("", "12/31", "123", "card_number", "required"),
        (None, "12/31", "123", "card_number", "required"),
        ("4242424242424241", "12/31", "123", "card_number", "not valid"),
        ("4242abcd42424242", "12/31", "123", "card_number", "not valid"),
        ("424242424242", "12/31", "123", "card_number", "not valid"),
        ("4" * 20, "12/31", "123", "card_number", "not valid"),
        (VISA, "", "123", "card_expiry", "required"),
        (VISA, "05/30", "123", "card_expiry", "expired"),
        (VISA, "12/2029", "123", "card_expiry", "expired"),
        (VISA, "13/31", "123", "card_expiry", "MM/YY"),
        (VISA, "00/31", "123", "card_expiry", "MM/YY"),
        (VISA, "1231", "123", "card_expiry", "MM/YY"),
        (VISA, "12/99", "123", "card_expiry", "MM/YY"),  # more than 20 years out
        (VISA, 1231, "123", "card_expiry", "required"),
        (VISA, "12/31", "", "card_cvc", "security code"),
        (VISA, "12/31", "12", "card_cvc", "security code"),
        (VISA, "12/31", "12345", "card_cvc", "security code"),
        (VISA, "12/31", "12a", "card_cvc", "security code"),
        (VISA, "12/31", 123, "card_cvc", "security code"),
    ],
)
def test_card_field_errors(number, expiry, cvc, field, message):
    card, errors = payments.check_card(number, expiry, cvc, today=TODAY)
    assert card == {}
    assert list(errors) == [field] and message in errors[field]


def test_card_expiring_this_month_is_accepted():
    assert payments.check_card(VISA, "06/30", "123", today=TODAY)[1] == {}
    assert payments.check_card(VISA, " 6 / 2030 ", "1234", today=TODAY)[1] == {}


def test_luhn():
    assert payments.luhn_ok("79927398713") and not payments.luhn_ok("79927398710")


# -- place order -----------------------------------------------------------------------------


@pytest.fixture
def shop(db):
    jane = make_account(db, "Jane", "Doe", segments="vip")
    tee = make_product(db, code="TEE", price=2000, stock=10, category="tops")
    mug = make_product(db, code="MUG", price=1000, stock=5, category="home")
    db.add(
        Promotion(
            name="VIP 25% tees", target="segment", segment="vip", kind="percent", value=25, product_id=tee.id
        )
    )
    commit(db)
    caller, _ = caller_for(db, jane)
    return jane, caller, tee, mug


def fill(db, caller, items):
    for product, qty in items:
        carts.add(db, caller, None, sku_of(product), qty)
    commit(db)


def test_successful_order(db, shop):
    jane, caller, tee, mug = shop
    fill(db, caller, [(tee, 2), (mug, 1)])
    cart_id = carts.view(db, caller, None).id
    number = place(db, caller)
    commit(db)
    order = db.exec(select(Order)).one()
    assert number == order.number and number.startswith("W")
    assert (order.subtotal_cents, order.discount_cents, order.shipping_cents, order.total_cents) == (
        5000,
        1000,
        599,
        4599,
    )
    assert order.account_id == jane.id and order.placed_by_id is None and order.cart_id == cart_id
    assert (order.payment_brand, order.payment_last4) == ("Visa", "4242")
    # Only the brand and last four are stored anywhere on the order.
    assert not any("4242424242424242" in str(v) for v in order.model_dump().values())
    lines = db.exec(select(OrderLine).order_by(OrderLine.id)).all()
    assert [(ln.product_code, ln.quantity, ln.unit_price_cents, ln.line_total_cents) for ln in lines] == [
        ("TEE", 2, 1500, 3000),
        ("MUG", 1, 1000, 1000),
    ]
    assert stock(db, tee) == 8 and stock(db, mug) == 4
    assert db.get(Cart, cart_id).status == "ordered"
    assert carts.view(db, caller, None).lines == []  # a fresh cart next time
    # The new address became the default shipping and billing address.
    address = db.exec(select(Address).where(Address.account_id == jane.id)).one()
    assert address.is_default_shipping and address.is_default_billing and address.city == "Springfield"
    csr, _ = caller_for(db, make_account(db, "Casey", "Rep", role="csr"))
    found = customers.find(db, csr, {"postal_code": "12345"}).rows  # search columns follow the new address
    assert [(r.id, r.city) for r in found] == [(jane.id, "Springfield")]
    detail = orders.order_detail(db, caller, number)
    assert detail.total == "$45.99" and detail.payment == "Visa ending in 4242" and not detail.assisted
    assert detail.discount == "$10.00" and detail.has_discount and len(detail.lines) == 2
    assert accounts.order_history(db, caller)[0].number == number
    assert db.exec(select(AuditEvent)).all() == []


def test_free_standard_shipping_from_75_dollars_and_express(db, shop):
    _, caller, tee, mug = shop
    fill(db, caller, [(tee, 5), (mug, 1)])  # 5 x 15.00 + 10.00 = 85.00 after promotion
    place(db, caller)
    order = db.exec(select(Order)).one()
    assert (order.subtotal_cents, order.discount_cents, order.shipping_cents, order.total_cents) == (
        11000,
        2500,
        0,
        8500,
    )
    assert orders.shipping_cents("express", 8500) == 1499 and orders.shipping_cents("standard", 7499) == 599


def test_order_dates_are_utc_whatever_the_database_time_zone(db, shop):
    _, caller, tee, _ = shop
    fill(db, caller, [(tee, 1)])
    number = place(db, caller)
    commit(db)
    db.expire_all()
    today = utcnow().strftime("%Y-%m-%d")
    # Between them, +14h and -12h put every UTC hour on another calendar day.
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
        if db.get_bind().dialect.name == "postgresql":
            db.exec(text(f"SET LOCAL TIME ZONE '{zone}'"))
        assert accounts.order_history(db, caller)[0].date == today
        assert orders.order_detail(db, caller, number).date.startswith(today)
        db.rollback()


def test_order_with_a_saved_address(db, shop):
    _jane, caller, tee, _ = shop
    address = accounts.add_address(db, caller, {**ADDRESS, "city": "Shelbyville"})
    fill(db, caller, [(tee, 1)])
    place(db, caller, new_address=None, address_id=address.id, shipping_method="express")
    order = db.exec(select(Order)).one()
    assert order.ship_city == "Shelbyville" and order.shipping_cents == 1499
    assert len(db.exec(select(Address)).all()) == 1


def assert_nothing_written(db, caller, tee, version, tee_stock=10):
    db.rollback()
    assert db.exec(select(Order)).all() == [] and db.exec(select(OrderLine)).all() == []
    assert stock(db, tee) == tee_stock
    view = carts.view(db, caller, None)
    assert view.version == version and view.lines
    assert db.get(Cart, view.id).status == "active"


PLACE_FIELD_CASES = [
    ({"card_number": "4242 4242 4242 4241"}, {"card_number"}),
    ({"card_expiry": "01/20"}, {"card_expiry"}),
    ({"card_cvc": "9"}, {"card_cvc"}),
    ({"card_number": "", "card_expiry": "", "card_cvc": ""}, {"card_number", "card_expiry", "card_cvc"}),
    ({"shipping_method": "teleport"}, {"shipping_method"}),
    (
        {"new_address": {"full_name": "", "line1": "", "city": "", "postal_code": "--"}},
        {"full_name", "line1", "city", "postal_code"},
    ),
    ({"new_address": None, "address_id": None}, {"address"}),
    ({"new_address": None, "address_id": "1"}, {"address"}),
]


def test_field_errors_write_nothing(db, shop, subtests):
    _, caller, tee, _ = shop
    fill(db, caller, [(tee, 2)])
    version = carts.view(db, caller, None).version
    for kw, fields in PLACE_FIELD_CASES:
        with subtests.test(**{k: str(v) for k, v in kw.items()}):
            with pytest.raises(FieldErrors) as e:
                place(db, caller, **kw)
            assert set(e.value.errors) == fields
            assert_nothing_written(db, caller, tee, version)


def test_address_of_another_customer_is_refused(db, shop):
    _, caller, tee, _ = shop
    bob = make_account(db, "Bob", "Other")
    bob_address = accounts.add_address(db, caller_for(db, bob)[0], ADDRESS)
    commit(db)
    fill(db, caller, [(tee, 1)])
    with pytest.raises(FieldErrors) as e:
        place(db, caller, new_address=None, address_id=bob_address.id)
    assert set(e.value.errors) == {"address"}


def test_insufficient_stock_rolls_back_everything(db, shop):
    _, caller, tee, mug = shop
    fill(db, caller, [(tee, 2), (mug, 3)])
    version = carts.view(db, caller, None).version
    db.exec(update(Variant).where(Variant.sku == sku_of(mug)).values(stock=1))  # sold elsewhere meanwhile
    commit(db)
    with pytest.raises(DomainError, match="Only 1 of Product MUG left in stock"):
        place(db, caller)
    # The tee's stock was already taken inside the transaction; the rollback gives it back.
    assert_nothing_written(db, caller, tee, version)
    assert stock(db, mug) == 1


def test_empty_cart_cannot_be_ordered(db, shop):
    _, caller, _, _ = shop
    with pytest.raises(DomainError, match="empty"):
        orders.place_order(
            db,
            caller,
            expected_version=None,
            new_address=ADDRESS,
            card_number=VISA,
            card_expiry=FUTURE,
            card_cvc="123",
        )


def test_stale_cart_version_is_refused(db, shop):
    _, caller, tee, _ = shop
    fill(db, caller, [(tee, 1)])
    version = carts.view(db, caller, None).version
    fill(db, caller, [(tee, 1)])
    with pytest.raises(Conflict):
        place(db, caller, expected_version=version)
    assert_nothing_written(db, caller, tee, version + 1)


def test_anonymous_and_csr_alone_cannot_order(db, shop):
    csr, _ = caller_for(db, make_account(db, "Casey", "Rep", role="csr"))
    for caller in (ANONYMOUS, csr):
        with pytest.raises(Forbidden):
            orders.place_order(db, caller, expected_version=1)


def test_csr_on_behalf_places_the_order_holding_the_lock(db, shop):
    jane, customer, tee, _ = shop
    csr_account = make_account(db, "Casey", "Rep", role="csr")
    csr = on_behalf(db, csr_account, jane)
    locks.lock(db, csr)
    commit(db)
    carts.add(db, csr, None, sku_of(tee), 2)
    commit(db)
    number = place(db, csr)
    commit(db)
    order = db.exec(select(Order)).one()
    assert order.account_id == jane.id and order.placed_by_id == csr_account.id
    assert order.total_cents == 3000 + 599  # the customer's VIP price
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "order_placed")).one()
    assert audit.order_number == number and audit.csr_id == csr_account.id and audit.customer_id == jane.id
    assert audit.details == "$35.99"
    detail = orders.order_detail(db, customer, number)
    assert detail.assisted
    assert accounts.order_history(db, customer)[0].assisted


def test_csr_without_the_lock_cannot_place_the_order(db, shop):
    jane, customer, tee, _ = shop
    fill(db, customer, [(tee, 1)])
    version = carts.view(db, customer, None).version
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), jane)
    with pytest.raises(Forbidden, match="Lock the cart"):
        place(db, csr)
    assert_nothing_written(db, customer, tee, version)


def test_customer_cannot_check_out_while_csr_holds_the_lock(db, shop):
    jane, customer, tee, _ = shop
    fill(db, customer, [(tee, 1)])
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), jane)
    locks.lock(db, csr)
    commit(db)
    version = carts.view(db, customer, None).version
    with pytest.raises(Forbidden, match="Customer service"):
        place(db, customer)
    assert_nothing_written(db, customer, tee, version)


def test_unknown_order_is_not_found(db, shop, subtests):
    _, caller, _, _ = shop
    for number in ["W9999999", "", None, 5, "x" * 21]:
        with subtests.test(number=number), pytest.raises(NotFound):
            orders.order_detail(db, caller, number)


def test_order_of_another_customer_is_not_found(db, shop):
    _, caller, tee, _ = shop
    fill(db, caller, [(tee, 1)])
    number = place(db, caller)
    commit(db)
    bob, _ = caller_for(db, make_account(db, "Bob", "Other"))
    with pytest.raises(NotFound):
        orders.order_detail(db, bob, number)


def test_shipping_options():
    assert [o.price for o in orders.shipping_options(1000)] == ["$5.99", "$14.99"]
    assert [o.price for o in orders.shipping_options(7500)] == ["Free", "$14.99"]


def test_quote_matches_what_the_order_charges():
    # $60 after promotions, a $6 coupon: standard shipping is free only from $75.
    assert orders.quote(6000, 600, "standard", ships=True) == orders.Quote(shipping="$5.99", total="$59.99")
    assert orders.quote(8000, 0, "standard", ships=True) == orders.Quote(shipping="Free", total="$80.00")
    assert orders.quote(6000, 0, "pickup-forged", ships=True).shipping == "Free"  # unknown method: no price
    assert orders.quote(6000, 0, "express", ships=False) == orders.Quote(
        shipping="Pick up in store", total="$60.00"
    )
