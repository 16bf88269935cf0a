"""Nothing outlives its owner (docs/LIVE.md): when the person behind a tab changes, every state holding
a person's data is reset, in that tab at once and in the person's other tabs at their next event."""

from __future__ import annotations

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import Session

from app.services.accounts import Profile
from app.services.customers import Criteria
from app.state.account import AccountState
from app.state.cart import CartState
from app.state.customer_service import AuditState, CustomerServiceState
from app.state.session import SessionState
from tests.conftest import make_account, make_product, sku_of
from tests.state.conftest import PageLoad, toasts


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com", segments="vip"),
            "smith": make_account(db, "Ann", "Smith", "smith01@example.com"),
            "csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr"),
            "csr2": make_account(db, "Sam", "Agent", "csr2@example.com", role="csr"),
            "boss": make_account(db, "Pat", "Lead", "supervisor@example.com", role="supervisor"),
            "product": make_product(db, "TEE-1", stock=10),
        }


def test_sign_out_forgets_search_results_and_sessions(client, people):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "load")
    csr.call(CustomerServiceState, "find", {"last_name": "smith"})
    cs = csr.state(CustomerServiceState)
    assert cs.results and cs.criteria.last_name == "smith"
    csr.call(SessionState, "sign_out")
    assert cs.results == [] and cs.criteria == Criteria() and cs.recent == [] and not cs.searched
    assert not csr.session.signed_in and csr.token == ""  # the browser's cookie was removed


def test_ending_an_on_behalf_session_forgets_the_customer(client, people):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    csr.call(AccountState, "load")
    account = csr.state(AccountState)
    assert account.profile.email == "jane@example.com" and not hasattr(account.profile, "segments")
    csr.call(SessionState, "sign_in_as_yourself")
    assert account.profile == Profile() and account.addresses == [] and account.orders == []
    assert csr.cart.cart_id == 0  # no longer following Jane's cart


def test_another_person_signing_in_in_the_same_tab_sees_nothing_of_the_first(client, people):
    boss = client(people["boss"])
    boss.call(AuditState, "load")
    boss.call(CustomerServiceState, "find", {"last_name": "smith"})
    assert boss.state(AuditState).allowed and boss.state(CustomerServiceState).results
    boss.call(SessionState, "sign_in", {"email": "jane@example.com", "password": "shop-pass-123"})
    assert boss.session.first_name == "Jane"
    assert boss.state(AuditState).rows == [] and not boss.state(AuditState).allowed
    assert boss.state(CustomerServiceState).results == []


def test_another_tab_of_the_person_forgets_at_its_next_event(client, people):
    tab1 = client(people["csr"])
    tab2 = client(None)
    tab2.token = tab1.token  # the same browser: one cookie, two tabs
    tab2.call(CartState, "load")
    tab2.call(CustomerServiceState, "find", {"last_name": "smith"})
    assert tab2.state(CustomerServiceState).results
    tab1.call(SessionState, "sign_out")
    tab2.token = ""  # the cookie is gone for the whole browser
    tab2.call(CartState, "load")  # the next page tab 2 opens
    assert tab2.state(CustomerServiceState).results == [] and not tab2.session.signed_in


def test_dialogs_and_panels_do_not_survive_navigation(client, people):
    jane = client(people["jane"])
    jane.call(CartState, "set_panel_open", True)
    jane.call(AccountState, "toggle_address_form")
    assert jane.state(CartState).panel_open and jane.state(AccountState).address_form_open
    jane.call(CartState, "load")  # every page's on_load
    jane.call(AccountState, "load")
    assert not jane.state(CartState).panel_open and not jane.state(AccountState).address_form_open


def test_takeover_is_confirmed_against_the_lock_the_csr_saw(client, people, sqlite_engine):
    a, b, c = client(people["csr"]), client(people["csr2"]), client(people["boss"])
    for tab in (a, b, c):
        tab.call(CustomerServiceState, "access", people["jane"].id)
    a.call(CartState, "lock")
    c.call(CartState, "load")
    seen_by_c = c.cart.lock_ref  # the supervisor opens the takeover dialog on Casey's lock...
    assert seen_by_c
    b.call(CartState, "load")
    b.call(CartState, "take_over", b.cart.lock_ref)  # ...meanwhile Sam takes it over
    assert b.locked_by_me
    events = c.call(CartState, "take_over", seen_by_c)
    assert toasts(events) == [
        "The lock changed hands while you were deciding: Sam Agent holds it now. Look again and retry."
    ]
    assert b.locked_by_me and c.cart.lock_holder == "Sam Agent"  # the refusal showed the fresh cart


