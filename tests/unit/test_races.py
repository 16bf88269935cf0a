"""Races decided by the database: 50 threads on separate connections (docs/PRODUCT.md §Cart lock)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from app.services import auth, carts, locks, onbehalf
from app.services.db import session_scope
from app.services.errors import DomainError
from models import Account, AuditEvent, Cart, CartLine
from tests.conftest import make_account, make_product, sku_of

THREADS = 50


def _race(fn, n: int = THREADS) -> list:
    """Run fn(i) in n threads released together; returns each result or DomainError."""
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        try:
            with session_scope() as db:
                return fn(db, i)
        except DomainError as e:
            return e

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def _csrs_on_behalf(db, customer: Account, n: int) -> list[str]:
    """n CSRs, each with a live on-behalf session for the customer; returns their tokens."""
    tokens = []
    for i in range(n):
        csr = make_account(db, f"Rep{i:02d}", "Racer", f"rep{i:02d}@example.com", role="csr")
        token = auth._start_session(db, csr)
        onbehalf.start(db, auth.resolve_caller(db, token), customer.id)
        db.commit()
        tokens.append(token)
    return tokens


def test_fifty_csrs_race_to_lock_one_cart_exactly_one_wins(db):
    customer = make_account(db, "Cara", "Cart", "cara@example.com")
    tokens = _csrs_on_behalf(db, customer, THREADS)

    results = _race(lambda s, i: locks.lock(s, auth.resolve_caller(s, tokens[i])).locked_by_id)
    winners = [r for r in results if not isinstance(r, DomainError)]
    assert len(winners) == 1
    db.expire_all()
    cart = db.exec(select(Cart).where(Cart.account_id == customer.id, Cart.status == "active")).one()
    assert cart.locked_by_id == winners[0]
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "cart_locked")).all()) == 1


def test_takeover_storm_leaves_one_holder_and_an_unbroken_audit_chain(db):
    customer = make_account(db, "Tia", "Takeover", "tia@example.com")
    tokens = _csrs_on_behalf(db, customer, THREADS + 1)
    first = auth.resolve_caller(db, tokens[-1])
    locks.lock(db, first)
    db.commit()

    results = _race(
        lambda s, i: (
            auth.resolve_caller(s, tokens[i]).account_id,
            locks.take_over(s, auth.resolve_caller(s, tokens[i])),
        )
    )
    won = [r for r in results if not isinstance(r, DomainError)]
    assert won, "at least one takeover must succeed"
    db.expire_all()
    cart = db.exec(select(Cart).where(Cart.account_id == customer.id, Cart.status == "active")).one()
    takeovers = db.exec(
        select(AuditEvent).where(AuditEvent.action == "cart_takeover").order_by(AuditEvent.id)
    ).all()
    assert len(takeovers) == len(won)
    # Each takeover names as previous holder the CSR who took it just before (the chain never breaks).
    names = {a.id: f"{a.first_name} {a.last_name}" for a in db.exec(select(Account))}
    holder = first.account_id
    for event in takeovers:
        assert event.details == f"Previous holder: {names[holder]}"
        holder = event.csr_id
    assert cart.locked_by_id == holder
    assert holder in {taker for taker, _ in won}


def test_stale_versions_lose_and_no_line_is_lost_or_doubled(db):
    customer = make_account(db, "Sol", "Stale", "sol@example.com")
    product = make_product(db, "TEE-RACE", stock=1000)
    token = auth._start_session(db, customer)
    db.commit()
    with session_scope() as s:
        carts.add(s, auth.resolve_caller(s, token), None, sku_of(product), 1)
    with session_scope() as s:
        version = carts.view(s, auth.resolve_caller(s, token), None).version

    # Everyone saw the same version: exactly one change may land.
    results = _race(
        lambda s, i: carts.add(s, auth.resolve_caller(s, token), None, sku_of(product), 1, version)
    )
    assert sum(not isinstance(r, DomainError) for r in results) == 1
    assert all("changed somewhere else" in r.message for r in results if isinstance(r, DomainError))
    db.expire_all()
    assert db.exec(select(CartLine)).one().quantity == 2

    # Without a version (each add names the version it read itself), every add lands exactly once.
    results = _race(lambda s, i: carts.add(s, auth.resolve_caller(s, token), None, sku_of(product), 1), n=20)
    landed = sum(not isinstance(r, DomainError) for r in results)
    db.expire_all()
    assert db.exec(select(CartLine)).one().quantity == 2 + landed
    assert landed >= 1


def test_expired_lock_can_be_taken_by_another_csr(db):
    from datetime import timedelta

    from app.services.db import utcnow

    customer = make_account(db, "Eve", "Expiry", "eve@example.com")
    t1, t2 = _csrs_on_behalf(db, customer, 2)
    locks.lock(db, auth.resolve_caller(db, t1))
    db.commit()
    cart = db.exec(select(Cart).where(Cart.account_id == customer.id)).one()
    cart.lock_expires_at = utcnow() - timedelta(seconds=1)
    db.add(cart)
    db.commit()
    second = auth.resolve_caller(db, t2)
    assert locks.lock(db, second).locked_by_id == second.account_id
