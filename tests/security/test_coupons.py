"""docs/SECURITY.md §Input a page never sends: coupons. A stranger learns nothing of codes that are not
usable, a customer uses a coupon once (decided by the database), and guessing codes is slowed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app import config
from app.services import carts, coupons, orders
from app.services.db import session_scope, utcnow
from app.services.errors import DomainError, FieldErrors
from app.state.cart import CartState
from app.state.checkout import CheckoutState
from models import Coupon, Order
from tests.conftest import caller_for, make_account, make_product, sku_of
from tests.state.conftest import toasts
from tests.unit.test_orders_payments import place as place_order

NOT_VALID = "That coupon code is not valid."
MAX_GUESSES = getattr(config, "COUPON_MAX_GUESSES", 10)  # read so, the old code fails on what it does


def add_coupons(db) -> None:
    now = utcnow()
    db.add_all(
        [
            Coupon(code="WELCOME10", kind="percent", value=10, min_subtotal_cents=5000),
            Coupon(code="SUMMER5", kind="amount", value=500, valid_until=now - timedelta(days=30)),
            Coupon(code="XMAS25", kind="percent", value=25, valid_from=now + timedelta(days=30)),
            Coupon(code="OLDPROMO", kind="amount", value=500, active=False),
            Coupon(code="FIRST100", kind="amount", value=500, usage_limit=100, times_used=100),
            Coupon(code="BIGSPEND", kind="amount", value=2000, min_subtotal_cents=50000),
        ]
    )
    db.commit()


@pytest.fixture
def shop(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        people = {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com"),
            "john": make_account(db, "John", "Roe", "john@example.com"),
            "product": make_product(db, "TEE-1", price=3000, stock=50),
        }
        add_coupons(db)
        return people


def apply(tab, code: str) -> str:
    tab.state(CheckoutState).coupon_input = code
    shown = toasts(tab.call(CheckoutState, "apply_coupon"))
    return shown[0] if shown else "applied"


def test_unknown_expired_future_disabled_and_used_up_codes_all_read_the_same(client, shop):
    """Was: "Coupon SUMMER5 expired on …", "… is not valid yet; it can be used from …", "… has been used up"
    told a stranger which codes exist and when the next sale starts."""
    tab = client(shop["jane"])
    tab.call(CartState, "add", sku_of(shop["product"]), 2)
    codes = ["NOSUCHCODE", "SUMMER5", "XMAS25", "OLDPROMO", "FIRST100", "b\u0131gspend"]  # dotless ı: not "I"
    answers = {code: apply(tab, code) for code in codes}
    assert answers == dict.fromkeys(answers, NOT_VALID)
    assert tab.state(CheckoutState).errors["coupon"] == NOT_VALID
    # A coupon the customer could use says what stands in the way, which reveals nothing more.
    assert "at least $500.00" in apply(tab, "bigspend")
    assert apply(tab, "welcome10") == "applied"


def test_guessing_codes_is_slowed_for_the_customer_and_counted_although_refused(client, shop, sqlite_engine):
    """Was: unlimited guesses, as fast as the socket takes them."""
    jane = client(shop["jane"])
    jane.call(CartState, "add", sku_of(shop["product"]), 2)
    for i in range(MAX_GUESSES):
        assert apply(jane, f"GUESS{i:03d}") == NOT_VALID  # each refusal rolled the unit of work back...
    refused = apply(jane, "WELCOME10")  # ...yet every guess counted: now even a good code waits
    assert refused.startswith("Too many coupon codes that are not valid were tried. Please try again in")
    assert jane.state(CheckoutState).coupon_code == ""
    # Another customer is not slowed by Jane's guesses.
    john = client(shop["john"])
    john.call(CartState, "add", sku_of(shop["product"]), 2)
    assert apply(john, "WELCOME10") == "applied"
    # The pause ends.
    with Session(sqlite_engine) as db:
        from models import Throttle

        for row in db.exec(select(Throttle)).all():
            row.blocked_until = utcnow() - timedelta(seconds=1)
            db.add(row)
        db.commit()
    assert apply(jane, "WELCOME10") == "applied"


# -- per-customer limit, on SQLite and PostgreSQL ---------------------------------------------------


@pytest.fixture
def buyer(db):
    jane = make_account(db, "Jane", "Doe", "jane@example.com")
    tee = make_product(db, "TEE-1", price=3000, stock=50)
    add_coupons(db)
    caller, _ = caller_for(db, jane)
    return jane, caller, tee


def fill_cart(db, caller, tee) -> None:
    carts.add(db, caller, None, sku_of(tee), 2)
    db.commit()


def place(db, caller, code="WELCOME10") -> str:
    return place_order(db, caller, coupon_code=code)


def test_a_coupon_is_used_once_per_customer(db, buyer):
    """Was: WELCOME10 took 10% off every order of the same customer."""
    _, caller, tee = buyer
    fill_cart(db, caller, tee)
    place(db, caller)
    db.commit()
    fill_cart(db, caller, tee)
    with pytest.raises(DomainError, match="You have already used coupon WELCOME10"):
        orders.preview_coupon(db, caller, "WELCOME10")
    db.rollback()
    with pytest.raises(FieldErrors) as e:
        place(db, caller)
    assert "already used coupon WELCOME10" in e.value.errors["coupon"]
    db.rollback()
    assert len(db.exec(select(Order)).all()) == 1


def test_two_orders_racing_with_one_use_left_exactly_one_gets_it(db, buyer, engine):
    """Both checks pass before either order commits: the database's count decides, not what Python read."""
    jane = buyer[0]
    coupon = db.exec(select(Coupon).where(Coupon.code == "WELCOME10")).one()
    subtotal = 6000
    with Session(engine, expire_on_commit=False) as first, Session(engine, expire_on_commit=False) as second:
        a = coupons.check(first, "WELCOME10", subtotal, jane.id)
        first.rollback()
        b = coupons.check(second, "WELCOME10", subtotal, jane.id)
        second.rollback()
        coupons.redeem(first, a, jane.id)
        first.commit()
        with pytest.raises(DomainError, match="already used coupon WELCOME10"):
            coupons.redeem(second, b, jane.id)
        second.rollback()
    db.expire_all()
    assert db.get(Coupon, coupon.id).times_used == 1  # the refused order's count rolled back too


