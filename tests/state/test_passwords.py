"""Forgot password, the set-password link and customer service's links, through the handlers."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import Session

from app import config
from app.state.account import AccountState
from app.state.customer_service import CustomerServiceState
from app.state.passwords import ForgotPasswordState, SetPasswordState
from storefront_qa.mail import LINK, Outbox
from tests.conftest import make_account
from tests.state.conftest import endpoint_targets, toasts

NEW = "brand-new-pass-1"


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


def open_link(client, path: str) -> SetPasswordState:
    state = client.state(SetPasswordState)
    state.router = RouterData(
        url=ReflexURL(f"http://localhost:3000{path}"), headers=client.root.rx_router_headers
    )
    client.call(SetPasswordState, "load")
    return state


def redirects(events) -> list[str]:
    """Where the answer sends the browser: a redirect, or the page after the session-cookie endpoint."""
    plain = [ev.args[0][1]._var_value for ev in events if "redirect" in str(getattr(ev, "handler", ""))]
    return plain + endpoint_targets(events)


def tokens(outbox: Outbox) -> list[str]:
    links = [LINK.search(msg.get_content()).group(0) for msg in outbox.messages()]
    return [parse_qs(urlsplit(link).query)["token"][0] for link in links]


def state_json(client) -> str:
    return json.dumps(client.root.dict(), default=str)


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client, people, outbox):
    anon = client()
    form = anon.state(ForgotPasswordState)
    for email in ("jane@example.com", "nobody@example.com"):
        anon.call(ForgotPasswordState, "load")
        assert anon.call(ForgotPasswordState, "request", {"email": email}) == []
        assert (form.sent, form.sent_to, form.errors) == (True, email, {})
    assert [m["To"] for m in outbox.messages()] == ["jane@example.com"]
    anon.call(ForgotPasswordState, "load")
    anon.call(ForgotPasswordState, "request", {"email": "not an email"})
    assert not form.sent and list(form.errors) == ["email"]


def test_the_link_sets_the_password_and_signs_the_customer_in(client, people, outbox):
    anon = client()
    anon.call(ForgotPasswordState, "request", {"email": "jane@example.com"})
    path = outbox.set_password_link("jane@example.com")
    page = open_link(anon, path)
    assert (page.loaded, page.link_ok, page.email, page.welcome) == (True, True, "jane@example.com", False)

    anon.call(SetPasswordState, "submit", {"password": NEW, "confirm": "other-password"})
    assert page.errors == {"confirm": "The two passwords do not match."} and not anon.session.signed_in
    events = anon.call(SetPasswordState, "submit", {"password": NEW, "confirm": NEW})
    assert redirects(events) == ["/account"]
    assert "signed in" in toasts(events)[0]
    assert anon.session.signed_in and anon.session.user_name == "Jane Doe"

    # Back to the link: it has been used.
    page = open_link(client(), path)
    assert not page.link_ok and "already been used" in page.link_error


def test_a_bad_link_says_so_before_anything_is_typed(client, people):
    page = open_link(client(), "/set-password?token=made-up")
    assert page.loaded and not page.link_ok and "not valid" in page.link_error
    page = open_link(client(), "/set-password")
    assert not page.link_ok


def test_a_csr_creates_a_customer_the_customer_gets_a_link_the_csr_never_sees_it(client, people, outbox):
    csr = client(people["csr"])
    events = csr.call(
        CustomerServiceState,
        "create_customer",
        {
            "first_name": "Nia",
            "last_name": "Newcomer",
            "email": "nia@example.com",
            "phone": "(555) 777-1234",
            "line1": "9 Harbor Way",
            "city": "Portland",
            "postal_code": "97201",
        },
    )
    assert "emailed nia@example.com a link to choose a password" in toasts(events)[0]
    assert csr.session.on_behalf and csr.session.customer_name == "Nia Newcomer"

    events = csr.call(AccountState, "send_password_link")
    assert toasts(events) == ["A link to set a new password was emailed to nia@example.com."]
    assert outbox.count("nia@example.com") == 2
    for token in tokens(outbox):
        assert token not in state_json(csr)

    nia = client()
    page = open_link(nia, outbox.set_password_link("nia@example.com"))
    assert page.welcome
    events = nia.call(SetPasswordState, "submit", {"password": NEW, "confirm": NEW})
    assert redirects(events) == ["/account"] and nia.session.user_name == "Nia Newcomer"


def test_only_customer_service_on_behalf_can_send_a_link(client, people, outbox):
    jane = client(people["jane"])
    assert toasts(jane.call(AccountState, "send_password_link")) == ["You do not have permission to do that."]
    csr = client(people["csr"])
    assert toasts(csr.call(AccountState, "send_password_link")) == ["Access the customer's account first."]
    assert outbox.messages() == []
