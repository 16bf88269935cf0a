"""The customer hears what customer service did (docs/SECURITY.md "Consent"): a mail when staff open their account
(once per on-behalf session) and when an order is placed on their behalf, naming the CSR's first name only; nothing
when the customer acts alone, nothing when the unit of work fails. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from app import config
from app.services import carts, locks, onbehalf
from app.services.errors import Forbidden
from storefront_qa.mail import Outbox
from tests.conftest import caller_for, make_account, sku_of
from tests.unit.test_orders_payments import commit, on_behalf, place, shop  # noqa: F401  (shop: fixture)


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    return Outbox(tmp_path / "outbox")


def test_opening_the_account_mails_the_customer_once_per_session(db, shop, outbox):  # noqa: F811
    jane = shop[0]
    csr_account = make_account(db, "Casey", "Rep", role="csr")
    on_behalf(db, csr_account, jane)
    assert outbox.count(jane.email) == 1
    body = outbox.latest(jane.email, timeout=0).get_content()
    assert "Casey from our customer service team" in body and "Rep" not in body
    assert "/account" in body
    caller, _ = caller_for(db, csr_account)
    carts.view(db, caller, None)  # working in the session mails nothing more
    commit(db)
    assert outbox.count(jane.email) == 1


def test_a_refused_access_mails_nothing(db, shop, outbox):  # noqa: F811
    private = make_account(db, "Priv", "Ate", "private@example.com", allow_assistance=False)
    caller, _ = caller_for(db, make_account(db, "Casey", "Rep", role="csr"))
    with pytest.raises(Forbidden):
        onbehalf.start(db, caller, private.id)
    db.rollback()
    assert outbox.messages() == []


def test_an_order_placed_on_behalf_mails_one_confirmation_naming_the_csr(db, shop, outbox):  # noqa: F811
    jane, customer, tee, _ = shop
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), jane)
    locks.lock(db, csr)
    carts.add(db, csr, None, sku_of(tee), 1)
    commit(db)
    number = place(db, csr)
    commit(db)
    assert outbox.count(jane.email) == 2  # opened, then the order: one mail, its confirmation
    mail = outbox.latest(jane.email, timeout=0)
    body = mail.get_content()
    assert number in body and "Casey" in body and f"/order/{number}" in body
    assert "placed by customer service" in mail["Subject"] and "Product" in body

    carts.add(db, customer, None, sku_of(tee), 1)
    commit(db)
    own = place(db, customer)
    commit(db)
    assert outbox.count(jane.email) == 3  # the customer's own order: its confirmation, no customer service
    mail = outbox.latest(jane.email, timeout=0)
    assert own in mail["Subject"] and "customer service" not in mail.get_content()
