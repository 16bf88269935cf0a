"""Customer 360's handlers without a browser: who gets the view, the deep link, and the note form."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import Session, select

from app.services.customer360 import NOT_FOUND, NOTE_EMPTY, NOTE_TOO_LONG, Customer360
from app.state.cart import CartState
from app.state.customer360 import Customer360State
from app.state.customer_service import CustomerServiceState
from app.state.session import SessionState
from app.state.toast import ToastState
from models import AuthSession, CustomerNote, OnBehalfSession
from tests.conftest import make_account
from tests.state.conftest import endpoint_targets, toasts


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com"),
            "john": make_account(db, "John", "Doe", "john@example.com", allow_assistance=False),
            "csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr"),
        }


def open_360(client, number: str) -> tuple[Customer360State, list]:
    """Load the deep link in this tab: (the page's state, the events its on-load emitted)."""
    state = client.state(Customer360State)
    state.router = RouterData(
        url=ReflexURL(f"http://localhost:3000/customer-service/customer/{number}"),
        headers=client.root.rx_router_headers,
    )
    return state, client.call(Customer360State, "load")


def redirects(events) -> list[str]:
    return [ev.args[0][1]._var_value for ev in events if "redirect" in str(getattr(ev, "handler", ""))]


def notes(engine) -> list[CustomerNote]:
    with Session(engine) as db:
        return db.exec(select(CustomerNote)).all()


def test_signed_out_visitors_go_to_sign_in_and_come_back_and_the_state_holds_nothing(client, people):
    c = client()
    state, events = open_360(c, people["jane"].customer_number)
    assert redirects(events) == [f"/login?next=/customer-service/customer/{people['jane'].customer_number}"]
    assert state.view == Customer360() and not state.found and not state.allowed


def test_a_shopper_is_sent_home_and_gets_nothing(client, people, sqlite_engine):
    c = client(people["john"])
    state, events = open_360(c, people["jane"].customer_number)
    assert redirects(events) == ["/"]
    assert state.view == Customer360() and not state.found and not state.allowed
    assert "Jane" not in str(c.root.dict())
    events = c.call(Customer360State, "add_note", {"body": "forged"})
    assert toasts(events) and notes(sqlite_engine) == []


def test_a_csr_gets_the_view(client, people):
    c = client(people["csr"])
    state, events = open_360(c, people["jane"].customer_number)
    assert redirects(events) == []
    assert state.loaded and state.allowed and state.found
    assert state.view.profile.name == "Jane Doe"
    assert state.view.profile.customer_number == people["jane"].customer_number


@pytest.mark.parametrize("number", ["C9999999", "not-a-number", "%3Cscript%3E"])
def test_an_unknown_or_malformed_number_is_not_found(client, people, number):
    state, _ = open_360(client(people["csr"]), number)
    assert state.loaded and state.allowed and not state.found and state.view == Customer360()
    assert NOT_FOUND  # the page says so in its own words; nothing of anyone is in the state


def test_a_staff_number_is_not_found(client, people):
    state, _ = open_360(client(people["csr"]), people["csr"].customer_number)
    assert not state.found and state.view == Customer360()


def test_note_save_errors_and_success(client, people, sqlite_engine):
    c = client(people["csr"])
    state, events = open_360(c, people["jane"].customer_number)
    assert c.call(Customer360State, "add_note", {"body": "  "}) == []
    assert state.note_errors == {"body": NOTE_EMPTY}
    c.call(Customer360State, "add_note", {"body": "x" * 1001})
    assert state.note_errors == {"body": NOTE_TOO_LONG}
    c.call(Customer360State, "add_note", "not a form")
    assert state.note_errors == {"body": NOTE_EMPTY}
    assert notes(sqlite_engine) == []

    events = c.call(Customer360State, "add_note", {"body": "Prefers email."})
    assert toasts(events) == ["Note added."] and state.note_errors == {}
    assert [(n.author, n.body) for n in state.view.notes] == [("Casey Rep", "Prefers email.")]
    assert [n.body for n in notes(sqlite_engine)] == ["Prefers email."]
    # The deep link, loaded again, shows it.
    again, _ = open_360(client(people["csr"]), people["jane"].customer_number)
    assert [n.body for n in again.view.notes] == ["Prefers email."]


def test_access_account_from_360_is_customer_services_access_with_its_refusals(client, people, sqlite_engine):
    c = client(people["csr"])
    open_360(c, people["john"].customer_number)
    events = c.call(CustomerServiceState, "access", people["john"].id)
    assert toasts(events) == ["John Doe has switched off assistance from customer service."]
    with Session(sqlite_engine) as db:
        assert db.exec(select(OnBehalfSession)).all() == []
    state, events = open_360(c, people["jane"].customer_number)
    events = c.call(CustomerServiceState, "view_cart", state.view.profile.id)
    assert redirects(events) == ["/cart"]


def test_opening_the_360_on_behalf_ends_the_session_and_reopens_the_link(client, people, sqlite_engine):
    c = client(people["csr"])
    c.call(CustomerServiceState, "access", people["jane"].id)
    state, events = open_360(c, people["jane"].customer_number)
    assert redirects(events)[-1] == f"/customer-service/customer/{people['jane'].customer_number}"
    assert c.state(ToastState).message == "You are signed in as yourself again. Session with Jane Doe ended."
    with Session(sqlite_engine) as db:
        assert db.exec(select(OnBehalfSession)).one().end_reason == "customer_service_tab"
    state, events = open_360(c, people["jane"].customer_number)
    assert state.found and state.view.profile.name == "Jane Doe"


@pytest.mark.parametrize(
    "next_path, lands_on",
    [
        ("/customer-service/customer/C0100001", "/customer-service/customer/C0100001"),  # the shared link
        ("/account", "/customer-service"),  # staff never land on a shopper's page
    ],
)
def test_staff_signing_in_from_a_shared_link_land_on_it(client, people, next_path, lands_on):
    c = client()
    c.session.router = RouterData(
        url=ReflexURL(f"http://localhost:3000/login?next={next_path}"), headers=c.root.rx_router_headers
    )
    c.call(SessionState, "set_return_to")
    events = c.call(SessionState, "sign_in", {"email": "csr@example.com", "password": "shop-pass-123"})
    assert endpoint_targets(events) == [lands_on]


def refresh(client, number: str) -> bool:
    """One tick of the open page's watch (Customer360State.watch), as its background task runs it."""
    state = client.state(Customer360State)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, state._refresh(state._watch, number)).result()


