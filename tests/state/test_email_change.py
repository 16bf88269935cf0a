"""Changing an email through the handlers: refused on behalf, confirmed by the link
(docs/SECURITY.md §Price adjustments and email changes)."""

from __future__ import annotations

import re

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import Session

from app import config
from app.state.account import AccountState
from app.state.customer_service import CustomerServiceState
from app.state.email_change import ConfirmEmailState
from models import Account
from storefront_qa.mail import Outbox
from tests.conftest import make_account
from tests.state.conftest import toasts

CONFIRM = re.compile(r"/confirm-email\?token=[A-Za-z0-9_%\-]+")
PROFILE = {"first_name": "Jane", "last_name": "Doe", "phone": ""}


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    return Outbox(tmp_path / "outbox")


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com"),
            "csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr"),
        }


def email_in_db(engine, account) -> str:
    with Session(engine) as db:
        return db.get(Account, account.id).email


def open_link(client, path: str) -> ConfirmEmailState:
    state = client.state(ConfirmEmailState)
    state.router = RouterData(
        url=ReflexURL(f"http://localhost:3000{path}"), headers=client.root.rx_router_headers
    )
    client.call(ConfirmEmailState, "load")
    return state


def test_on_behalf_the_email_field_is_refused(client, people, outbox, sqlite_engine):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    csr.call(AccountState, "load")
    csr.call(AccountState, "save_profile", {**PROFILE, "email": "attacker@example.com"})
    assert "Customer service cannot change" in csr.state(AccountState).profile_errors["email"]
    assert email_in_db(sqlite_engine, people["jane"]) == "jane@example.com"
    # Nothing about an email change is mailed (the only mail: the customer told that customer service opened
    # their account, docs/SECURITY.md §Consent).
    assert [m["Subject"] for m in outbox.messages()] == ["Customer service opened your Harbor & Pine account"]


def test_the_customer_confirms_from_the_new_address(client, people, outbox, sqlite_engine):
    jane = client(people["jane"])
    jane.call(AccountState, "load")
    events = jane.call(AccountState, "save_profile", {**PROFILE, "email": "jane.new@example.com"})
    assert "open the link we sent to the new address" in toasts(events)[0]
    account = jane.state(AccountState)
    assert account.profile.email == "jane@example.com"
    assert account.profile.pending_email == "jane.new@example.com"
    link = CONFIRM.search(outbox.latest("jane.new@example.com", timeout=0).get_content()).group(0)
    assert link not in str(jane.root.dict())  # the link reaches the browser only through the mail

    page = open_link(jane, link)
    assert (page.loaded, page.confirmed, page.email, page.signed_in_here) == (
        True,
        True,
        "jane.new@example.com",
        True,
    )
    assert email_in_db(sqlite_engine, people["jane"]) == "jane.new@example.com"
    assert jane.session.signed_in

    again = open_link(client(), link)
    assert not again.confirmed and "already been used" in again.error


def test_a_bad_link_says_so(client, people):
    page = open_link(client(), "/confirm-email?token=made-up")
    assert page.loaded and not page.confirmed and "not valid" in page.error
    assert not open_link(client(), "/confirm-email").confirmed