def test_parallel_guesses_cannot_pass_the_limit(db, buyer, monkeypatch):
    """Guesses sent at once are decided one by one in the database: no more than the limit are answered."""
    jane = buyer[0]
    monkeypatch.setattr(config, "COUPON_MAX_GUESSES", 3, raising=False)
    n = 10
    barrier = threading.Barrier(n)

    def guess(i):
        barrier.wait()
        try:
            with session_scope() as s:
                coupons.check(s, f"GUESS{i}", 6000, jane.id)
        except DomainError as e:
            return e.message

    with ThreadPoolExecutor(n) as pool:
        answers = list(pool.map(guess, range(n)))
    assert answers.count(NOT_VALID) == 3  # three guesses were looked up, the others waited
    assert all(a.startswith("Too many coupon codes") for a in answers if a != NOT_VALID)


def test_one_source_guessing_with_many_accounts_is_slowed_too(db, monkeypatch):
    """An attacker with many accounts: each stays under its own limit, the source does not."""
    monkeypatch.setattr(config, "COUPON_MAX_GUESSES", 3)
    monkeypatch.setattr(config, "COUPON_SOURCE_MAX_GUESSES", 5)
    people = [make_account(db, "Guess", f"Er{i}", f"guesser{i}@example.com") for i in range(4)]
    answers = []
    for i, person in enumerate(people):
        for j in range(2):  # two guesses per account: under the customer's limit of 3
            try:
                coupons.check(db, f"GUESS{i}{j}", 6000, person.id, source="198.51.100.7")
            except DomainError as e:
                db.rollback()
                answers.append(e.message)
    assert answers[:5] == [NOT_VALID] * 5
    assert all(a.startswith("Too many coupon codes") for a in answers[5:]) and len(answers) == 8
    # Another source, and the same accounts' own limits, are untouched.
    with pytest.raises(DomainError, match="not valid"):
        coupons.check(db, "GUESSX", 6000, people[3].id, source="203.0.113.9")