def test_the_open_page_watches_and_shows_another_csrs_lock_and_note(client, people):
    number = people["jane"].customer_number
    casey = client(people["csr"])
    state, events = open_360(casey, number)
    assert Customer360State.watch in events  # the load starts the page's watch
    assert not state.view.cart.locked and state.view.notes == []
    state._clean()
    assert refresh(casey, number) and not state.view.cart.locked
    assert "view" not in state.dirty_vars  # nothing changed: nothing is sent to the page

    other = client(people["csr"])  # another browser of customer service
    other.call(CustomerServiceState, "access", people["jane"].id)
    other.call(CartState, "load")
    other.call(CartState, "lock")
    open_360(client(people["csr"]), number)
    client_with_note = client(people["csr"])
    open_360(client_with_note, number)
    client_with_note.call(Customer360State, "add_note", {"body": "Called back."})

    assert refresh(casey, number)
    assert state.view.cart.locked and state.view.cart.lock.startswith("Locked by Casey Rep")
    assert [n.body for n in state.view.notes] == ["Called back."]
    assert state.view.sessions[0].outcome == "In progress"


def test_the_watch_ends_on_another_page_another_customer_or_without_the_right(client, people, sqlite_engine):
    number = people["jane"].customer_number
    casey = client(people["csr"])
    state, _ = open_360(casey, number)
    assert not refresh(casey, people["john"].customer_number)  # the tab shows Jane, not John
    with ThreadPoolExecutor(1) as pool:  # a later load of the page ended this watch
        assert not pool.submit(asyncio.run, state._refresh(state._watch - 1, number)).result()
    state.router = RouterData(
        url=ReflexURL("http://localhost:3000/customer-service"), headers=state.router.headers
    )
    assert not refresh(casey, number)  # the tab went to another page

    state, _ = open_360(casey, number.lower())  # a link typed in lower case shows and follows the customer
    assert state.found and refresh(casey, number.lower())
    with Session(sqlite_engine) as db:  # the CSR's sessions end (signed out elsewhere, or disabled)
        for row in db.exec(select(AuthSession)).all():
            db.delete(row)
        db.commit()
    assert not refresh(casey, number.lower())
    # The tab's person changed: it forgot the customer (app/state/guard.py).
    assert state.view == Customer360()


def test_the_watch_stops_when_the_browser_goes_on_behalf_in_another_tab(client, people):
    number = people["jane"].customer_number
    casey = client(people["csr"])
    state, _ = open_360(casey, number)
    other_tab = client()  # the same browser: its cookies
    other_tab.token, other_tab.device = casey.token, casey.device
    other_tab.call(CustomerServiceState, "access", people["jane"].id)
    # The next read finds the tab on behalf of Jane: the guard forgot the 360 page's state, and the watch
    # neither shows Jane's record again nor goes on.
    assert not refresh(casey, number)
    assert casey.session.on_behalf and state.view == Customer360() and not state.found
