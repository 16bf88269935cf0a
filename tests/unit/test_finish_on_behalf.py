"""Creating a customer from Customer Service and handing a cart back (docs/PRODUCT.md §Find customer,
§Checkout on behalf)."""

import pytest
from sqlmodel import select

from app.services import auth, carts, customers, locks, onbehalf
from app.services.errors import FieldErrors, Forbidden
from models import Account, Address, AuditEvent, Cart, OnBehalfSession
from tests.conftest import caller_for, make_account, make_product, sku_of

GOOD = {
    "first_name": "Nia",
    "last_name": "Newcomer",
    "email": "Nia@Example.com",
    "phone": "(555) 777-1234",
    "line1": "9 Harbor Way",
    "city": "Portland",
    "postal_code": "97201",
}


@pytest.fixture
def csr(db):
    return caller_for(db, make_account(db, "Casey", "Rep", "csr@example.com", role="csr"))


def test_create_customer_writes_account_address_and_audit(db, csr):
    caller, _ = csr
    account = customers.create_customer(db, caller, GOOD)
    db.commit()
    assert account.email == "nia@example.com" and account.role == "shopper"
    address = db.exec(select(Address).where(Address.account_id == account.id)).one()
    assert address.is_default_billing and address.is_default_shipping
    assert account.postal_code_norm == "97201" and account.city == "Portland"
    assert customers.find(db, caller, {"email": "nia@"}).rows[0].customer_number == account.customer_number
    assert (
        db.exec(select(AuditEvent).where(AuditEvent.action == "customer_created")).one().customer_id
        == account.id
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"first_name": ""}, "first_name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "taken@example.com"}, "email"),
        ({"phone": ""}, "phone"),
        ({"phone": "abc"}, "phone"),
        ({"line1": ""}, "line1"),
        ({"city": "x" * 81}, "city"),
        ({"postal_code": ""}, "postal_code"),
    ],
)
def test_create_customer_refuses_bad_input_and_writes_nothing(db, csr, change, field):
    make_account(db, "Tak", "En", "taken@example.com")
    caller, _ = csr
    before = len(db.exec(select(Account)).all())
    with pytest.raises(FieldErrors) as err:
        customers.create_customer(db, caller, {**GOOD, **change})
    db.rollback()
    assert field in err.value.errors
    assert len(db.exec(select(Account)).all()) == before
    assert db.exec(select(Address)).all() == []


def test_shopper_cannot_create_customers(db):
    shopper, _ = caller_for(db, make_account(db, "Sho", "Pper", "shopper@example.com"))
    with pytest.raises(Forbidden):
        customers.create_customer(db, shopper, GOOD)


def test_hand_back_unlocks_ends_session_and_marks_the_cart(db, csr):
    caller, token = csr
    jane = make_account(db, "Jane", "Doe", "jane@example.com")
    product = make_product(db, "TEE-HB")
    onbehalf.start(db, caller, jane.id)
    db.commit()
    caller = auth.resolve_caller(db, token)
    locks.lock(db, caller)
    carts.add(db, caller, None, sku_of(product), 2)
    db.commit()
    name, cart_id = onbehalf.hand_back(db, caller)
    db.commit()
    assert name == "Jane Doe"
    cart = db.get(Cart, cart_id)
    db.refresh(cart)
    assert cart.locked_by_id is None and cart.prepared_by_id == caller.account_id
    assert db.exec(select(OnBehalfSession)).one().end_reason == "handed_back"
    jane_caller, _ = caller_for(db, jane)
    view = carts.view(db, jane_caller, None)
    assert view.prepared_by == "Casey Rep" and view.can_edit and view.count == 2
    assert not auth.resolve_caller(db, token).on_behalf


def test_hand_back_needs_an_on_behalf_session(db, csr):
    caller, _ = csr
    with pytest.raises(Forbidden):
        onbehalf.hand_back(db, caller)
