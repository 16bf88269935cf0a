"""Find customer searches as the CSR types (docs/PRODUCT.md "Find customer"): from 3 characters in a criterion,
one field at a time as the page sends them (300 ms after the last keystroke, debounced in the browser); the same
rules as Find (20 rows, refine message, permission); no toast while typing; Find still works."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.state.customer_service import CustomerServiceState
from tests.conftest import make_account
from tests.state.conftest import toasts


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        made = {"csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr")}
        for i in range(22):
            make_account(db, "Ann", "Smith", f"smith{i:02d}@example.com")
        made["jane"] = make_account(db, "Jane", "Smithers", "jane@example.com")
        made["bob"] = make_account(db, "Bob", "Jones", "bob@example.com")
        return made


def typed(tab, name: str, value: str) -> list:
    return tab.call(CustomerServiceState, "search_as_typed", name, value)


def names(tab) -> set[str]:
    return {r.name for r in tab.state(CustomerServiceState).results}


def test_searches_from_three_characters(client, people):
    csr = client(people["csr"])
    cs = csr.state(CustomerServiceState)
    assert typed(csr, "last_name", "Sm") == [] and not cs.searched and cs.results == []
    assert typed(csr, "last_name", "Smi") == []  # no toast while typing
    assert cs.searched and len(cs.results) == 20 and cs.more  # the same 20-row limit and refine message
    typed(csr, "last_name", "Smithe")
    assert names(csr) == {"Jane Smithers"} and not cs.more
    assert cs.criteria.last_name == "Smithe"  # shown again after a reload, like Find's


def test_fields_add_up_and_the_latest_answer_stands(client, people):
    csr = client(people["csr"])
    typed(csr, "last_name", "smith")
    typed(csr, "first_name", "Ja")  # short, but added to a search that already runs
    assert names(csr) == {"Jane Smithers"}
    typed(csr, "first_name", "")
    typed(csr, "last_name", "jon")
    assert names(csr) == {"Bob Jones"}  # events of a tab are handled in order: the newest criteria win


def test_typing_errors_show_on_the_field_without_a_toast(client, people):
    csr = client(people["csr"])
    assert typed(csr, "phone", "abc") == []
    cs = csr.state(CustomerServiceState)
    assert "phone" in cs.errors and cs.results == []


def test_find_still_works_and_forged_fields_are_ignored(client, people):
    csr = client(people["csr"])
    assert typed(csr, "password_hash", "abcdef") == [] and not csr.state(CustomerServiceState).searched
    csr.call(CustomerServiceState, "find", {"email": "bob"})
    assert names(csr) == {"Bob Jones"}


def test_shoppers_get_nothing(client, people):
    shopper = client(people["jane"])
    events = typed(shopper, "last_name", "smith")
    assert toasts(events) and shopper.state(CustomerServiceState).results == []
