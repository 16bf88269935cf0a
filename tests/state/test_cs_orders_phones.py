"""Find by order number, three phones and hand back with a link, through the handlers (refusals and field
errors; docs/PRODUCT.md §Find customer, §Checkout on behalf)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app import config
from app.services import customers
from app.state.account import AccountState
from app.state.cart import CartState
from app.state.customer_service import CustomerServiceState
from models import Account, AuditEvent, Order
from storefront_qa.mail import Outbox
from tests.conftest import make_account
from tests.state.conftest import toasts


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    return Outbox(tmp_path / "outbox")


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        made = {
            "csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr"),
            "jane": make_account(db, "Jane", "Doe", "jane@example.com", phone="(555) 010-1234"),
            "bob": make_account(db, "Bob", "Jones", "bob@example.com"),
        }
        order = Order(
            number="W1000001",
            account_id=made["jane"].id,
            subtotal_cents=1000,
            shipping_cents=0,
            total_cents=1000,
            shipping_method="standard",
            ship_name="Jane Doe",
            ship_line1="1 Main St",
            ship_city="Springfield",
            ship_postal_code="62701",
            payment_brand="Visa",
            payment_last4="4242",
        )
        db.add(order)
        db.commit()
        return made


def emails(tab) -> list[str]:
    return [r.email for r in tab.state(CustomerServiceState).results]


def test_find_by_order_number_and_unknown_is_an_empty_result(client, people):
    csr = client(people["csr"])
    assert csr.call(CustomerServiceState, "find", {"order_number": "w1000001"}) == []
    assert emails(csr) == ["jane@example.com"]
    events = csr.call(CustomerServiceState, "find", {"order_number": "W9999999"})
    cs = csr.state(CustomerServiceState)
    assert toasts(events) == [] and cs.searched and cs.results == [] and cs.errors == {}
    assert cs.criteria.order_number == "W9999999"  # shown again


def test_type_ahead_takes_the_order_number_and_finds_it_once_complete(client, people):
    csr = client(people["csr"])
    assert csr.call(CustomerServiceState, "search_as_typed", "order_number", "W100") == []
    assert emails(csr) == []  # exact: nothing until the number is complete
    csr.call(CustomerServiceState, "search_as_typed", "order_number", "W1000001")
    assert emails(csr) == ["jane@example.com"]


def test_a_shopper_cannot_find_by_order_number(client, people):
    shopper = client(people["jane"])
    events = shopper.call(CustomerServiceState, "find", {"order_number": "W1000001"})
    assert toasts(events) and shopper.state(CustomerServiceState).results == []


NEW = {
    "first_name": "Hana",
    "last_name": "Homebody",
    "email": "hana@example.com",
    "line1": "3 Elm St",
    "city": "Salem",
    "postal_code": "97301",
}


def test_create_without_any_phone_is_a_field_error_and_writes_nothing(client, people, sqlite_engine):
    csr = client(people["csr"])
    assert csr.call(CustomerServiceState, "create_customer", NEW) == []
    assert csr.state(CustomerServiceState).create_errors == {"phone": customers.NO_PHONE}
    csr.call(CustomerServiceState, "create_customer", {**NEW, "phone_work": "x"})
    assert "phone_work" in csr.state(CustomerServiceState).create_errors
    with Session(sqlite_engine) as db:
        assert db.exec(select(Account).where(Account.email == "hana@example.com")).first() is None
    assert not csr.session.on_behalf


def test_create_with_only_a_home_phone_then_find_by_it(client, people):
    csr = client(people["csr"])
    events = csr.call(CustomerServiceState, "create_customer", {**NEW, "phone_home": "(503) 555-0142"})
    assert "Created Hana Homebody's account" in toasts(events)[0] and csr.session.on_behalf
    profile = csr.state(AccountState)
    csr.call(AccountState, "load")
    assert (profile.profile.phone, profile.profile.phone_home) == ("", "(503) 555-0142")


def test_profile_phone_errors_are_field_errors(client, people, sqlite_engine):
    jane = client(people["jane"])
    jane.call(AccountState, "load")
    form = {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone": "(555) 010-1234"}
    jane.call(AccountState, "save_profile", {**form, "phone_home": "home!", "phone_work": "(617) 555-0100"})
    assert list(jane.state(AccountState).profile_errors) == ["phone_home"]
    with Session(sqlite_engine) as db:
        assert db.get(Account, people["jane"].id).phone_work == ""  # nothing written
    jane.call(AccountState, "save_profile", {**form, "phone_home": "", "phone_work": "(617) 555-0100"})
    assert jane.state(AccountState).profile.phone_work == "(617) 555-0100"


def test_hand_back_with_link_is_refused_without_a_session(client, people, outbox):
    for who in ("jane", "csr"):
        tab = client(people[who])
        events = tab.call(CartState, "hand_back_with_link")
        assert toasts(events) == ["Access a customer's account first."]
    assert outbox.messages() == []


def test_hand_back_with_link_hands_back_and_mails(client, people, outbox, sqlite_engine):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    before = outbox.count("jane@example.com")  # the "customer service opened your account" notice
    events = csr.call(CartState, "hand_back_with_link")
    assert toasts(events) == [
        "Cart handed back to Jane Doe and emailed them a link to it. They can check out when ready."
    ]
    assert not csr.session.on_behalf
    assert outbox.cart_link("jane@example.com", after=before, timeout=0) == "/login?next=/cart"
    with Session(sqlite_engine) as db:
        row = db.exec(select(AuditEvent).where(AuditEvent.action == "cart_handed_back")).one()
        assert row.details == "Link to the cart mailed to jane@example.com"