def test_a_session_ended_elsewhere_is_told_and_leaves_the_customer(client, people):
    tab1 = client(people["csr"])
    tab1.call(CustomerServiceState, "access", people["jane"].id)
    tab1.call(AccountState, "load")
    other_browser = client(people["csr"])  # the same CSR, signed in elsewhere, accesses another customer
    other_browser.call(CustomerServiceState, "access", people["smith"].id)
    # Tab 1's page hears of it through the customer's LiveCart (fanned out by Reflex; set here by hand).
    tag = tab1.session.session_tag
    assert tag and tag not in tab1.cart.ended_sessions
    tab1.cart.ended_sessions = {tag: "CSR accessed another customer"}
    events = tab1.call(SessionState, "on_behalf_ended")
    assert toasts(events) == ["Your session on behalf of Jane Doe ended: CSR accessed another customer."]
    assert not tab1.session.on_behalf and tab1.state(AccountState).profile == Profile()


def test_the_notice_names_the_customer_even_after_the_tab_already_showed_the_csr_as_themself(client, people):
    """Was: "Your session on behalf of  ended" when the tab's presence check-in ran between the end and the
    notice (the check-in shows the caller as they are now: on behalf of nobody)."""
    tab1 = client(people["csr"])
    tab1.call(CustomerServiceState, "access", people["jane"].id)
    client(people["csr"]).call(CustomerServiceState, "access", people["smith"].id)  # ends Jane's session
    tab1.call(SessionState, "keep_alive")  # an event of this tab first: it shows the CSR as themself
    assert tab1.session.customer_name == ""
    events = tab1.call(SessionState, "on_behalf_ended")
    assert toasts(events) == ["Your session on behalf of Jane Doe ended: CSR accessed another customer."]


@pytest.mark.parametrize("how", ["another browser", "signed out"])
def test_a_click_that_finds_the_session_over_has_the_page_ask_why(client, people, how):
    """Was: a click (or the presence check-in) in a CSR's tab that found its on-behalf session over before
    the cart's notice came showed the CSR as themself (or nobody), silently, on the customer's page."""
    tab1 = client(people["csr"])
    tab1.call(CustomerServiceState, "access", people["jane"].id)
    tab1.call(CartState, "load")
    if how == "another browser":
        client(people["csr"]).call(CustomerServiceState, "access", people["smith"].id)
    else:
        tab2 = client(None)
        tab2.token = tab1.token  # another tab of the same browser signs out: the cookie is gone
        tab2.call(SessionState, "sign_out")
    tab1.call(CartState, "add", sku_of(people["product"]), 1)  # refused: nobody on behalf now
    assert not tab1.session.on_behalf and tab1.session.ended_unsaid  # the header asks on_behalf_ended
    events = tab1.call(SessionState, "on_behalf_ended")
    assert toasts(events)[-1].startswith("Your session on behalf of Jane Doe ended: ")
    assert not tab1.session.ended_unsaid


def test_ending_the_session_in_the_tab_itself_is_not_asked_again(client, people):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    events = csr.call(SessionState, "sign_in_as_yourself")
    assert toasts(events) and not csr.session.ended_unsaid  # it said so itself
    csr.call(CartState, "load")  # the next page
    assert not csr.session.ended_unsaid


def test_a_page_load_after_the_end_says_so_on_arrival_not_through_the_header(client, people):
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "access", people["jane"].id)
    client(people["csr"]).call(CustomerServiceState, "access", people["smith"].id)
    hydrate(csr)  # the reload: a page load explains the caller itself
    assert not csr.session.ended_unsaid


# -- a page load shows the stored state only to its person (docs/SECURITY.md "client token") ----------


