"""What an attacker reads from the live cart, over the raw websocket (issue 16, item 5; docs/SECURITY.md).

- A customer's browser is sent the names of staff, never their account ids.
- A CSR's page stops receiving the customer's cart the moment the CSR's right to see it ends, even if the
  page (a forged client) ignores the redirect it is sent.

Customer: smith07 (no other test uses it); Casey Rep.
"""

from __future__ import annotations

import json

from app.state.account import AccountState
from app.state.cart import CartState, LiveCart
from app.state.customer_service import CustomerServiceState
from storefront_qa.demo import CSR, account_id, smith
from storefront_qa.raw_client import RawClient, changed, deltas, run_sync, signed_in, toasts

CUSTOMER = smith(7)
CART, CS, ACCOUNT = (
    CartState.get_full_name(),
    CustomerServiceState.get_full_name(),
    AccountState.get_full_name(),
)


def _sku(engine) -> str:
    from sqlmodel import Session, select

    from models import Variant

    with Session(engine) as s:
        return s.exec(select(Variant.sku).where(Variant.sku.startswith("MUG-"), Variant.stock > 2)).first()


def _live_cart_values(frames: list[str]) -> list[dict]:
    full = LiveCart.get_full_name()
    return [values for delta in deltas(frames) for name, values in delta.items() if name == full]


def test_customers_see_staff_by_name_never_by_account_id(base_url, store_db):
    csr_id = account_id(store_db, CSR.email)

    async def scenario():
        shopper = await signed_in(base_url, CUSTOMER, "/cart")
        csr = await signed_in(base_url, CSR, "/customer-service")
        try:
            await csr.emit(
                CS + ".access", {"customer_id": account_id(store_db, CUSTOMER.email)}, until=toasts
            )
            await csr.emit(CART + ".load", {})
            shopper.discard()
            await csr.emit(CART + ".lock", {}, until=toasts)
            seen = await shopper.drain(
                quiet=2, until=lambda f: any(v.get("locked") for v in _live_cart_values(f))
            )
            carts = _live_cart_values(seen)
            assert any(v.get("lock_holder") == CSR.name for v in carts), carts
            for values in carts:
                for key, value in values.items():
                    assert "holder_id" not in key, f"{key} sent to the customer"
                    if key.endswith("_id") or "holder" in key:
                        assert value != csr_id, f"{key} carries the CSR's account id"
            await csr.emit(CART + ".unlock", {}, until=toasts)
        finally:
            await shopper.close()
            await csr.close()

    run_sync(scenario())


def test_a_csr_page_that_ignores_the_end_of_its_session_receives_the_cart_no_more(base_url, store_db):
    sku = _sku(store_db)

    async def scenario():
        shopper = await signed_in(base_url, CUSTOMER, "/account")
        csr = await signed_in(base_url, CSR, "/customer-service")
        try:
            await csr.emit(
                CS + ".access", {"customer_id": account_id(store_db, CUSTOMER.email)}, until=toasts
            )
            await csr.emit(CART + ".load", {})
            # While the CSR may see it, the customer's change reaches the CSR's page.
            csr.discard()
            await shopper.emit(CART + ".add", {"sku": sku, "quantity": 1}, until=toasts)
            before = await csr.drain(quiet=2, until=lambda f: changed(f, LiveCart, "lines"))
            assert changed(before, LiveCart, "lines"), "the CSR's page did not receive the customer's cart"

            # The customer withdraws consent: the session ends at once, and the CSR's page is told...
            csr.discard()
            await shopper.emit(ACCOUNT + ".set_assistance", {"allowed": False}, until=toasts)
            told = await csr.drain(quiet=2, until=lambda f: changed(f, LiveCart, "ended_sessions"))
            assert changed(told, LiveCart, "ended_sessions"), "the CSR's page was not told the session ended"
            # ...and ignores it (a forged client: no on_behalf_ended, no navigation). The cart changes again.
            csr.discard()
            await shopper.emit(CART + ".add", {"sku": sku, "quantity": 1}, until=toasts)
            after = await csr.drain(quiet=3)
            leaked = [json.dumps(v) for v in _live_cart_values(after) if "lines" in v]
            assert not leaked, f"the CSR's page still receives the customer's cart: {leaked[:1]}"
        finally:
            await shopper.emit(ACCOUNT + ".set_assistance", {"allowed": True}, until=toasts)
            await shopper.close()
            await csr.close()

    run_sync(scenario())


def test_a_stolen_client_token_without_the_cookie_gets_nothing_of_the_tab(base_url):
    """Issue 16, item 3: the client token alone must be worth nothing. Was: a socket that connected with a
    CSR tab's client token (and no session cookie) got that tab's stored state at its page load: the CSR's
    search results, names and emails of customers."""

    async def scenario():
        csr = await signed_in(base_url, CSR, "/customer-service")
        await csr.emit(
            CS + ".find", {"form": {"last_name": "Smith"}}, until=lambda f: CUSTOMER.email in "".join(f)
        )
        stolen = csr.token
        await csr.close()  # the tab is closed; its state stays on the server
        thief = RawClient(base_url, "/customer-service")
        thief.url = thief.url.replace(thief.token, stolen)
        thief.token = stolen
        try:
            seen = "".join(await thief.connect(settle=1))
            assert "@example.com" not in seen, "a customer's (or the CSR's) email reached the thief"
            assert CSR.name not in seen  # not even who the tab belonged to
        finally:
            await thief.close()
        again = await signed_in(base_url, CSR, "/customer-service")  # the CSR is still signed in elsewhere
        await again.close()

    run_sync(scenario())
