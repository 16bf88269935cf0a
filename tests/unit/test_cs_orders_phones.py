"""Find customer by order number, home/work/mobile phones, and handing a cart back with a mailed link
(docs/PRODUCT.md §Find customer, §Checkout on behalf)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app import config
from app.services import accounts, auth, carts, customers, locks, onbehalf
from app.services.errors import FieldErrors, Forbidden
from models import Account, Address, AuditEvent, Order
from storefront_qa.mail import Outbox
from tests.conftest import caller_for, make_account, make_product, sku_of


def commit(db):
    db.commit()
    db.expire_all()


@pytest.fixture
def csr(db):
    return caller_for(db, make_account(db, "Casey", "Rep", "csr@example.com", role="csr"))


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    folder = tmp_path / "outbox"
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(folder))
    monkeypatch.setattr(config, "PUBLIC_URL", "https://shop.example")
    return Outbox(folder)


def place(db, account: Account) -> str:
    """An order row of `account`, numbered as the checkout numbers them (W + 1000000 + id)."""
    order = Order(
        number=f"tmp-{account.id}-{len(db.exec(select(Order.id)).all())}",
        account_id=account.id,
        subtotal_cents=1000,
        shipping_cents=0,
        total_cents=1000,
        shipping_method="standard",
        ship_name="X",
        ship_line1="1 Main St",
        ship_city="Springfield",
        ship_postal_code="62701",
        payment_brand="Visa",
        payment_last4="4242",
    )
    db.add(order)
    db.flush()
    order.number = f"W{1000000 + order.id}"
    db.add(order)
    commit(db)
    return order.number


def find(db, caller, **criteria):
    return customers.find(db, caller, criteria)


def emails(result) -> list[str]:
    return [row.email for row in result.rows]


# -- find by order number ----------------------------------------------------------------------


def test_order_number_finds_its_owner_exactly_and_in_any_case(db, csr):
    caller, _ = csr
    jane = make_account(db, "Jane", "Doe", "jane@example.com")
    john = make_account(db, "John", "Doe", "john@example.com")
    mine, _theirs = place(db, jane), place(db, john)
    assert emails(find(db, caller, order_number=mine)) == ["jane@example.com"]
    assert emails(find(db, caller, order_number=f"  {mine.lower()} ")) == ["jane@example.com"]
    # Exact: a prefix of a number is not that number.
    assert find(db, caller, order_number=mine[:-1]).rows == []


@pytest.mark.parametrize(
    "number",
    ["W9999999", "W100000", "1000001", "C1000001", "w1000001x", "%", "W100000_", "'; DROP TABLE account; --"],
)
def test_unknown_or_foreign_order_numbers_find_nobody_without_an_error(db, csr, number):
    caller, _ = csr
    jane = make_account(db, "Jane", "Doe", "jane@example.com")
    place(db, jane)  # W1000001
    result = find(db, caller, order_number=number)
    assert result.rows == [] and result.more is False


def test_order_number_combines_with_other_criteria_as_and(db, csr):
    caller, _ = csr
    jane = make_account(db, "Jane", "Doe", "jane@example.com")
    number = place(db, jane)
    assert emails(find(db, caller, order_number=number, last_name="do")) == ["jane@example.com"]
    assert find(db, caller, order_number=number, last_name="smith").rows == []
    assert find(db, caller, order_number=number, customer_number=jane.customer_number).rows != []
    assert find(db, caller, order_number=number, customer_number="C9999999").rows == []


def test_order_number_of_a_staff_or_disabled_account_lists_nobody(db, csr):
    caller, _ = csr
    gone = make_account(db, "Gone", "Away", "gone@example.com", status="disabled")
    staff = make_account(db, "Sam", "Agent", "sam@example.com", role="csr")
    assert find(db, caller, order_number=place(db, gone)).rows == []
    assert find(db, caller, order_number=place(db, staff)).rows == []


def test_order_number_is_limited_like_every_criterion(db, csr):
    caller, _ = csr
    with pytest.raises(FieldErrors) as e:
        find(db, caller, order_number="W" * 61)
    assert list(e.value.errors) == ["order_number"]


def test_a_shopper_cannot_find_by_order_number(db):
    jane = make_account(db, "Jane", "Doe", "jane@example.com")
    shopper, _ = caller_for(db, jane)
    with pytest.raises(Forbidden):
        find(db, shopper, order_number=place(db, jane))


# -- phones --------------------------------------------------------------------------------------

NEW = {
    "first_name": "Hana",
    "last_name": "Homebody",
    "email": "hana@example.com",
    "line1": "3 Elm St",
    "city": "Salem",
    "postal_code": "97301",
}


def test_create_with_only_a_home_phone_and_find_by_it(db, csr):
    caller, _ = csr
    account = customers.create_customer(db, caller, {**NEW, "phone_home": "(503) 555-0142"})
    commit(db)
    assert (account.phone, account.phone_home, account.phone_work) == ("", "(503) 555-0142", "")
    assert account.phone_home_norm == "5035550142"
    address = db.exec(select(Address).where(Address.account_id == account.id)).one()
    assert address.phone == "(503) 555-0142"
    assert emails(find(db, caller, phone="503 555")) == ["hana@example.com"]


def test_find_by_phone_matches_each_of_the_three(db, csr):
    caller, _ = csr
    make_account(db, "Mo", "Bile", "mo@example.com", phone="(111) 222-3333")
    make_account(db, "Ho", "Me", "ho@example.com", phone_home="(111) 444-5555")
    make_account(db, "Wo", "Rk", "wo@example.com", phone_work="111.666.7777")
    make_account(db, "No", "Ne", "no@example.com", phone="(999) 111-2222")
    commit(db)
    for account in db.exec(select(Account)).all():
        accounts.refresh_search_columns(db, account)
    commit(db)
    assert emails(find(db, caller, phone="1112")) == ["mo@example.com"]
    assert emails(find(db, caller, phone="111 444")) == ["ho@example.com"]
    assert emails(find(db, caller, phone="(111) 666-7777")) == ["wo@example.com"]
    assert sorted(emails(find(db, caller, phone="111"))) == [
        "ho@example.com",
        "mo@example.com",
        "wo@example.com",
    ]
    # Not driving (the email drives): the phones are filters, still any of the three.
    assert emails(find(db, caller, email="wo@", phone="111666")) == ["wo@example.com"]
    assert find(db, caller, email="wo@", phone="111444").rows == []


def test_create_needs_at_least_one_phone_and_writes_nothing_without(db, csr):
    caller, _ = csr
    before = len(db.exec(select(Account)).all())
    with pytest.raises(FieldErrors) as e:
        customers.create_customer(db, caller, NEW)
    db.rollback()
    assert e.value.errors["phone"] == customers.NO_PHONE
    assert len(db.exec(select(Account)).all()) == before


@pytest.mark.parametrize("field", ["phone", "phone_home", "phone_work"])
@pytest.mark.parametrize("bad", ["abc", "12345", "1" * 31, "555-0100 ext. 7"])
def test_each_phone_is_validated_like_the_mobile(db, csr, field, bad):
    caller, _ = csr
    good = {"phone": "(555) 010-9999"} if field != "phone" else {"phone_work": "(555) 010-9999"}
    with pytest.raises(FieldErrors) as e:
        customers.create_customer(db, caller, {**NEW, **good, field: bad})
    db.rollback()
    assert field in e.value.errors
    assert db.exec(select(Account).where(Account.email == "hana@example.com")).first() is None


def test_profile_shows_and_edits_the_three_phones(db):
    jane = make_account(db, "Jane", "Doe", "jane@example.com", phone="555 000 1111")
    caller, _ = caller_for(db, jane)
    changed = accounts.update_profile(
        db, caller, "Jane", "Doe", "jane@example.com", "555 000 1111", "555 000 2222", "555 000 3333"
    )
    commit(db)
    assert changed == ["home phone", "work phone"]
    p = accounts.profile(db, caller)
    assert (p.phone, p.phone_home, p.phone_work) == ("555 000 1111", "555 000 2222", "555 000 3333")
    assert db.get(Account, jane.id).phone_work_norm == "5550003333"
    # Home and work not sent (an older form): they stay.
    accounts.update_profile(db, caller, "Jane", "Doe", "jane@example.com", "555 000 1111")
    commit(db)
    assert accounts.profile(db, caller).phone_home == "555 000 2222"
    with pytest.raises(FieldErrors) as e:
        accounts.update_profile(db, caller, "Jane", "Doe", "jane@example.com", "", "nope", "")
    assert list(e.value.errors) == ["phone_home"]


def test_a_csr_on_behalf_edits_phones_audited_with_old_and_new(db, csr):
    caller, token = csr
    jane = make_account(db, "Jane", "Doe", "jane@example.com", phone="555 000 1111")
    onbehalf.start(db, caller, jane.id)
    commit(db)
    caller = auth.resolve_caller(db, token)
    changed = accounts.update_profile(db, caller, "Jane", "Doe", "jane@example.com", "", "555 000 2222", "")
    commit(db)
    assert changed == ["mobile phone", "home phone"]
    row = db.exec(select(AuditEvent).where(AuditEvent.action == "profile_changed")).one()
    assert row.details == "mobile phone: 555 000 1111 → (none); home phone: (none) → 555 000 2222"


# -- hand back with a link ---------------------------------------------------------------------------


def test_hand_back_with_link_hands_back_and_mails_the_cart_link(db, csr, outbox):
    caller, token = csr
    jane = make_account(db, "Jane", "Doe", "jane@example.com")
    product = make_product(db, "TEE-HL")
    onbehalf.start(db, caller, jane.id)
    commit(db)
    opened = len(outbox.messages())  # the customer was told that customer service opened the account
    caller = auth.resolve_caller(db, token)
    locks.lock(db, caller)
    carts.add(db, caller, None, sku_of(product), 1)
    commit(db)
    name, cart_id = onbehalf.hand_back(db, caller, mail_link=True)
    assert len(outbox.messages()) == opened  # only once the transaction commits
    commit(db)
    assert name == "Jane Doe" and cart_id
    assert outbox.cart_link("jane@example.com", timeout=0) == "/login?next=/cart"
    body = outbox.latest("jane@example.com", timeout=0).get_content()
    assert "https://shop.example/login?next=/cart" in body and "Sign in" in body and "token" not in body
    row = db.exec(select(AuditEvent).where(AuditEvent.action == "cart_handed_back")).one()
    assert row.cart_id == cart_id and row.details == "Link to the cart mailed to jane@example.com"
    assert not auth.resolve_caller(db, token).on_behalf
    view = carts.view(db, caller_for(db, jane)[0], None)
    assert view.prepared_by == "Casey Rep" and view.can_edit


def test_plain_hand_back_mails_nothing(db, csr, outbox):
    caller, token = csr
    jane = make_account(db, "Jane", "Doe", "jane@example.com")
    onbehalf.start(db, caller, jane.id)
    commit(db)
    opened = len(outbox.messages())
    onbehalf.hand_back(db, auth.resolve_caller(db, token))
    commit(db)
    assert len(outbox.messages()) == opened


def test_hand_back_with_link_refused_mails_nothing(db, csr, outbox):
    caller, _ = csr
    with pytest.raises(Forbidden):
        onbehalf.hand_back(db, caller, mail_link=True)
    db.rollback()
    assert outbox.messages() == []
