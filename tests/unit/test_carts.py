"""Carts: quantities, stock, versions, ownership, anonymous merge and the CSR lock guard
(docs/PRODUCT.md §Cart lock, §Quality bars)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.services import auth, carts, locks, onbehalf
from app.services.caller import ANONYMOUS, Caller
from app.services.db import utcnow
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from models import AuditEvent, Cart, CartLine, Variant
from tests.conftest import caller_for, make_account, make_product, sku_of

ANON = ANONYMOUS
KEY = "anon-browser-key-1"


def commit(db):
    db.commit()
    db.expire_all()  # the fixture keeps objects after commit; conditional UPDATEs bypass them


def on_behalf(db, csr, customer) -> Caller:
    caller, token = caller_for(db, csr)
    onbehalf.start(db, caller, customer.id)
    commit(db)
    return auth.resolve_caller(db, token)


def lines_of(db, cart_id) -> dict[int, int]:
    return {
        line.variant_id: line.quantity
        for line in db.exec(select(CartLine).where(CartLine.cart_id == cart_id))
    }


def expire_lock(db, cart_id):
    db.exec(update(Cart).where(Cart.id == cart_id).values(lock_expires_at=utcnow() - timedelta(seconds=1)))
    commit(db)
    db.expire_all()


@pytest.fixture
def tee(db):
    return make_product(db, code="TEE", price=2000, stock=10)


@pytest.fixture
def jane(db):
    account = make_account(db, "Jane", "Doe")
    return account, caller_for(db, account)[0]


# -- add and merge ---------------------------------------------------------------------------


def test_anonymous_add_then_merge_quantity(db, tee):
    first = carts.add(db, ANON, KEY, sku_of(tee), 2)
    commit(db)
    view = carts.view(db, ANON, KEY)
    again = carts.add(db, ANON, KEY, sku_of(tee), "3", view.version)
    commit(db)
    assert first.cart_id == again.cart_id and again.quantity == 5
    view = carts.view(db, ANON, KEY)
    assert [(line.code, line.quantity) for line in view.lines] == [("TEE", 5)]
    assert view.count == 5 and view.subtotal == "$100.00" and view.subtotal_cents == 10000
    assert view.can_edit and not view.read_only and not view.locked
    # Another browser sees nothing of it.
    assert carts.view(db, ANON, "another-key").lines == []
    assert db.exec(select(AuditEvent)).all() == []  # shoppers' own changes are not audited


def test_registered_shopper_has_one_active_cart(db, tee, jane):
    account, caller = jane
    carts.add(db, caller, None, sku_of(tee), 1)
    carts.add(db, caller, None, sku_of(tee), 1)
    commit(db)
    rows = db.exec(select(Cart).where(Cart.account_id == account.id)).all()
    assert len(rows) == 1 and rows[0].status == "active"
    assert lines_of(db, rows[0].id) == {db.exec(select(Variant)).one().id: 2}


def test_each_add_bumps_the_version(db, tee, jane):
    _, caller = jane
    carts.add(db, caller, None, sku_of(tee), 1)
    v1 = carts.view(db, caller, None).version
    carts.add(db, caller, None, sku_of(tee), 1, v1)
    assert carts.view(db, caller, None).version == v1 + 1


BAD_QUANTITIES = [0, 100, "abc", -1, True, False, 10**20, None, 1.5, "", " ", "1e2", "0x5", "100", [3]]


def test_bad_quantities_are_refused_and_nothing_is_written(db, tee, subtests):
    for qty in BAD_QUANTITIES:
        with subtests.test(qty=qty):
            with pytest.raises(DomainError) as e:
                carts.add(db, ANON, KEY, sku_of(tee), qty)
            assert e.value.message == "Quantity must be a whole number from 1 to 99."
            assert e.value.field == "quantity"
            db.rollback()
            assert db.exec(select(Cart)).all() == [] and db.exec(select(CartLine)).all() == []


def test_good_quantities(db, subtests):
    for i, qty in enumerate([1, 99, "7", " 42 "]):
        with subtests.test(qty=qty):
            p = make_product(db, code=f"BULK{i}", stock=500)
            assert carts.add(db, ANON, KEY, sku_of(p), qty).quantity == int(str(qty).strip())


def test_merged_quantity_is_capped_at_99(db):
    p = make_product(db, code="BULK", stock=500)
    carts.add(db, ANON, KEY, sku_of(p), 60)
    commit(db)
    with pytest.raises(DomainError, match="at most 99"):
        carts.add(db, ANON, KEY, sku_of(p), 40)
    db.rollback()
    assert list(lines_of(db, carts.view(db, ANON, KEY).id).values()) == [60]


def test_out_of_stock(db):
    gone = make_product(db, code="GONE", stock=0)
    few = make_product(db, code="FEW", stock=2)
    with pytest.raises(DomainError, match="out of stock"):
        carts.add(db, ANON, KEY, sku_of(gone), 1)
    with pytest.raises(DomainError, match="Only 2 of Product FEW left"):
        carts.add(db, ANON, KEY, sku_of(few), 3)
    carts.add(db, ANON, KEY, sku_of(few), 2)
    with pytest.raises(DomainError, match="Only 2"):
        carts.add(db, ANON, KEY, sku_of(few), 1)  # the cart already holds all there is


def test_unknown_sku(db, tee, subtests):
    for sku in ["NOPE", "", None, 5, "x" * 61]:
        with subtests.test(sku=sku), pytest.raises(NotFound):
            carts.add(db, ANON, KEY, sku, 1)


def test_variants_are_separate_lines(db):
    p = make_product(db, code="SHIRT", options=[("Blue", "M"), ("Blue", "L")])
    carts.add(db, ANON, KEY, sku_of(p, "Blue", "M"), 1)
    carts.add(db, ANON, KEY, sku_of(p, "Blue", "L"), 2)
    view = carts.view(db, ANON, KEY)
    assert [(line.options, line.quantity) for line in view.lines] == [
        ("Blue / M", 1),
        ("Blue / L", 2),
    ]


def test_cart_holds_at_most_50_different_items(db):
    p = make_product(db, code="MANY", options=[(f"o{i}", "") for i in range(carts.MAX_LINES + 1)])
    for i in range(carts.MAX_LINES):
        carts.add(db, ANON, KEY, sku_of(p, f"o{i}"), 1)
    with pytest.raises(DomainError, match="at most 50"):
        carts.add(db, ANON, KEY, sku_of(p, f"o{carts.MAX_LINES}"), 1)
    carts.add(db, ANON, KEY, sku_of(p, "o0"), 1)  # an existing line may still grow


def test_anonymous_without_browser_key_is_refused(db, tee):
    with pytest.raises(DomainError, match="browser session"):
        carts.add(db, ANON, None, sku_of(tee), 1)
    assert carts.view(db, ANON, None).lines == []


def test_csr_without_a_customer_has_no_cart(db, tee):
    csr, _ = caller_for(db, make_account(db, "Casey", "Rep", role="csr"))
    with pytest.raises(Forbidden, match="Access a customer"):
        carts.add(db, csr, KEY, sku_of(tee), 1)
    assert carts.view(db, csr, KEY).read_only


# -- set quantity, remove, versions ----------------------------------------------------------


def test_set_quantity_and_remove(db, tee, jane):
    _, caller = jane
    carts.add(db, caller, None, sku_of(tee), 1)
    view = carts.view(db, caller, None)
    line_id = view.lines[0].line_id
    carts.set_quantity(db, caller, None, line_id, 4, view.version)
    view = carts.view(db, caller, None)
    assert view.lines[0].quantity == 4
    with pytest.raises(DomainError, match="Only 10"):
        carts.set_quantity(db, caller, None, line_id, 11, view.version)
    with pytest.raises(DomainError, match="Quantity"):
        carts.set_quantity(db, caller, None, line_id, 0, view.version)
    carts.remove(db, caller, None, line_id, view.version)
    assert carts.view(db, caller, None).lines == []


def test_stale_version_is_refused_and_nothing_written(db, tee, jane):
    _, caller = jane
    other = make_product(db, code="CAP", stock=5)
    carts.add(db, caller, None, sku_of(tee), 1)
    commit(db)
    stale = carts.view(db, caller, None)
    carts.add(db, caller, None, sku_of(tee), 1, stale.version)  # someone else's change
    commit(db)
    fresh = carts.view(db, caller, None)
    line_id = stale.lines[0].line_id
    for change in (
        lambda: carts.set_quantity(db, caller, None, line_id, 7, stale.version),
        lambda: carts.remove(db, caller, None, line_id, stale.version),
        lambda: carts.add(db, caller, None, sku_of(other), 1, stale.version),
        lambda: carts.add(db, caller, None, sku_of(tee), 1, stale.version),
    ):
        with pytest.raises(Conflict) as e:
            change()
        assert e.value.message == carts.STALE_MESSAGE
        db.rollback()
        now = carts.view(db, caller, None)
        assert now.version == fresh.version
        assert [(line.code, line.quantity) for line in now.lines] == [("TEE", 2)]


def test_malformed_version_is_refused(db, tee, jane, subtests):
    _, caller = jane
    carts.add(db, caller, None, sku_of(tee), 1)
    line_id = carts.view(db, caller, None).lines[0].line_id
    for version in ["1", True, -1, 1.0, [1]]:
        with subtests.test(version=version):
            with pytest.raises(DomainError, match="malformed"):
                carts.set_quantity(db, caller, None, line_id, 2, version)
            with pytest.raises(DomainError, match="malformed"):
                carts.add(db, caller, None, sku_of(tee), 1, version)


def test_line_of_another_customers_cart_is_not_found(db, tee, jane):
    _, caller = jane
    bob = make_account(db, "Bob", "Other")
    bob_caller, _ = caller_for(db, bob)
    carts.add(db, bob_caller, None, sku_of(tee), 3)
    carts.add(db, caller, None, sku_of(tee), 1)
    commit(db)
    bob_view = carts.view(db, bob_caller, None)
    bob_line = bob_view.lines[0].line_id
    my_version = carts.view(db, caller, None).version
    with pytest.raises(NotFound):
        carts.set_quantity(db, caller, None, bob_line, 1, my_version)
    with pytest.raises(NotFound):
        carts.remove(db, caller, None, bob_line, my_version)
    with pytest.raises(NotFound):  # nor from an anonymous browser
        carts.remove(db, ANON, KEY, bob_line, bob_view.version)
    db.rollback()
    assert carts.view(db, bob_caller, None).lines[0].quantity == 3


def test_unknown_line_is_not_found(db, tee, jane, subtests):
    _, caller = jane
    carts.add(db, caller, None, sku_of(tee), 1)
    for line_id in [None, "1", True, 10**9, 1.0]:
        with subtests.test(line_id=line_id):
            with pytest.raises(NotFound):
                carts.remove(db, caller, None, line_id, None)
            with pytest.raises(NotFound):
                carts.set_quantity(db, caller, None, line_id, 2, None)


# -- anonymous cart merge on sign-in ---------------------------------------------------------


def test_merge_anonymous_into_account_cart(db, tee, jane):
    account, caller = jane
    cap = make_product(db, code="CAP", stock=3)
    carts.add(db, ANON, KEY, sku_of(tee), 2)
    carts.add(db, ANON, KEY, sku_of(cap), 2)
    carts.add(db, caller, None, sku_of(tee), 3)
    carts.add(db, caller, None, sku_of(cap), 2)
    commit(db)
    before = carts.view(db, caller, None).version
    assert carts.merge_anonymous(db, KEY, account.id) == 2
    commit(db)
    view = carts.view(db, caller, None)
    quantities = {line.code: line.quantity for line in view.lines}
    assert quantities == {"TEE": 5, "CAP": 3}  # CAP capped at its stock
    assert view.version > before
    assert db.exec(select(Cart).where(Cart.anon_key_hash.is_not(None))).one().status == "merged"
    assert carts.view(db, ANON, KEY).lines == []
    assert carts.merge_anonymous(db, KEY, account.id) == 0  # nothing left to merge


def test_merge_creates_the_account_cart(db, tee, jane):
    account, caller = jane
    carts.add(db, ANON, KEY, sku_of(tee), 2)
    assert carts.merge_anonymous(db, KEY, account.id) == 1
    assert carts.view(db, caller, None).lines[0].quantity == 2


def test_merge_without_an_anonymous_cart(db, tee, jane, subtests):
    account, _ = jane
    for key in [None, "", "unknown-key", 7, "k" * 201]:
        with subtests.test(key=key):
            assert carts.merge_anonymous(db, key, account.id) == 0
            assert db.exec(select(Cart)).all() == []


def test_merge_skips_a_cart_locked_by_customer_service(db, tee, jane):
    account, caller = jane
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), account)
    locks.lock(db, csr)
    commit(db)
    carts.add(db, ANON, KEY, sku_of(tee), 2)
    assert carts.merge_anonymous(db, KEY, account.id) == 0
    assert carts.view(db, ANON, KEY).lines[0].quantity == 2  # left as it was
    assert carts.view(db, caller, None).lines == []


# -- the CSR lock guard ----------------------------------------------------------------------


@pytest.fixture
def csr_for_jane(db, jane):
    account, _ = jane
    return on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), account)


def test_csr_on_behalf_without_lock_is_refused(db, tee, jane, csr_for_jane):
    _account, caller = jane
    carts.add(db, caller, None, sku_of(tee), 1)
    commit(db)
    view = carts.view(db, csr_for_jane, None)
    assert view.lines[0].quantity == 1 and view.read_only and not view.can_edit
    with pytest.raises(Forbidden, match="Lock the cart"):
        carts.add(db, csr_for_jane, None, sku_of(tee), 1, view.version)
    with pytest.raises(Forbidden, match="Lock the cart"):
        carts.set_quantity(db, csr_for_jane, None, view.lines[0].line_id, 5, view.version)
    with pytest.raises(Forbidden, match="Lock the cart"):
        carts.remove(db, csr_for_jane, None, view.lines[0].line_id, view.version)
    db.rollback()
    assert carts.view(db, caller, None).lines[0].quantity == 1
    assert db.exec(select(AuditEvent).where(AuditEvent.action.like("cart_%"))).all() == []


def test_csr_with_the_lock_changes_the_customers_cart(db, tee, jane, csr_for_jane):
    account, caller = jane
    cart = locks.lock(db, csr_for_jane)
    commit(db)
    expires = carts.as_utc(cart.lock_expires_at)
    view = carts.view(db, csr_for_jane, None)
    assert view.can_edit and view.locked_by_me and view.lock_holder == "Casey Rep"
    carts.add(db, csr_for_jane, None, sku_of(tee), 2, view.version)
    commit(db)
    line = db.exec(select(CartLine)).one()
    assert line.cart_id == cart.id and line.added_by_id == csr_for_jane.account_id
    db.refresh(cart)
    assert carts.as_utc(cart.lock_expires_at) >= expires  # each change keeps the lock alive
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "cart_add")).one()
    assert audit.customer_id == account.id and audit.cart_id == cart.id and "x2" in audit.details
    # The customer sees the CSR's change, read-only while the lock is held.
    mine = carts.view(db, caller, None)
    assert mine.lines[0].quantity == 2 and mine.read_only and mine.lock_holder == "Casey Rep"


def test_customer_refused_while_csr_holds_a_live_lock(db, tee, jane, csr_for_jane):
    _account, caller = jane
    carts.add(db, caller, None, sku_of(tee), 1)
    cart = locks.lock(db, csr_for_jane)
    commit(db)
    version = carts.view(db, caller, None).version
    line_id = carts.view(db, caller, None).lines[0].line_id
    for change in (
        lambda: carts.add(db, caller, None, sku_of(tee), 1, version),
        lambda: carts.set_quantity(db, caller, None, line_id, 3, version),
        lambda: carts.remove(db, caller, None, line_id, version),
    ):
        with pytest.raises(Forbidden, match="Customer service is working on this cart"):
            change()
        db.rollback()
    # After the lock expires the customer can edit again, and the CSR cannot.
    expire_lock(db, cart.id)
    view = carts.view(db, caller, None)
    assert view.can_edit and not view.locked
    carts.set_quantity(db, caller, None, line_id, 3, view.version)
    commit(db)
    assert carts.view(db, caller, None).lines[0].quantity == 3
    with pytest.raises(Forbidden, match="Lock the cart"):
        carts.add(db, csr_for_jane, None, sku_of(tee), 1)


def test_csr_whose_lock_was_taken_over_is_refused(db, tee, jane, csr_for_jane):
    account, _ = jane
    locks.lock(db, csr_for_jane)
    commit(db)
    sam = on_behalf(db, make_account(db, "Sam", "Agent", role="csr"), account)
    locks.take_over(db, sam)
    commit(db)
    with pytest.raises(Forbidden, match="taken over by Sam Agent"):
        carts.add(db, csr_for_jane, None, sku_of(tee), 1)
    db.rollback()
    carts.add(db, sam, None, sku_of(tee), 1)


def test_ordered_cart_cannot_be_changed(db, tee, jane):
    _, caller = jane
    carts.add(db, caller, None, sku_of(tee), 1)
    cart = carts.current_cart(db, caller, None)
    stale_line = carts.view(db, caller, None).lines[0].line_id
    cart.status = "ordered"
    db.add(cart)
    commit(db)
    with pytest.raises(Conflict, match="already checked out"):
        carts.claim_change(db, cart, caller, None)
    db.rollback()
    with pytest.raises(NotFound):  # the next cart is a new one
        carts.remove(db, caller, None, stale_line, None)
