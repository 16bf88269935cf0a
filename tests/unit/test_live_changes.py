"""A change publishes itself (docs/LIVE.md): services mark what they changed, the sweeper ends what nobody
ends by hand, and what is published is read from what was committed. SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from app import config
from app.services import carts, changes, identity, live, locks, onbehalf, sweeper
from app.services.db import utcnow
from models import AuditEvent, Cart, OnBehalfSession
from tests.conftest import make_product, sku_of
from tests.unit import test_locks
from tests.unit.test_locks import cart_of, commit

# Jane, and two CSRs on her behalf (Casey as c1, Sam as c2): the lock tests' fixture, shared.
w = test_locks.w


def marked(db) -> dict:
    return {cart_id: mark.event for cart_id, mark in changes.checkpoint(db).carts.items()}


def test_every_cart_and_lock_change_marks_the_cart(db, w):
    sku = sku_of(make_product(db, "TEE", stock=10))
    cart = locks.lock(db, w["c1"])
    assert marked(db) == {cart.id: "lock"}
    carts.add(db, w["c1"], None, sku, 1)
    assert marked(db) == {cart.id: "lock"}  # a lock event is not hidden by a later edit
    publications = live.collect(db)
    assert [p.token for p in publications.carts] == [f"cust{w['jane'].id}"]
    assert publications.carts[0].view.count == 1 and publications.carts[0].event == "lock"
    assert not changes.checkpoint(db)  # collected: nothing is published twice
    commit(db)
    previous = locks.take_over(db, w["c2"])
    assert previous == w["casey"].id
    assert changes.checkpoint(db).carts[cart.id].previous_holder_id == w["casey"].id
    live.collect(db)
    commit(db)
    locks.unlock(db, w["c2"])
    assert marked(db) == {cart.id: "unlock"}


def test_ending_a_session_marks_the_released_cart_and_the_session(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    live.collect(db)
    identity.end_on_behalf(db, w["c1"], "signed_in_as_self")
    pubs = live.collect(db)
    assert [(p.event, p.view.locked) for p in pubs.carts] == [("unlock", False)]
    assert [(s.token, s.tag, s.reason) for s in pubs.sessions] == [
        (f"cust{w['jane'].id}", w["c1"].session_tag, "CSR signed in as themself")
    ]


def test_a_session_is_ended_once_however_many_paths_end_it(db, w):
    ob = db.get(OnBehalfSession, w["c1"].on_behalf_id)
    assert onbehalf.close(db, ob, "idle") is True
    assert onbehalf.close(db, ob, "csr_signed_out") is False
    commit(db)
    ended = db.exec(select(AuditEvent).where(AuditEvent.action == "session_ended")).all()
    assert [e.details for e in ended if e.csr_id == w["casey"].id] == ["Idle timeout"]


def test_hand_back_is_worded_in_the_audit(db, w):
    onbehalf.hand_back(db, w["c1"])
    commit(db)
    row = db.exec(
        select(AuditEvent).where(AuditEvent.action == "session_ended", AuditEvent.csr_id == w["casey"].id)
    ).one()
    assert row.details == "Cart handed back to the customer"


def test_sweeper_releases_an_expired_lock_and_marks_it(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    live.collect(db)
    db.exec(update(Cart).values(lock_expires_at=utcnow() - timedelta(seconds=1)))
    commit(db)
    assert sweeper.sweep(db) == {"idle": 0, "expired": 1, "abandoned": 0}
    assert [p.event for p in live.collect(db).carts] == ["expired"]
    commit(db)
    assert cart_of(db, w["jane"]).locked_by_id is None
    assert (
        db.exec(select(AuditEvent).where(AuditEvent.action == "lock_expired")).one().csr_id == w["casey"].id
    )


def test_sweeper_releases_a_lock_whose_holder_has_no_page_open(db, w, monkeypatch):
    monkeypatch.setattr(config, "CART_LOCK_ABANDON_SECONDS", 120)
    locks.lock(db, w["c1"])
    commit(db)
    # A page seen 100 s ago: still there (moving between pages, a reconnect).
    db.exec(update(OnBehalfSession).values(last_seen_at=utcnow() - timedelta(seconds=100)))
    commit(db)
    assert sweeper.sweep(db)["abandoned"] == 0
    onbehalf.seen(db, w["c1"])  # a check-in of an open tab keeps it alive...
    commit(db)
    assert sweeper.sweep(db)["abandoned"] == 0
    # ...and none for longer than CART_LOCK_ABANDON_SECONDS: abandoned.
    db.exec(update(OnBehalfSession).values(last_seen_at=utcnow() - timedelta(seconds=121)))
    commit(db)
    live.collect(db)
    assert sweeper.sweep(db)["abandoned"] == 1
    pubs = live.collect(db)
    commit(db)
    assert [(p.event, p.previous_holder_tag, p.view.locked) for p in pubs.carts] == [
        ("abandoned", w["c1"].staff_tag, False)
    ]
    row = db.exec(select(AuditEvent).where(AuditEvent.action == "lock_abandoned")).one()
    assert "Casey Rep had no page of the store open for 120 s" in row.details
    # The session itself goes on (only its lock was abandoned); the idle timeout still applies.
    assert db.get(OnBehalfSession, w["c1"].on_behalf_id).ended_at is None


def test_seen_is_not_activity(db, w):
    ob_id = w["c1"].on_behalf_id
    db.exec(update(OnBehalfSession).values(last_activity_at=utcnow() - timedelta(minutes=10)))
    commit(db)
    onbehalf.seen(db, w["c1"])
    commit(db)
    ob = db.get(OnBehalfSession, ob_id)
    assert utcnow() - ob.last_activity_at.replace(tzinfo=utcnow().tzinfo) > timedelta(minutes=9)


def test_sweeper_ends_idle_sessions_and_releases_their_lock(db, w):
    locks.lock(db, w["c1"])
    commit(db)
    live.collect(db)
    db.exec(
        update(OnBehalfSession)
        .where(OnBehalfSession.id == w["c1"].on_behalf_id)
        .values(last_activity_at=utcnow() - onbehalf.idle_limit() - timedelta(seconds=1))
    )
    commit(db)
    assert sweeper.sweep(db)["idle"] == 1
    pubs = live.collect(db)
    commit(db)
    assert [p.event for p in pubs.carts] == ["unlock"] and [s.reason for s in pubs.sessions] == [
        "Idle timeout"
    ]
    assert cart_of(db, w["jane"]).locked_by_id is None


@pytest.mark.parametrize("rounds", [3])
def test_two_workers_sweeping_at_once_release_and_audit_once(engine, db, w, rounds):
    """Every worker sweeps; the conditional UPDATEs make exactly one of them release each lock."""
    for _ in range(rounds):
        locks.lock(db, w["c1"])
        commit(db)
        db.exec(update(Cart).values(lock_expires_at=utcnow() - timedelta(seconds=1)))
        commit(db)

        def one_sweep(_):
            with Session(engine) as s:
                done = sweeper.sweep(s)
                s.commit()
                return done["expired"]

        with ThreadPoolExecutor(4) as pool:
            assert sum(pool.map(one_sweep, range(4))) == 1
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "lock_expired")).all()) == rounds