def hydrate(tab, anon_key: str = "anon-key-for-tests") -> None:
    """What Reflex does first on a page load, before its hydrate sends the whole stored state: the app's
    middleware sees the event with the cookies the browser sent."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from reflex.event import Event

    from app.state.guard import OwnerAtPageLoad

    key = f"{SessionState.get_full_name()}.anon_key_rx_state_"
    event = Event(name="reflex___state____state.hydrate_and_load", payload={"vars": {key: anon_key}})
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, OwnerAtPageLoad().preprocess(None, tab.root, event)).result()


def test_a_page_load_without_the_session_cookie_gets_nothing_of_the_stored_person(client, people):
    """Was: connecting with a tab's client token and no cookie sent that tab's state (a CSR's search results,
    the customer's profile and cart) once, at the page load, before any handler checked the caller."""
    csr = client(people["csr"])
    csr.call(CustomerServiceState, "find", {"last_name": "smith"})
    assert csr.state(CustomerServiceState).results
    hydrate(csr)  # the same browser reloads: nothing is forgotten
    assert csr.state(CustomerServiceState).results
    client(people["jane"]).call(CartState, "add", sku_of(people["product"]), 1)
    csr.call(CustomerServiceState, "access", people["jane"].id)
    csr.call(AccountState, "load")
    assert csr.state(AccountState).profile and csr.cart.lines
    hydrate(csr)
    assert csr.state(AccountState).profile and csr.session.on_behalf and csr.cart.lines

    csr.token = ""  # another browser, with the tab's client token but not its cookie
    hydrate(csr)
    assert not csr.session.signed_in and not csr.session.on_behalf and csr.session.customer_name == ""
    assert csr.state(AccountState).profile == Profile() and csr.state(CustomerServiceState).results == []
    assert csr.cart.cart_id == 0 and csr.cart.lines == []


def test_a_page_load_with_another_anonymous_cart_cookie_gets_its_own_cart(client, people):
    shopper = client()
    shopper.call(CartState, "load")
    shopper.call(CartState, "add", sku_of(people["product"]), 1)
    assert shopper.cart.lines
    hydrate(shopper)  # the same browser: its cart stays
    assert shopper.cart.lines
    hydrate(shopper, anon_key="")  # a browser without the cart cookie
    assert shopper.cart.lines == [] and shopper.cart.cart_id == 0


def _on_page(tab, url: str) -> None:
    tab.session.router = RouterData(
        url=ReflexURL(f"http://localhost:3000{url}"), headers=tab.root.rx_router_headers
    )


def test_a_page_whose_person_went_on_behalf_in_another_tab_follows_them_to_the_customer(client, people):
    """Was: Customer Service in one tab, a customer accessed in another tab of the same browser: the first tab's
    next search forgot its page (the person behind it changed) and showed the loading skeleton for good."""
    tab1 = client(people["csr"])
    tab2 = client(None)
    tab2.token = tab1.token  # the same browser: one cookie, two tabs
    tab2.call(CartState, "load")
    tab2.call(CustomerServiceState, "load")
    assert tab2.state(CustomerServiceState).loaded
    tab1.call(CustomerServiceState, "access", people["jane"].id)
    tab2.call(CustomerServiceState, "find", {"last_name": "smith"})
    assert not tab2.state(CustomerServiceState).loaded  # forgotten: it was the CSR's own page
    assert tab2.session.changed_unsaid and not tab2.session.ended_unsaid
    events = tab2.call(SessionState, "person_changed")  # the header asks at once (components/header.py)
    assert toasts(events) == ["You are shopping for Jane Doe now: that began in another tab."]
    assert [e for e in events if "/account" in str(getattr(e, "args", ""))]  # the redirect
    assert not tab2.session.changed_unsaid and tab2.session.on_behalf
    # The session tab 1 began goes on: tab 2 did not end it by loading Customer Service again.
    tab1.call(CartState, "load")
    assert tab1.session.on_behalf and tab1.session.customer_name == "Jane Doe"


def test_a_page_whose_person_signed_out_in_another_tab_loads_again_and_says_so(client, people):
    tab1 = client(people["jane"])
    tab2 = client(None)
    tab2.token = tab1.token
    tab2.call(CartState, "load")
    tab2.call(AccountState, "load")
    _on_page(tab2, "/account?tab=orders")
    assert tab2.state(AccountState).profile.email == "jane@example.com"
    tab1.call(SessionState, "sign_out")  # the endpoint removes the cookie; tab 2's handshake still has it
    tab2.call(CartState, "set_panel_open", True)  # an event that touches no data: the tab shows Jane still
    assert tab2.session.signed_in
    tab2.call(CartState, "add", sku_of(people["product"]), 1)
    assert not tab2.session.signed_in and tab2.session.changed_unsaid
    assert tab2.state(AccountState).profile == Profile()
    events = tab2.call(SessionState, "person_changed")
    # Loaded again, as whoever the tab is now (My Account then asks to sign in).
    assert [e for e in events if isinstance(e, PageLoad)] == [PageLoad("/account?tab=orders")]
    assert not tab2.session.changed_unsaid
    assert toasts(tab2.call(CartState, "load")) == ["You were signed out in another tab or window."]


def test_a_page_load_shows_the_new_person_without_asking(client, people):
    tab1 = client(people["csr"])
    tab2 = client(None)
    tab2.token = tab1.token
    tab2.call(CartState, "load")
    tab1.call(CustomerServiceState, "access", people["jane"].id)
    tab2.call(CartState, "load")  # a client-side navigation's first on_load
    assert tab2.session.on_behalf and not tab2.session.changed_unsaid
    assert tab2.call(SessionState, "person_changed") == []  # asked twice, or forged: nothing happens
