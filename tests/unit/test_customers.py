"""Find customer (SPEC §3): criteria, prefix matching, the 20-row limit and who is never listed."""

from __future__ import annotations

import random

import pytest

from app.services import accounts, auth, customers, locks, onbehalf
from app.services.caller import ANONYMOUS
from app.services.errors import FieldErrors, Forbidden
from tests.conftest import caller_for, make_account


def commit(db):
    db.commit()
    db.expire_all()  # the fixture keeps objects after commit; conditional UPDATEs bypass them


@pytest.fixture
def csr(db):
    return caller_for(db, make_account(db, "Casey", "Rep", role="csr"))[0]


def find(db, caller, **criteria):
    return customers.find(db, caller, criteria)


def names(result) -> list[str]:
    return [row.name for row in result.rows]


def with_address(db, account, postal_code, city="Springfield"):
    caller, _ = caller_for(db, account)
    accounts.add_address(
        db, caller, {"full_name": "X", "line1": "1 Main St", "city": city, "postal_code": postal_code}
    )
    commit(db)
    return account


@pytest.fixture
def people(db):
    return {
        "jane": make_account(db, "Jane", "Doe", email="jane.doe@example.com", phone="(555) 010-1234"),
        "john": make_account(db, "John", "Doe", email="john@example.com", phone="+1 555 010 9999"),
        "anna": make_account(db, "Anna", "Smith", email="anna@shop.example.org", phone="555.777.0000"),
        "black": make_account(db, "Jack", "Blacksmith", email="jack@example.com"),
        "smithers": make_account(db, "Wayland", "Smithers", email="w@example.com"),
    }


# -- criteria --------------------------------------------------------------------------------


EMPTY_CRITERIA = [
    {},
    {"last_name": ""},
    {"last_name": "   ", "email": "\t"},
    {"last_name": 5},
    {"unknown": "x"},
    {"first_name": None},
]
FIELDS = ["first_name", "last_name", "email", "phone", "customer_number", "postal_code"]


def test_at_least_one_criterion(db, csr, subtests):
    for criteria in EMPTY_CRITERIA:
        with subtests.test(criteria=criteria):
            with pytest.raises(FieldErrors) as e:
                customers.find(db, csr, criteria)
            assert e.value.errors == {"form": "Enter at least one search criterion."}


def test_criterion_longer_than_60_is_refused(db, csr, subtests):
    for field in FIELDS:
        with subtests.test(field=field):
            with pytest.raises(FieldErrors) as e:
                find(db, csr, **{field: "1" * 61})
            assert list(e.value.errors) == [field]
            find(db, csr, **{field: "1" * 60})  # 60 is fine


def test_phone_needs_a_digit_and_postal_code_an_alphanumeric(db, csr):
    with pytest.raises(FieldErrors) as e:
        find(db, csr, phone="(--)")
    assert list(e.value.errors) == ["phone"]
    with pytest.raises(FieldErrors) as e:
        find(db, csr, postal_code="- -")
    assert list(e.value.errors) == ["postal_code"]


def test_names_match_by_case_insensitive_prefix(db, csr, people):
    assert names(find(db, csr, last_name="sMi")) == ["Anna Smith", "Wayland Smithers"]
    assert names(find(db, csr, last_name="SMITH ")) == ["Anna Smith", "Wayland Smithers"]
    assert names(find(db, csr, last_name="smith", first_name="AN")) == ["Anna Smith"]
    assert names(find(db, csr, first_name="j")) == ["Jack Blacksmith", "Jane Doe", "John Doe"]
    assert names(find(db, csr, last_name="mith")) == []  # prefix, not substring


def test_email_matches_by_case_insensitive_prefix(db, csr, people):
    assert names(find(db, csr, email="JANE.D")) == ["Jane Doe"]
    assert names(find(db, csr, email="j")) == ["Jack Blacksmith", "Jane Doe", "John Doe"]
    assert names(find(db, csr, email="example.com")) == []


def test_phone_ignores_punctuation_and_spaces(db, csr, people):
    assert names(find(db, csr, phone="555-010")) == ["Jane Doe"]
    assert names(find(db, csr, phone="(555) 0101")) == ["Jane Doe"]
    assert names(find(db, csr, phone="1 (555) 010 9")) == ["John Doe"]
    assert names(find(db, csr, phone="555 777 0000")) == ["Anna Smith"]
    assert names(find(db, csr, phone="010")) == []


def test_customer_number_is_exact(db, csr, people):
    number = people["jane"].customer_number
    assert names(find(db, csr, customer_number=number)) == ["Jane Doe"]
    assert names(find(db, csr, customer_number=f" {number.lower()} ")) == ["Jane Doe"]
    assert names(find(db, csr, customer_number=number[:-1])) == []
    assert names(find(db, csr, customer_number=number + "0")) == []


def test_postal_code_prefix(db, csr, people):
    with_address(db, people["jane"], "94107", "San Francisco")
    with_address(db, people["anna"], "SW1A 1AA", "London")
    assert names(find(db, csr, postal_code="941")) == ["Jane Doe"]
    assert names(find(db, csr, postal_code="sw1a 1")) == ["Anna Smith"]
    assert names(find(db, csr, postal_code="SW1A1AA")) == ["Anna Smith"]
    assert names(find(db, csr, postal_code="1AA")) == []
    assert names(find(db, csr, postal_code="941", last_name="smith")) == []
    row = find(db, csr, postal_code="941").rows[0]
    assert row.city == "San Francisco"


