"""The consent policy (docs/SECURITY.md "Consent"): what a customer's choice, or their never choosing, means for
customer service under each ASSISTANCE_CONSENT. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app import config
from app.services import accounts, auth, consent, customers, onbehalf
from app.services.errors import Forbidden
from models import OnBehalfSession
from tests.conftest import caller_for, make_account

NEVER, ON, OFF = "never chose", "switched on", "switched off"
# policy -> the customer's choice -> may customer service access the account?
EXPECTED = {
    "opt-out": {NEVER: True, ON: True, OFF: False},
    "opt-in": {NEVER: False, ON: True, OFF: False},
    "always": {NEVER: True, ON: True, OFF: True},
}


@pytest.fixture
def people(db):
    customers_ = {}
    for choice in (NEVER, ON, OFF):
        who = make_account(db, "Cust", choice.split()[-1].title(), f"{choice.split()[-1]}@example.com")
        if choice != NEVER:
            accounts.set_assistance(db, caller_for(db, who)[0], choice == ON)
        customers_[choice] = who
    csr = make_account(db, "Casey", "Rep", "csr@example.com", role="csr")
    db.commit()
    return customers_, csr


@pytest.mark.parametrize("policy", list(EXPECTED))
def test_policy_by_choice(db, people, monkeypatch, subtests, policy):
    monkeypatch.setattr(config, "ASSISTANCE_CONSENT", policy)
    by_choice, csr = people
    for choice, allowed in EXPECTED[policy].items():
        with subtests.test(choice=choice):
            who = by_choice[choice]
            caller, _ = caller_for(db, csr)
            assert consent.allows(who) is allowed
            if allowed:
                onbehalf.start(db, caller, who.id)
                db.rollback()
                continue
            with pytest.raises(Forbidden) as e:
                onbehalf.start(db, caller, who.id)
            db.rollback()
            assert "Cust" in e.value.message and "assistance" in e.value.message
            if policy == "opt-in" and choice == NEVER:
                assert "opt-in" in e.value.message and "switch it on in My Account" in e.value.message
            else:
                assert e.value.message.endswith("has switched off assistance from customer service.")
            assert db.exec(select(OnBehalfSession)).all() == []


def test_opt_in_customers_who_never_chose_show_as_refusing_in_find_customer(db, people, monkeypatch):
    csr = people[1]
    caller, _ = caller_for(db, csr)
    monkeypatch.setattr(config, "ASSISTANCE_CONSENT", "opt-in")
    rows = {r.email: r.assistance for r in customers.find(db, caller, {"first_name": "cust"}).rows}
    assert rows == {"chose@example.com": False, "on@example.com": True, "off@example.com": False}


def test_switching_on_under_opt_in_opens_access_and_switching_off_ends_open_sessions(db, people, monkeypatch):
    monkeypatch.setattr(config, "ASSISTANCE_CONSENT", "opt-in")
    by_choice, csr = people
    who = by_choice[NEVER]
    me, _ = caller_for(db, who)
    accounts.set_assistance(db, me, True)
    db.commit()
    caller, token = caller_for(db, csr)
    onbehalf.start(db, caller, who.id)
    db.commit()
    assert auth.resolve_caller(db, token).on_behalf
    accounts.set_assistance(db, me, False)
    db.commit()
    assert not auth.resolve_caller(db, token).on_behalf


def test_always_has_no_switch_and_refuses_flipping_it(db, people, monkeypatch):
    monkeypatch.setattr(config, "ASSISTANCE_CONSENT", "always")
    assert not consent.switch_shown()
    who = people[0][OFF]
    with pytest.raises(Forbidden, match="nothing to switch"):
        accounts.set_assistance(db, caller_for(db, who)[0], False)
    assert accounts.profile(db, caller_for(db, who)[0]).allow_assistance is True
