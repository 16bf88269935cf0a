"""Registering and finishing it from the mailed link, through the handlers (app/state/registration.py)."""

from __future__ import annotations

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import Session

from app import config
from app.state.cart import CartState
from app.state.registration import ConfirmAccountState, RegisterState
from storefront_qa.mail import Outbox
from tests.conftest import make_account, make_product, sku_of
from tests.state.conftest import endpoint_targets, toasts

CHOSEN = "chosen-pass-123"
FORM = {"first_name": "Nia", "last_name": "Newcomer", "email": "nia@example.com", "password": CHOSEN}


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    return Outbox(tmp_path / "outbox")


def open_link(client, path: str) -> ConfirmAccountState:
    state = client.state(ConfirmAccountState)
    state.router = RouterData(
        url=ReflexURL(f"http://localhost:3000{path}"), headers=client.root.rx_router_headers
    )
    client.call(ConfirmAccountState, "load")
    return state


def test_the_form_answers_with_the_sent_panel_and_a_new_visit_shows_the_form_again(client, outbox):
    tab = client()
    page = tab.state(RegisterState)
    assert tab.call(RegisterState, "register", {**FORM, "email": " Nia@Example.com "}) == []
    assert (page.errors, page.sent_to) == ({}, "nia@example.com")
    assert not tab.session.signed_in
    tab.call(RegisterState, "load")  # /login's on_load
    assert (page.errors, page.sent_to) == ({}, "")
    tab.call(RegisterState, "register", {**FORM, "email": "not an email", "password": "short"})
    assert set(page.errors) == {"email", "password"} and page.sent_to == ""


@pytest.mark.parametrize("form", [["email", "x@example.com"], "email=x@example.com", 7, None])
def test_a_forged_form_reads_as_an_empty_one(client, form):
    tab = client()
    assert toasts(tab.call(RegisterState, "register", form)) == []
    assert set(tab.state(RegisterState).errors) == {"first_name", "last_name", "email", "password"}


def test_the_link_signs_in_lands_on_my_account_and_keeps_the_anonymous_cart(client, outbox, sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        product = make_product(db)
    tab = client()
    tab.call(CartState, "add", sku_of(product), 2)
    tab.call(RegisterState, "register", FORM)
    page = open_link(tab, outbox.confirm_account_link("nia@example.com", timeout=0))
    assert (page.loaded, page.link_ok, page.email) == (True, True, "nia@example.com")

    tab.call(ConfirmAccountState, "submit", {"password": "not-the-one-1"})
    assert set(page.errors) == {"password"} and not tab.session.signed_in
    events = tab.call(ConfirmAccountState, "submit", {"password": CHOSEN})
    assert endpoint_targets(events) == ["/account"]
    assert toasts(events) == ["Your account is ready and you are signed in. Welcome, Nia."]
    assert tab.session.signed_in and tab.session.user_name == "Nia Newcomer"
    assert tab.cart.count == 2  # the browser's anonymous cart merged into the new account

    again = open_link(client(), outbox.confirm_account_link("nia@example.com", timeout=0))
    assert not again.link_ok and "already been used" in again.link_error


def test_a_bad_link_says_so_before_anything_is_typed(client, sqlite_engine):
    page = open_link(client(), "/confirm-account?token=made-up")
    assert page.loaded and not page.link_ok and "not valid" in page.link_error
    with Session(sqlite_engine, expire_on_commit=False) as db:
        make_account(db, "Jane", "Doe", "jane@example.com")
    assert not open_link(client(), "/confirm-account").link_ok
