"""docs/SECURITY.md §Throttling: the Register form told a stranger which addresses are customers ("An account
with this email already exists"), while an unknown address was signed in at once.

Now registering is confirmed by mail. The attacker here drives the Register form's handler as a forged client
would, from an address of their own: whatever the address, the page answers the same, the same counters move,
the same work is done, and what differs (a pending account and its link, or a notice to the owner) reaches
only the owner's mailbox. A pending account signs nobody in; its link works once, and only with the password
chosen when registering.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from app import config
from app.services import registration
from app.state.passwords import ForgotPasswordState
from app.state.registration import ConfirmAccountState, RegisterState
from app.state.session import SessionState
from models import Account, Throttle
from tests.conftest import make_account
from tests.security.conftest import from_address
from tests.state.conftest import toasts

ATTACKER, OWNER = "198.51.100.66", "203.0.113.10"
PASSWORD = "shop-pass-123"  # tests.conftest's accounts
CHOSEN = "attackers-pass-1"


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return {"jane": make_account(db, "Jane", "Doe", "jane@example.com")}


def register(client, address: str, email: str, password: str = CHOSEN, first: str = "Eve"):
    """A fresh tab at /login registers; returns (the toasts, the tab)."""
    tab = client()
    from_address(tab, address, RegisterState, "/login")
    events = tab.call(
        RegisterState,
        "register",
        {"first_name": first, "last_name": "Smith", "email": email, "password": password},
    )
    return toasts(events), tab


def seen(tab, email: str) -> str:
    """Everything the tab's page holds (every state, as the browser would receive it), the address typed
    replaced by a placeholder: what a stranger can compare between two answers."""
    return json.dumps(tab.root.dict(), default=str, sort_keys=True).replace(email, "<address>")


def sign_in(client, address: str, email: str, password: str) -> str:
    tab = client()
    from_address(tab, address)
    tab.call(SessionState, "sign_in", {"email": email, "password": password})  # follows the cookie endpoint
    return "signed in" if tab.session.signed_in else tab.session.signin_error


def counters(engine) -> list[tuple[str, int]]:
    with Session(engine) as db:
        return sorted((row.key.split(":")[0], row.count) for row in db.exec(select(Throttle)).all())


def open_link(client, address: str, path: str):
    tab = client()
    from_address(tab, address, ConfirmAccountState, path)
    tab.call(ConfirmAccountState, "load")
    return tab, tab.state(ConfirmAccountState)


def finish(tab, password: str) -> list:
    return tab.call(ConfirmAccountState, "submit", {"password": password})  # follows the cookie endpoint


def test_a_customers_address_and_an_unknown_one_look_the_same_to_the_stranger(
    client, people, outbox, sqlite_engine
):
    """Was: "An account with this email already exists. Sign in instead." for jane@example.com, and a signed-in
    new account for nobody@example.com."""
    shown_real, real = register(client, ATTACKER, "jane@example.com")
    after_real = counters(sqlite_engine)
    shown_new, new = register(client, ATTACKER, "nobody@example.com")
    after_both = counters(sqlite_engine)

    assert shown_real == shown_new == []
    page = real.state(RegisterState)
    assert (page.errors, page.sent_to) == ({}, "jane@example.com")
    assert (new.state(RegisterState).errors, new.state(RegisterState).sent_to) == ({}, "nobody@example.com")
    assert not real.session.signed_in and not new.session.signed_in and real.token == new.token == ""
    assert seen(real, "jane@example.com") == seen(new, "nobody@example.com")
    # The same counters, the unknown address's made just as the real one's.
    assert after_real == [("register-mails", 1), ("register-source", 1)]
    assert after_both == [("register-mails", 1), ("register-mails", 1), ("register-source", 2)]
    # Both owners got exactly one mail (what it says is for the owner's eyes only).
    assert outbox.count("jane@example.com") == outbox.count("nobody@example.com") == 1
    # Signing in with the password the stranger chose answers alike: the pending account is no way in.
    assert sign_in(client, ATTACKER, "jane@example.com", CHOSEN) == "Email or password is incorrect."
    assert sign_in(client, ATTACKER, "nobody@example.com", CHOSEN) == "Email or password is incorrect."
    # So does Forgot password, afterwards.
    for email in ("jane@example.com", "nobody@example.com"):
        tab = client()
        from_address(tab, ATTACKER, ForgotPasswordState, "/forgot-password")
        assert toasts(tab.call(ForgotPasswordState, "request", {"email": email})) == []
        assert tab.state(ForgotPasswordState).sent


def test_every_address_costs_one_password_hash_and_one_mail(client, people, outbox, monkeypatch):
    """The time an answer takes is the hash's: an address with an account costs what one without does, and
    a still-pending address (registered again) the same."""
    hashed = []
    real_hash = registration.hash_password
    monkeypatch.setattr(registration, "hash_password", lambda pw: hashed.append(1) or real_hash(pw))

    def cost(email: str) -> tuple[list[str], int, int]:
        hashed.clear()
        before = len(outbox.messages())
        shown, _ = register(client, ATTACKER, email)
        return shown, len(hashed), len(outbox.messages()) - before

    assert cost("jane@example.com") == cost("nobody@example.com") == cost("nobody@example.com") == ([], 1, 1)


def test_a_pending_account_signs_nobody_in(client, people, outbox, sqlite_engine):
    """Was: registering signed the new account in at once, so a stranger could hold any address that had
    no account yet, with a password of theirs."""
    shown, tab = register(client, ATTACKER, "victim@example.com")
    assert shown == [] and not tab.session.signed_in
    assert sign_in(client, ATTACKER, "victim@example.com", CHOSEN) == "Email or password is incorrect."
    with Session(sqlite_engine) as db:
        assert db.exec(select(Account.status).where(Account.email == "victim@example.com")).one() == "pending"


def test_the_link_works_once(client, people, outbox):
    register(client, OWNER, "new@example.com", password="owners-pass-1", first="Nia")
    path = outbox.confirm_account_link("new@example.com", timeout=0)
    tab, page = open_link(client, OWNER, path)
    assert page.link_ok and page.email == "new@example.com"
    finish(tab, "owners-pass-1")
    assert tab.session.signed_in and tab.session.user_name == "Nia Smith"

    again, page = open_link(client, ATTACKER, path)
    assert not page.link_ok and page.link_error == registration.LINK_USED
    finish(again, "owners-pass-1")
    assert not again.session.signed_in and again.token == ""


def test_a_link_a_strangers_registration_mailed_cannot_be_finished_by_the_reader(client, people, outbox):
    """Pre-hijacking: the stranger registers the victim's address with a password of their own. If opening the
    mailed link were enough, the victim (thinking it was theirs, or after registering too) would finish an
    account whose password the stranger knows. The link takes the password chosen with it."""
    register(client, ATTACKER, "victim@example.com", password=CHOSEN)
    tab, page = open_link(client, OWNER, outbox.confirm_account_link("victim@example.com", timeout=0))
    assert page.link_ok
    finish(tab, "victims-own-pass-1")
    assert not tab.session.signed_in
    assert tab.state(ConfirmAccountState).errors == {"password": registration.WRONG_PASSWORD}
    # The victim registers for real: the newest link (theirs) is the one that works, with their password.
    register(client, OWNER, "victim@example.com", password="victims-own-pass-1", first="Vic")
    tab, page = open_link(client, OWNER, outbox.confirm_account_link("victim@example.com", timeout=0))
    finish(tab, "victims-own-pass-1")
    assert tab.session.signed_in and tab.session.user_name == "Vic Smith"
    assert sign_in(client, ATTACKER, "victim@example.com", CHOSEN) == "Email or password is incorrect."


def test_flooding_a_mailbox_through_the_register_form_is_bounded(client, people, outbox, monkeypatch):
    tries = config.PASSWORD_LINKS_PER_HOUR + 2
    monkeypatch.setattr(config, "REGISTER_PER_SOURCE_PER_HOUR", 2 * tries, raising=False)
    for email in ("jane@example.com", "nobody@example.com"):
        for _ in range(tries):
            shown, tab = register(client, ATTACKER, email)
            assert (shown, tab.state(RegisterState).sent_to) == ([], email)  # the usual answer every time
        assert outbox.count(email) == config.PASSWORD_LINKS_PER_HOUR
    # The stranger's requests use up only their own source's quota: the owner still gets a mail.
    register(client, OWNER, "nobody@example.com")
    assert outbox.count("nobody@example.com") == config.PASSWORD_LINKS_PER_HOUR + 1
    # A source that registered too often is told to wait, whatever the address.
    answers = [
        register(client, ATTACKER, email)[1].state(RegisterState)
        for email in ("jane@example.com", "x@example.com")
    ]
    assert answers[0].errors == answers[1].errors and answers[0].sent_to == answers[1].sent_to == ""
    assert (
        answers[0].errors["form"].startswith("Too many registrations from your network. Please try again in")
    )
