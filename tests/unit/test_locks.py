"""Cart lock, unlock, take over and release (docs/PRODUCT.md §Cart lock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.services import auth, carts, locks, onbehalf
from app.services.caller import ANONYMOUS, Caller
from app.services.db import as_utc, utcnow
from app.services.errors import Conflict, DomainError, Forbidden
from models import AuditEvent, Cart
from tests.conftest import caller_for, make_account, make_product, sku_of


def commit(db):
    db.commit()
    db.expire_all()  # the fixture keeps objects after commit; conditional UPDATEs bypass them


def on_behalf(db, csr, customer) -> Caller:
    caller, token = caller_for(db, csr)
    onbehalf.start(db, caller, customer.id)
    commit(db)
    return auth.resolve_caller(db, token)


def cart_of(db, customer) -> Cart:
    db.expire_all()
    return db.exec(select(Cart).where(Cart.account_id == customer.id, Cart.status == "active")).one()


def expire_lock(db, customer):
    db.exec(
        update(Cart)
        .where(Cart.account_id == customer.id)
        .values(lock_expires_at=utcnow() - timedelta(seconds=1))
    )
    commit(db)


@pytest.fixture
def w(db):
    jane = make_account(db, "Jane", "Doe")
    casey = make_account(db, "Casey", "Rep", role="csr")
    sam = make_account(db, "Sam", "Agent", role="csr")
    return {
        "jane": jane,
        "casey": casey,
        "sam": sam,
        "c1": on_behalf(db, casey, jane),
        "c2": on_behalf(db, sam, jane),
    }


def test_lock_when_free(db, w):
    before = utcnow()
    cart = locks.lock(db, w["c1"])
    commit(db)
    cart = cart_of(db, w["jane"])
    assert cart.locked_by_id == w["casey"].id
    assert as_utc(cart.locked_at) >= before
    expected = before + timedelta(minutes=carts.config.CART_LOCK_MINUTES)
    assert (
        expected
        <= as_utc(cart.lock_expires_at)
        <= utcnow() + timedelta(minutes=carts.config.CART_LOCK_MINUTES)
    )
    ev = db.exec(select(AuditEvent).where(AuditEvent.action == "cart_locked")).one()
    assert (ev.csr_id, ev.customer_id, ev.cart_id) == (w["casey"].id, w["jane"].id, cart.id)
    view = carts.view(db, w["c1"], None)
    assert view.locked_by_me and view.lock_since.endswith("UTC")


def test_lock_creates_the_cart_and_bumps_its_version(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    assert cart_of(db, w["jane"]).version == 2


def test_holder_may_lock_again_to_extend(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    db.exec(update(Cart).values(lock_expires_at=utcnow() + timedelta(minutes=1)))
    commit(db)
    locks.lock(db, w["c1"])
    commit(db)
    assert as_utc(cart_of(db, w["jane"]).lock_expires_at) > utcnow() + timedelta(minutes=20)


def test_second_csrs_lock_is_refused(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    version = cart_of(db, w["jane"]).version
    with pytest.raises(Conflict, match="locked by Casey Rep"):
        locks.lock(db, w["c2"])
    db.rollback()
    cart = cart_of(db, w["jane"])
    assert cart.locked_by_id == w["casey"].id and cart.version == version
    view = carts.view(db, w["c2"], None)
    assert view.locked and not view.locked_by_me and view.lock_holder == "Casey Rep" and view.read_only


def test_take_over_names_the_previous_holder(db, w):
    make_product(db, code="TEE")
    locks.lock(db, w["c1"])
    commit(db)
    previous = locks.take_over(db, w["c2"])
    commit(db)
    assert previous == w["casey"].id
    assert cart_of(db, w["jane"]).locked_by_id == w["sam"].id
    ev = db.exec(select(AuditEvent).where(AuditEvent.action == "cart_takeover")).one()
    assert ev.csr_id == w["sam"].id and ev.customer_id == w["jane"].id
    assert ev.details == "Previous holder: Casey Rep"
    # The previous holder's edits are refused from now on; the new holder's go through.
    with pytest.raises(Forbidden, match="taken over by Sam Agent"):
        carts.add(db, w["c1"], None, sku_of(make_product(db, code="CAP")), 1)
    db.rollback()
    carts.add(db, w["c2"], None, "TEE", 1)
    with pytest.raises(Conflict):
        locks.unlock(db, w["c1"])


def test_take_over_with_the_confirmed_holder(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    seen = carts.view(db, w["c2"], None).lock_ref
    assert len(seen) == 16
    assert locks.take_over(db, w["c2"], expected_lock=seen) == w["casey"].id
    commit(db)
    assert cart_of(db, w["jane"]).locked_by_id == w["sam"].id


def test_take_over_refused_when_the_holder_changed(db, w):
    third = make_account(db, "Tia", "Third", role="csr")
    locks.lock(db, w["c1"])
    commit(db)
    seen = carts.view(db, w["c2"], None).lock_ref  # Sam confirms against Casey's lock...
    cart = cart_of(db, w["jane"])
    cart.locked_by_id = third.id  # ...while it changes hands (Tia took it over)
    db.add(cart)
    commit(db)
    with pytest.raises(Conflict, match="changed hands.*Tia Third holds it now"):
        locks.take_over(db, w["c2"], expected_lock=seen)
    db.rollback()
    assert cart_of(db, w["jane"]).locked_by_id == third.id


def test_take_over_refused_when_the_lock_was_released_meanwhile(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    seen = carts.view(db, w["c2"], None).lock_ref
    locks.unlock(db, w["c1"])
    commit(db)
    with pytest.raises(Conflict, match="released while you were deciding"):
        locks.take_over(db, w["c2"], expected_lock=seen)
    db.rollback()
    assert cart_of(db, w["jane"]).locked_by_id is None


def test_take_over_of_own_lock_is_refused(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    with pytest.raises(DomainError, match="already hold"):
        locks.take_over(db, w["c1"])


def test_take_over_of_a_free_cart(db, w):
    assert locks.take_over(db, w["c2"]) is None
    commit(db)
    assert cart_of(db, w["jane"]).locked_by_id == w["sam"].id
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "cart_takeover")).one().details == (
        "Previous holder: nobody"
    )


def test_unlock(db, w):
    make_product(db, code="TEE")
    locks.lock(db, w["c1"])
    commit(db)
    with pytest.raises(Conflict, match="do not hold"):
        locks.unlock(db, w["c2"])
    db.rollback()
    assert cart_of(db, w["jane"]).locked_by_id == w["casey"].id
    locks.unlock(db, w["c1"])
    commit(db)
    cart = cart_of(db, w["jane"])
    assert cart.locked_by_id is None and cart.locked_at is None and cart.lock_expires_at is None
    assert (
        db.exec(select(AuditEvent).where(AuditEvent.action == "cart_unlocked")).one().csr_id == w["casey"].id
    )
    # Unlocked: the customer can edit and check out again.
    shopper, _ = caller_for(db, w["jane"])
    carts.add(db, shopper, None, "TEE", 1)
    with pytest.raises(Conflict):
        locks.unlock(db, w["c1"])  # twice


def test_expired_lock_can_be_locked_by_another(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    expire_lock(db, w["jane"])
    assert not carts.view(db, w["c2"], None).locked
    locks.lock(db, w["c2"])
    commit(db)
    assert cart_of(db, w["jane"]).locked_by_id == w["sam"].id
    with pytest.raises(Forbidden):
        carts.add(db, w["c1"], None, sku_of(make_product(db, code="TEE")), 1)


def test_take_over_of_an_expired_lock_names_nobody(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    expire_lock(db, w["jane"])
    assert locks.take_over(db, w["c2"]) is None
    commit(db)
    assert cart_of(db, w["jane"]).locked_by_id == w["sam"].id


def test_lock_needs_an_on_behalf_session_and_the_permission(db, w):
    csr_alone, _ = caller_for(db, w["casey"])
    shopper, _ = caller_for(db, w["jane"])
    for caller in (csr_alone, shopper, ANONYMOUS):
        for action in (locks.lock, locks.unlock, locks.take_over):
            with pytest.raises(Forbidden):
                action(db, caller)
    assert db.exec(select(Cart)).all() == []


def test_release_any_needs_the_permission(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    cart_id = cart_of(db, w["jane"]).id
    for caller in (w["c2"], caller_for(db, w["casey"])[0], caller_for(db, w["jane"])[0], ANONYMOUS):
        with pytest.raises(Forbidden):
            locks.release_any(db, caller, cart_id)
    db.rollback()
    assert cart_of(db, w["jane"]).locked_by_id == w["casey"].id
    sup, _ = caller_for(db, make_account(db, "Pat", "Lead", role="supervisor"))
    locks.release_any(db, sup, cart_id)
    commit(db)
    assert cart_of(db, w["jane"]).locked_by_id is None
    ev = db.exec(select(AuditEvent).where(AuditEvent.action == "lock_released")).one()
    assert (
        ev.customer_id == w["jane"].id
        and ev.cart_id == cart_id
        and ev.details == "Previous holder: Casey Rep"
    )
    with pytest.raises(DomainError, match="not locked"):
        locks.release_any(db, sup, cart_id)


def test_release_any_of_an_unknown_cart(db, w, subtests):
    sup, _ = caller_for(db, make_account(db, "Pat", "Lead", role="supervisor"))
    for cart_id in [None, "1", True, 10**6]:
        with subtests.test(cart_id=cart_id), pytest.raises(DomainError, match="not locked"):
            locks.release_any(db, sup, cart_id)


def test_lock_of_another_customer_does_not_touch_this_cart(db, w):
    john = make_account(db, "John", "Doe")
    locks.lock(db, w["c1"])
    commit(db)
    sam_for_john = on_behalf(db, w["sam"], john)
    locks.lock(db, sam_for_john)
    commit(db)
    assert cart_of(db, w["jane"]).locked_by_id == w["casey"].id
    assert cart_of(db, john).locked_by_id == w["sam"].id
