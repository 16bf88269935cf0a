"""Verification codes through the handlers (ASSISTANCE_VERIFY=code): the customer's My Account shows a code, the
CSR's Access asks for it, a wrong code is an error in the dialog, Email a code mails the customer; the CSR's state
never holds a code."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import Session, select

from app import config
from app.services import assistcodes
from app.state.account import AccountState
from app.state.customer_service import CustomerServiceState as CS
from models import AuditEvent, OnBehalfSession
from storefront_qa.mail import Outbox
from tests.conftest import make_account
from tests.state.conftest import toasts


@pytest.fixture(autouse=True)
def verify_on(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "ASSISTANCE_VERIFY", "code")
    monkeypatch.setattr(config, "ASSIST_CODE_KEY_FILE", tmp_path / "assist-code.key")
    monkeypatch.setattr(assistcodes, "_key", None)


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    return Outbox(tmp_path / "outbox")


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return make_account(db, "Cora", "Smith", "cora@example.com"), make_account(
            db, "Casey", "Rep", "csr@example.com", role="csr"
        )


def redirects(events) -> list[str]:
    return [ev.args[0][1]._var_value for ev in events if "redirect" in str(getattr(ev, "handler", ""))]


def state_json(client) -> str:
    return json.dumps(client.root.dict(), default=str)


def sessions(engine) -> list[OnBehalfSession]:
    with Session(engine) as db:
        return db.exec(select(OnBehalfSession)).all()


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_my_account_shows_a_code_and_a_new_one_after_use(client, people, sqlite_engine):
    customer, csr = people
    shopper = client(customer)
    shopper.call(AccountState, "load")
    account = shopper.state(AccountState)
    first = account.assist_code
    assert account.shows_assist_code and re.fullmatch(r"\d{6}", first)
    assert account.assist_code_until.endswith("UTC")
    shopper.call(AccountState, "tick_code")
    assert account.assist_code == first  # still works: nothing changes

    agent = client(csr)
    assert redirects(agent.call(CS, "access", customer.id)) == []
    dialog = agent.state(CS)
    assert dialog.code_customer_id == customer.id and dialog.code_customer == "Cora Smith"
    assert sessions(sqlite_engine) == []

    agent.call(CS, "submit_code", {"code": _wrong(first)})
    assert "expired or was used" in dialog.code_error and dialog.code_customer_id == customer.id
    assert sessions(sqlite_engine) == []

    events = agent.call(CS, "submit_code", {"code": first})
    assert redirects(events) == ["/account"]
    assert any("You accessed Cora Smith's account" in t for t in toasts(events))
    assert dialog.code_customer_id == 0 and dialog.code_error == ""
    assert [ob.customer_id for ob in sessions(sqlite_engine)] == [customer.id]
    assert first not in state_json(agent)

    shopper.call(AccountState, "tick_code")  # the page's tick: the code was used, a new one shows
    assert re.fullmatch(r"\d{6}", account.assist_code) and account._code_id != 0
    with Session(sqlite_engine) as db:
        wrong = db.exec(select(AuditEvent).where(AuditEvent.action == "access_code_wrong")).all()
        assert len(wrong) == 1 and first not in wrong[0].details


def test_on_behalf_my_account_shows_no_code(client, people):
    customer, csr = people
    shopper = client(customer)
    shopper.call(AccountState, "load")
    code = shopper.state(AccountState).assist_code
    agent = client(csr)
    agent.call(CS, "access", customer.id)
    agent.call(CS, "submit_code", {"code": code})
    agent.call(AccountState, "load")
    mine = agent.state(AccountState)
    assert not mine.shows_assist_code and mine.assist_code == ""
    agent.call(AccountState, "tick_code")
    assert mine.assist_code == ""
    assert not re.search(r'"assist_code[^"]*": "\d{6}"', state_json(agent))


def test_email_a_code_mails_the_customer_and_not_the_csr(client, people, outbox, sqlite_engine):
    customer, csr = people
    agent = client(csr)
    agent.call(CS, "access", customer.id)
    events = agent.call(CS, "send_code")
    assert any("A new code was emailed to cora@example.com" in t for t in toasts(events))
    body = outbox.latest(customer.email, timeout=0).get_content()
    assert "Casey from our customer service team" in body
    code = re.search(r"^\s+(\d{6})$", body, re.MULTILINE).group(1)
    assert code not in state_json(agent)
    events = agent.call(CS, "submit_code", {"code": code})
    assert redirects(events) == ["/account"]
    with Session(sqlite_engine) as db:
        actions = [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[:2] == ["access_code_mailed", "session_started"]


def test_consent_refuses_before_the_dialog_opens(client, people, monkeypatch):
    customer, csr = people
    monkeypatch.setattr(config, "ASSISTANCE_CONSENT", "opt-in")
    agent = client(csr)
    events = agent.call(CS, "access", customer.id)
    assert any("opt-in" in t for t in toasts(events))
    assert agent.state(CS).code_customer_id == 0
    assert toasts(agent.call(CS, "submit_code", {"code": "123456"})) == ["Choose a customer to access first."]


def test_verify_off_access_needs_no_code(client, people, monkeypatch, sqlite_engine):
    customer, csr = people
    monkeypatch.setattr(config, "ASSISTANCE_VERIFY", "off")
    shopper = client(customer)
    shopper.call(AccountState, "load")
    assert not shopper.state(AccountState).shows_assist_code
    agent = client(csr)
    assert redirects(agent.call(CS, "access", customer.id)) == ["/account"]
    assert agent.state(CS).code_customer_id == 0
    assert len(sessions(sqlite_engine)) == 1
