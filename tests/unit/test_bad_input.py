"""Hostile input at every service entry point: refused with a message fit for the user, nothing written.

Property-based (hypothesis): wrong types, huge strings, negative and enormous numbers, unknown ids and
other users' ids, as a forged websocket event could send them (docs/PRODUCT.md §Quality bars).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, SQLModel, select

from app.services import accounts, auth, carts, customers, locks, onbehalf, orders, payments
from app.services import db as dbmod
from app.services.errors import DomainError
from models import (
    Account,
    Address,
    AuditEvent,
    Cart,
    CartLine,
    OnBehalfSession,
    Order,
    Store,
    StoreStock,
    Variant,
)
from tests.conftest import make_account, make_product, sku_of

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.text(min_size=5000, max_size=6000),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
# Several 5,000-character texts in one example can pass Hypothesis's entropy budget; it then drops that example,
# and when it drops many it failed the test (data_too_large, about one run in 80 for test_place_order's six
# arguments: `--hypothesis-seed=79`). The huge inputs are the point here: let it drop them.
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    engine = dbmod.make_engine(f"sqlite:///{tmp_path_factory.mktemp('bad') / 'bad.db'}")
    SQLModel.metadata.create_all(engine)
    previous = dbmod._engine
    dbmod.use_engine(engine)
    with Session(engine, expire_on_commit=False) as db:
        jane = make_account(db, "Jane", "Doe", "jane@example.com")
        other = make_account(db, "Olly", "Other", "olly@example.com")
        csr = make_account(db, "Casey", "Rep", "csr@example.com", role="csr")
        product = make_product(db, "TEE-BAD", stock=5)
        jane_token = auth._start_session(db, jane)
        other_token = auth._start_session(db, other)
        csr_token = auth._start_session(db, csr)
        db.commit()
        other_caller = auth.resolve_caller(db, other_token)
        carts.add(db, other_caller, None, sku_of(product), 1)
        db.commit()
        other_line = db.exec(select(CartLine)).one().id
        store = Store(code="DTN", name="Downtown", line1="1 Main St", city="Springfield", postal_code="62701")
        db.add(store)
        db.flush()
        db.add(StoreStock(store_id=store.id, variant_id=db.exec(select(Variant.id)).one(), quantity=0))
        db.commit()
    yield {
        "engine": engine,
        "jane": jane_token,
        "other": other_token,
        "csr": csr_token,
        "sku": sku_of(product),
        "other_line": other_line,
        "other_id": other.id,
        "customer_ids": {jane.id, other.id},
    }
    dbmod.use_engine(previous)
    engine.dispose()


TABLES = (Account, Address, AuditEvent, Cart, CartLine, OnBehalfSession, Order, StoreStock, Variant)


def snapshot(engine) -> dict:
    with Session(engine) as db:
        return {
            t.__name__: sorted(tuple(sorted(r.model_dump().items(), key=str)) for r in db.exec(select(t)))
            for t in TABLES
        }


def refused(world, who: str, action) -> None:
    """The action either is refused with a DomainError and writes nothing, or is a legitimate change."""
    before = snapshot(world["engine"])
    try:
        with dbmod.session_scope() as db:
            action(db, auth.resolve_caller(db, world[who]))
    except DomainError as e:
        assert e.message and len(e.message) < 300
        assert snapshot(world["engine"]) == before
        return
    # Accepted: only legal values may get here.
    raise AssertionError("hostile input was accepted")


@SETTINGS
@given(sku=anything, qty=anything, version=anything)
def test_add_to_cart(world, sku, qty, version):
    refused(world, "jane", lambda db, c: carts.add(db, c, None, sku, qty, version))


@SETTINGS
@given(line=anything, qty=anything, version=anything)
def test_change_lines_of_anyone(world, line, qty, version):
    line = world["other_line"] if line is None else line  # also aim at another customer's line
    refused(world, "jane", lambda db, c: carts.set_quantity(db, c, None, line, qty, version))
    refused(world, "jane", lambda db, c: carts.remove(db, c, None, line, version))


@SETTINGS
@given(
    raw=st.dictionaries(st.sampled_from(list(customers.Criteria.__dataclass_fields__)), anything, max_size=6)
)
def test_find_customer_as_shopper_and_bad_criteria_as_csr(world, raw):
    refused(world, "jane", lambda db, c: customers.find(db, c, raw))
    bad = {k: v for k, v in raw.items() if not isinstance(v, str) or len(v) > 60 or not v.strip()}
    if bad == raw:  # nothing usable: the CSR is refused too
        refused(world, "csr", lambda db, c: customers.find(db, c, raw))


@SETTINGS
@given(customer_id=anything)
def test_access_forged_customer_ids(world, customer_id):
    if type(customer_id) is int and customer_id in world["customer_ids"]:
        return  # a real customer: access is legitimate for a CSR
    refused(world, "csr", lambda db, c: onbehalf.start(db, c, customer_id))
    refused(world, "jane", lambda db, c: onbehalf.start(db, c, world["other_id"]))


@SETTINGS
@given(first=anything, last=anything, email=anything, phone=anything)
def test_profile_update(world, first, last, email, phone):
    if all(isinstance(v, str) and 0 < len(v.strip()) <= 60 for v in (first, last)) and isinstance(email, str):
        return  # could be legitimate
    refused(world, "jane", lambda db, c: accounts.update_profile(db, c, first, last, email, phone))


@SETTINGS
@given(number=anything, expiry=anything, cvc=anything, address_id=anything, method=anything, version=anything)
def test_place_order(world, number, expiry, cvc, address_id, method, version):
    refused(
        world,
        "jane",
        lambda db, c: orders.place_order(
            db,
            c,
            expected_version=version,
            address_id=address_id,
            shipping_method=method,
            card_number=number,
            card_expiry=expiry,
            card_cvc=cvc,
        ),
    )


@SETTINGS
@given(
    fulfilment=st.one_of(
        anything,
        st.dictionaries(
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.just("line")),
            st.one_of(anything, st.sampled_from(["ship", "DTN", "dtn", "APT", ""])),
            max_size=4,
        ),
    ),
    version=anything,
)
def test_place_order_with_forged_fulfilment(world, fulfilment, version):
    """The other customer has a line and the store has none of it: no choice of fulfilment goes through."""
    if isinstance(fulfilment, dict) and "line" in fulfilment:
        fulfilment[world["other_line"]] = fulfilment.pop("line")
    refused(
        world,
        "other",
        lambda db, c: orders.place_order(
            db,
            c,
            expected_version=version,
            card_number="4242424242424242",
            card_expiry="12/40",
            card_cvc="123",
            fulfilment=fulfilment,
        ),
    )
    refused(
        world,
        "jane",
        lambda db, c: orders.place_order(db, c, expected_version=version, fulfilment=fulfilment),
    )


@SETTINGS
@given(holder=anything, cart_id=anything)
def test_locks_without_a_session_or_permission(world, holder, cart_id):
    refused(world, "csr", lambda db, c: locks.lock(db, c))  # not on behalf of anyone
    refused(world, "csr", lambda db, c: locks.take_over(db, c, holder))
    refused(world, "csr", lambda db, c: locks.release_any(db, c, cart_id))
    refused(world, "jane", lambda db, c: locks.unlock(db, c))


@settings(max_examples=200, deadline=None)
@given(number=anything, expiry=anything, cvc=anything)
def test_card_check_never_crashes(number, expiry, cvc):
    card, errors = payments.check_card(number, expiry, cvc)
    assert bool(card) != bool(errors)


@SETTINGS
@given(email=anything, password=anything)
def test_sign_in_with_anything(world, email, password):
    with Session(world["engine"]) as db:
        with pytest.raises(DomainError):
            auth.sign_in(db, email, password)
        db.rollback()


def test_unreachable_database_is_a_clear_refusal(world):
    """PostgreSQL away for a moment: a message, not a stack trace; nothing half-written."""
    down = dbmod.make_engine("postgresql+psycopg://postgres@127.0.0.1:1/gone?connect_timeout=1")
    previous = dbmod._engine
    dbmod.use_engine(down)
    try:
        with pytest.raises(DomainError, match="temporarily unavailable"), dbmod.session_scope() as db:
            carts.view(db, auth.resolve_caller(db, world["jane"]), None)
    finally:
        dbmod.use_engine(previous)
        down.dispose()
    with dbmod.session_scope() as db:  # and it works again when it is back
        assert carts.view(db, auth.resolve_caller(db, world["jane"]), None).id
