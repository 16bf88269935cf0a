"""Every refusal is made by the handlers themselves, whatever the browser sends
(docs/PRODUCT.md §Permissions and roles)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.services import permissions
from app.state.account import AccountState
from app.state.cart import CartState
from app.state.checkout import CheckoutState
from app.state.customer_service import AuditState, CustomerServiceState
from models import AuditEvent, CartLine, OnBehalfSession
from tests.conftest import make_account, make_product, sku_of
from tests.state.conftest import toasts


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com", segments="vip"),
            "john": make_account(db, "John", "Doe", "john@example.com", allow_assistance=False),
            "csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr"),
            "csr2": make_account(db, "Sam", "Agent", "csr2@example.com", role="csr"),
            "boss": make_account(db, "Pat", "Lead", "supervisor@example.com", role="supervisor"),
            "product": make_product(db, "TEE-1", stock=10),
        }


def _count(engine, model) -> int:
    with Session(engine) as db:
        return len(db.exec(select(model)).all())


def test_anonymous_and_shopper_cannot_search_or_access(client, people, sqlite_engine):
    for who in (None, people["jane"]):
        c = client(who)
        events = c.call(CustomerServiceState, "find", {"last_name": "doe"})
        assert toasts(events) and c.state(CustomerServiceState).results == []
        events = c.call(CustomerServiceState, "access", people["jane"].id)
        assert toasts(events)
    assert _count(sqlite_engine, OnBehalfSession) == 0


def test_csr_without_customer_access_is_refused(client, people, sqlite_engine, monkeypatch):
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, "csr", frozenset({permissions.CUSTOMER_SEARCH}))
    c = client(people["csr"])
    c.call(CustomerServiceState, "find", {"last_name": "doe"})
    assert len(c.state(CustomerServiceState).results) == 2  # searching is allowed...
    events = c.call(CustomerServiceState, "access", people["jane"].id)
    assert toasts(events) == ["You do not have permission to do that."]  # ...accessing is not
    assert _count(sqlite_engine, OnBehalfSession) == 0


@pytest.mark.parametrize(
    "target, message",
    [
        ("csr2", "Customer service accounts cannot be accessed on behalf."),
        ("boss", "Customer service accounts cannot be accessed on behalf."),
        ("john", "John Doe has switched off assistance from customer service."),
    ],
)
def test_csr_cannot_access_staff_or_non_consenting(client, people, sqlite_engine, target, message):
    c = client(people["csr"])
    assert toasts(c.call(CustomerServiceState, "access", people[target].id)) == [message]
    assert not c.session.on_behalf
    assert _count(sqlite_engine, OnBehalfSession) == 0


@pytest.mark.parametrize("forged", ["1", None, 10_000_000, -1, True, 3.5, {"id": 1}])
def test_forged_customer_ids_are_refused(client, people, sqlite_engine, forged):
    c = client(people["csr"])
    assert toasts(c.call(CustomerServiceState, "access", forged))
    assert _count(sqlite_engine, OnBehalfSession) == 0


def test_csr_on_behalf_needs_the_lock_and_customer_is_read_only_during_it(client, people, sqlite_engine):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    assert csr.session.on_behalf and csr.session.customer_name == "Jane Doe"
    sku = sku_of(people["product"])
    assert toasts(csr.call(CartState, "add", sku, 1)) == [
        "Lock the cart before changing it (mini-cart → Lock)."
    ]
    assert _count(sqlite_engine, CartLine) == 0
    csr.call(CartState, "lock")
    assert csr.locked_by_me
    csr.call(CartState, "add", sku, 2)
    assert csr.cart.count == 2

    jane = client(people["jane"])
    jane.call(CartState, "load")
    assert jane.cart.locked and jane.cart.lock_holder == "Casey Rep"
    line_id = jane.cart.lines[0].line_id
    assert "read-only" in toasts(jane.call(CartState, "set_quantity", line_id, "5"))[0]
    assert "read-only" in toasts(jane.call(CartState, "add", sku, 1))[0]
    with Session(sqlite_engine) as db:
        assert db.exec(select(CartLine)).one().quantity == 2

    # A second CSR cannot change it either, and sees who holds it.
    csr2 = client(people["csr2"])
    csr2.call(CustomerServiceState, "access", people["jane"].id)
    csr2.call(CartState, "load")
    assert csr2.cart.lock_holder == "Casey Rep" and not csr2.locked_by_me
    assert toasts(csr2.call(CartState, "remove", line_id))


def test_csr_whose_lock_was_taken_over_is_refused(client, people, sqlite_engine):
    sku = sku_of(people["product"])
    a, b = client(people["csr"]), client(people["csr2"])
    for c in (a, b):
        c.call(CustomerServiceState, "access", people["jane"].id)
    a.call(CartState, "lock")
    a.call(CartState, "add", sku, 1)
    b.call(CartState, "take_over")
    assert b.locked_by_me
    events = a.call(CartState, "add", sku, 1)
    assert toasts(events) == ["Your lock was taken over by Sam Agent. The cart is read-only for you now."]
    assert b.cart.lock_event == "takeover" and b.cart.previous_holder_tag == a.session.staff_tag != ""
    # Customers' browsers see these too: staff appear by name and an opaque tag, never by account id.
    assert str(a.session.account_id) not in (b.cart.previous_holder_tag, b.cart.holder_tag)
    with Session(sqlite_engine) as db:
        assert db.exec(select(CartLine)).one().quantity == 1
        takeover = db.exec(select(AuditEvent).where(AuditEvent.action == "cart_takeover")).one()
        assert "Casey Rep" in takeover.details


def test_shopper_cannot_touch_another_customers_cart_line(client, people, sqlite_engine):
    sku = sku_of(people["product"])
    jane = client(people["jane"])
    jane.call(CartState, "add", sku, 1)
    line_id = jane.cart.lines[0].line_id
    with Session(sqlite_engine, expire_on_commit=False) as db:
        mallory = make_account(db, "Mal", "Lory", "mallory@example.com")
    m = client(mallory)
    m.call(CartState, "load")
    assert toasts(m.call(CartState, "remove", line_id)) == ["That item is no longer in the cart."]
    assert toasts(m.call(CartState, "set_quantity", line_id, "9")) == ["That item is no longer in the cart."]
    with Session(sqlite_engine) as db:
        assert db.exec(select(CartLine)).one().quantity == 1


def test_audit_is_supervisor_only(client, people):
    csr = client(people["csr"])
    csr.call(AuditState, "load")
    assert not csr.state(AuditState).allowed
    assert toasts(csr.call(AuditState, "export_csv")) == ["You do not have permission to do that."]
    boss = client(people["boss"])
    boss.call(AuditState, "load")
    assert boss.state(AuditState).allowed


def test_anonymous_account_and_checkout_redirect_to_sign_in(client, people):
    anon = client(None)
    events = anon.call(AccountState, "load")
    assert any("login" in str(getattr(e, "args", "")) for e in events)
    assert toasts(anon.call(CheckoutState, "place_order", {"card_number": "4242424242424242"}))


def test_customer_cannot_be_switched_off_by_csr(client, people):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    assert toasts(csr.call(AccountState, "set_assistance", False)) == [
        "Only the customer can change this setting."
    ]


def test_sign_in_as_yourself_ends_session_and_releases_lock(client, people, sqlite_engine):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    csr.call(CartState, "lock")
    csr.call(type(csr.session), "sign_in_as_yourself")
    assert not csr.session.on_behalf
    with Session(sqlite_engine) as db:
        ob = db.exec(select(OnBehalfSession)).one()
        assert ob.ended_at is not None and ob.end_reason == "signed_in_as_self"
    jane = client(people["jane"])
    jane.call(CartState, "load")
    assert not jane.cart.locked


def check_in(client) -> bool:
    """One presence check-in of the tab, as its background watch makes every few seconds."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, client.session._check_in()).result()


def test_idle_session_warns_then_ends_on_the_server(client, people, sqlite_engine):
    from datetime import timedelta

    from app.services.db import utcnow
    from app.state.session import SessionState

    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    csr.call(CartState, "lock")
    assert check_in(csr) is True and not csr.session.idle_warning

    def idle_for(minutes: float):
        with Session(sqlite_engine) as db:
            ob = db.exec(select(OnBehalfSession)).one()
            ob.last_activity_at = utcnow() - timedelta(minutes=minutes)
            db.add(ob)
            db.commit()

    idle_for(29.5)  # default 30-minute timeout: inside the last minute
    assert check_in(csr) is True and csr.session.idle_warning
    csr.call(SessionState, "keep_alive")
    assert not csr.session.idle_warning and check_in(csr) is True
    idle_for(31)
    assert check_in(csr) is False
    assert not csr.session.on_behalf and csr.session.signed_in
    with Session(sqlite_engine) as db:
        assert db.exec(select(OnBehalfSession)).one().end_reason == "idle"
    jane = client(people["jane"])
    jane.call(CartState, "load")
    assert not jane.cart.locked  # ending for idleness released the CSR's lock