def test_row_contents(db, csr, people):
    jane = people["jane"]
    row = find(db, csr, email="jane.doe@").rows[0]
    assert row == customers.CustomerRow(
        id=jane.id,
        name="Jane Doe",
        email="jane.doe@example.com",
        phone="(555) 010-1234",
        city="",
        customer_number=jane.customer_number,
        lock="Unlocked",
        assistance=True,
    )


def test_customer_who_switched_off_assistance_is_still_found(db, csr):
    make_account(db, "John", "Private", allow_assistance=False)
    rows = find(db, csr, last_name="private").rows
    assert len(rows) == 1 and rows[0].assistance is False


def test_lock_status_is_shown(db, csr, people):
    rep_account = make_account(db, "Sam", "Agent", role="csr")
    rep, token = caller_for(db, rep_account)
    onbehalf.start(db, rep, people["jane"].id)
    commit(db)
    locks.lock(db, auth.resolve_caller(db, token))
    commit(db)
    rows = {r.name: r.lock for r in find(db, csr, last_name="doe").rows}
    assert rows == {"Jane Doe": "Locked by Sam Agent", "John Doe": "Unlocked"}


# -- limit and order -------------------------------------------------------------------------


def test_at_most_20_rows_with_a_more_flag(db, csr):
    firsts = [f"F{i:02d}" for i in range(28)] + ["F05", "F05"]  # a name shared three times
    random.Random(4).shuffle(firsts)
    made = [make_account(db, first, "Smith") for first in firsts]
    result = find(db, csr, last_name="smith")
    assert len(result.rows) == customers.LIMIT == 20 and result.more is True
    expected = sorted(made, key=lambda a: (a.last_name_norm, a.first_name_norm, a.id))[:20]
    assert [r.id for r in result.rows] == [a.id for a in expected]
    assert result == find(db, csr, last_name="smith")  # stable
    narrower = find(db, csr, last_name="smith", first_name="F0")
    assert len(narrower.rows) == 12 and narrower.more is False


def test_exactly_20_has_no_more_flag(db, csr):
    for i in range(20):
        make_account(db, f"N{i:02d}", "Jones")
    result = find(db, csr, last_name="jones")
    assert len(result.rows) == 20 and result.more is False


def test_order_is_last_then_first_then_id(db, csr):
    a = make_account(db, "Bea", "Moore")
    b = make_account(db, "amy", "moore")
    c = make_account(db, "Amy", "Moore")
    d = make_account(db, "Zed", "Mo")
    assert [r.id for r in find(db, csr, last_name="mo").rows] == [d.id, b.id, c.id, a.id]


def test_no_match_is_empty(db, csr, people):
    assert find(db, csr, last_name="zzz") == customers.FoundCustomers(rows=[], more=False)


# -- who is never listed ---------------------------------------------------------------------


def test_staff_and_disabled_accounts_are_excluded(db, csr):
    make_account(db, "Sam", "Smith", role="csr")
    make_account(db, "Pat", "Smith", role="supervisor")
    make_account(db, "Dis", "Smith", status="disabled")
    keep = make_account(db, "Ann", "Smith")
    assert [r.id for r in find(db, csr, last_name="smith").rows] == [keep.id]
    assert find(db, csr, first_name="casey").rows == []  # not even the searching CSR


def test_percent_and_underscore_are_literal(db, csr):
    under = make_account(db, "Ann", "Under_score")
    make_account(db, "Bob", "Underxscore")
    pct = make_account(db, "Cat", "100%Sure")
    make_account(db, "Dan", "1000")
    email = make_account(db, "Eve", "Mail", email="e_v@example.com")
    make_account(db, "Fay", "Mail", email="exv@example.com")
    assert [r.id for r in find(db, csr, last_name="under_").rows] == [under.id]
    assert [r.id for r in find(db, csr, last_name="100%").rows] == [pct.id]
    assert find(db, csr, last_name="%").rows == []
    assert find(db, csr, last_name="_").rows == []
    assert [r.id for r in find(db, csr, email="e_").rows] == [email.id]
    assert find(db, csr, first_name="\\").rows == []


def test_shopper_and_anonymous_are_refused(db, people):
    shopper, _ = caller_for(db, people["jane"])
    with pytest.raises(Forbidden):
        find(db, shopper, last_name="doe")
    with pytest.raises(Forbidden):
        find(db, ANONYMOUS, last_name="doe")


def test_supervisor_may_search(db, people):
    sup, _ = caller_for(db, make_account(db, "Pat", "Lead", role="supervisor"))
    assert names(find(db, sup, last_name="doe")) == ["Jane Doe", "John Doe"]


def test_profile_change_is_searchable(db, csr, people):
    caller, _ = caller_for(db, people["jane"])
    accounts.update_profile(db, caller, "Janet", "Roe", "janet@example.com", "555 222 3333")
    commit(db)
    assert names(find(db, csr, last_name="roe", phone="5552")) == ["Janet Roe"]
    assert find(db, csr, last_name="doe", first_name="jane").rows == []
