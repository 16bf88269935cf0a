"""Customer 360 (SPEC §11): what customer service sees of one customer, who may see it, and the notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.services import accounts, audit, auth, carts, customer360, locks, onbehalf
from app.services.caller import ANONYMOUS
from app.services.db import utcnow
from app.services.errors import FieldErrors, Forbidden, NotFound
from models import AuditEvent, CustomerNote, Order
from tests.conftest import caller_for, make_account, make_product, sku_of


def commit(db):
    db.commit()
    db.expire_all()  # the fixture keeps objects after commit; conditional UPDATEs bypass them


@pytest.fixture
def w(db):
    people = {
        "jane": make_account(db, "Jane", "Doe", email="jane@example.com", phone="555 0100"),
        "john": make_account(db, "John", "Doe", allow_assistance=False),
        "csr": make_account(db, "Casey", "Rep", role="csr"),
        "csr2": make_account(db, "Sam", "Agent", role="csr"),
        "sup": make_account(db, "Pat", "Lead", role="supervisor"),
    }
    for name in ("jane", "john", "csr", "csr2", "sup"):
        people[f"{name}_caller"], people[f"{name}_token"] = caller_for(db, people[name])
    return people


def number(account) -> str:
    return account.customer_number


def test_the_view_shows_profile_addresses_cart_with_its_lock_orders_sessions_and_notes(db, w):
    jane = w["jane"]
    accounts.add_address(
        db,
        w["jane_caller"],
        {"full_name": "Jane Doe", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345"},
    )
    commit(db)
    # Casey shops for Jane and ends; Sam shops for her, locks and adds a line, and stays.
    onbehalf.start(db, w["csr_caller"], jane.id)
    commit(db)
    onbehalf.end(db, auth.resolve_caller(db, w["csr_token"]), "signed_in_as_self")
    commit(db)
    onbehalf.start(db, w["csr2_caller"], jane.id)
    commit(db)
    sam = auth.resolve_caller(db, w["csr2_token"])
    locks.lock(db, sam)
    carts.add(db, sam, None, sku_of(make_product(db, "TEE-1", price=2000)), 2)
    commit(db)
    for n in range(12):
        db.add(
            Order(
                number=f"W{2000000 + n}",
                account_id=jane.id,
                subtotal_cents=1000,
                shipping_cents=0,
                total_cents=1000 + n,
                shipping_method="standard",
                ship_name="Jane Doe",
                ship_line1="1 Main St",
                ship_city="Springfield",
                ship_postal_code="12345",
                payment_brand="visa",
                payment_last4="4242",
                created_at=utcnow() - timedelta(days=20 - n),
            )
        )
    commit(db)
    customer360.add_note(db, w["csr_caller"], number(jane), "Prefers email.")
    commit(db)
    customer360.add_note(db, w["sup_caller"], number(jane), "  Called about a refund.  ")
    commit(db)

    view = customer360.view(db, w["csr_caller"], number(jane))

    p = view.profile
    assert (p.id, p.name, p.email, p.phone, p.customer_number) == (
        jane.id,
        "Jane Doe",
        "jane@example.com",
        "555 0100",
        number(jane),
    )
    assert p.assistance == "Allows customer service to shop on their behalf."
    assert [a.summary for a in view.addresses] == ["Jane Doe, 1 Main St, 12345 Springfield, US"]
    assert view.addresses[0].defaults == "Default shipping · Default billing"

    assert [(line.code, line.quantity, line.total) for line in view.cart.lines] == [("TEE-1", 2, "$40.00")]
    assert view.cart.count == 2 and view.cart.subtotal == "$40.00" and view.cart.summary == "2 items · $40.00"
    assert view.cart.locked and view.cart.lock.startswith("Locked by Sam Agent since ")

    assert len(view.orders) == customer360.ORDERS == 10
    assert view.orders[0].number == "W2000011" and view.orders[-1].number == "W2000002"  # newest first
    assert view.orders[0].total == "$10.11" and not view.orders[0].assisted

    assert [(s.csr, s.outcome) for s in view.sessions] == [
        ("Sam Agent", "In progress"),
        ("Casey Rep", "CSR signed in as themself"),
    ]
    assert view.sessions[0].ended == "" and view.sessions[1].ended.endswith(" UTC")

    assert [(n.author, n.body) for n in view.notes] == [
        ("Pat Lead", "Called about a refund."),
        ("Casey Rep", "Prefers email."),
    ]


def test_an_empty_customer_has_an_empty_unlocked_cart_and_no_history(db, w):
    view = customer360.view(db, w["csr_caller"], number(w["jane"]).lower())  # typed in any case
    assert view.profile.name == "Jane Doe"
    assert view.cart == customer360.CartSummary() and view.cart.lock == "Unlocked"
    assert (view.addresses, view.orders, view.sessions, view.notes) == ([], [], [], [])


def test_the_view_says_when_the_customer_switched_assistance_off(db, w):
    view = customer360.view(db, w["csr_caller"], number(w["john"]))
    assert view.profile.assistance == "John Doe has switched off assistance from customer service."


def test_only_callers_with_customer_access_see_it(db, w):
    for caller in (ANONYMOUS, w["jane_caller"], w["john_caller"]):
        with pytest.raises(Forbidden):
            customer360.view(db, caller, number(w["jane"]))
        with pytest.raises(Forbidden):
            customer360.add_note(db, caller, number(w["jane"]), "hello")
    assert customer360.view(db, w["sup_caller"], number(w["jane"])).profile.name == "Jane Doe"
    assert db.exec(select(CustomerNote)).all() == []


def test_unknown_staff_disabled_and_malformed_numbers_are_not_found(db, w, subtests):
    disabled = make_account(db, "Dana", "Smith", status="disabled")
    pending = make_account(db, "Pen", "Ding", status="pending")
    for bad in [
        "C9999999",
        number(w["csr"]),
        number(w["sup"]),
        number(disabled),
        number(pending),
        "",
        "C01",
        "X0100001",
        "C0100001' OR 1=1",
        "C" + "1" * 500,
        None,
        42,
        ["C0100001"],
    ]:
        with subtests.test(number=str(bad)[:20]):
            with pytest.raises(NotFound) as refused:
                customer360.view(db, w["csr_caller"], bad)
            assert refused.value.message == customer360.NOT_FOUND  # the same words for every case
            with pytest.raises(NotFound):
                customer360.add_note(db, w["csr_caller"], bad, "hello")
    assert db.exec(select(CustomerNote)).all() == []


def test_a_note_is_validated_and_nothing_is_written_when_it_is_refused(db, w, subtests):
    for body, message in [
        ("", customer360.NOTE_EMPTY),
        ("   \n ", customer360.NOTE_EMPTY),
        (None, customer360.NOTE_EMPTY),
        ({"body": "x"}, customer360.NOTE_EMPTY),
        ("x" * 1001, customer360.NOTE_TOO_LONG),
    ]:
        with subtests.test(body=str(body)[:10]):
            with pytest.raises(FieldErrors) as refused:
                customer360.add_note(db, w["csr_caller"], number(w["jane"]), body)
            assert refused.value.errors == {"body": message}
    assert db.exec(select(CustomerNote)).all() == []
    assert db.exec(select(AuditEvent)).all() == []
    notes = customer360.add_note(db, w["csr_caller"], number(w["jane"]), "y" * 1000)  # the limit itself
    assert [len(n.body) for n in notes] == [1000]


def test_adding_a_note_is_audited_for_supervisors_not_shown_to_the_customer(db, w):
    notes = customer360.add_note(db, w["csr_caller"], number(w["jane"]), "Asked for a callback.")
    commit(db)
    note = db.exec(select(CustomerNote)).one()
    assert (note.customer_id, note.author_id, note.body) == (
        w["jane"].id,
        w["csr"].id,
        "Asked for a callback.",
    )
    assert note.created_at is not None
    assert [(n.id, n.author) for n in notes] == [(note.id, "Casey Rep")]
    event = db.exec(select(AuditEvent)).one()
    assert (event.action, event.csr_id, event.customer_id) == ("note_added", w["csr"].id, w["jane"].id)
    assert "note_added" in audit.STAFF_ONLY_ACTIONS
    rows = audit.search(db, w["sup_caller"], customer_number=number(w["jane"]))
    assert [r.action for r in rows] == ["note_added"]
    assert audit.for_customer(db, w["jane_caller"]) == []  # a note is not a change to the account


def test_notes_are_append_only(db, w):
    # No service function changes or deletes a note; adding one never touches the others.
    assert not [name for name in dir(customer360) if name.startswith(("edit", "update", "delete", "remove"))]
    first = customer360.add_note(db, w["csr_caller"], number(w["jane"]), "First.")
    commit(db)
    both = customer360.add_note(db, w["csr2_caller"], number(w["jane"]), "Second.")
    commit(db)
    assert [n.body for n in both] == ["Second.", "First."]
    assert both[1] == first[0]
