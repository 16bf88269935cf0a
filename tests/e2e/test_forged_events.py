"""Forged events through the real websocket of the production build (issue 5; SPEC §4 and §8).

No browser: `storefront_qa.raw_client.RawClient` speaks the frontend's Engine.IO/Socket.IO protocol and sends
what no page would — wrong types, huge strings, impossible quantities, unknown and other people's ids,
handlers the caller may not use, malformed frames. Each forgery must be refused with a message (an error
toast, or the form's error var where the page shows refusals there) or be dropped by Reflex itself (said
where, and why); the server must go on answering the same socket; and the database must not change
(every table a refusal could touch is compared before and after).

Customers: smith10, smith11, smith13 and smith14 (no other test uses them). csr@example.com and
csr2@example.com only sign in: every access they try is refused, so no on-behalf session starts. Jane, John,
Dana (disabled) and the supervisor are only looked up by id.
"""

from __future__ import annotations

import asyncio
import json

from sqlmodel import Session, select

from app.services.validation import QUANTITY_MESSAGE
from app.state.cart import CartState, LiveCart
from app.state.catalog import ProductState
from app.state.checkout import CheckoutState
from app.state.customer_service import AuditState, CustomerServiceState
from app.state.session import SessionState
from models import (
    Account,
    Address,
    AuditEvent,
    Cart,
    CartLine,
    Coupon,
    OnBehalfSession,
    Order,
    OrderLine,
    StoreStock,
    Variant,
)
from storefront_qa.demo import CSR, CSR2, account_id, smith
from storefront_qa.raw_client import (
    RawClient,
    changed,
    deltas,
    frontend_events,
    run_sync,
    signed_in,
    toasts,
)

SHOPPER_A, SHOPPER_B, SHOPPER_C, SHOPPER_D = smith(10), smith(11), smith(13), smith(14)
SKU = "JKT-RAIN-NAVY-M"  # in stock (6)
PRODUCT_PAGE = "/product/JKT-RAIN"

CART, PRODUCT, CHECKOUT = (
    CartState.get_full_name(),
    ProductState.get_full_name(),
    CheckoutState.get_full_name(),
)
CS, AUDIT, SESSION = (
    CustomerServiceState.get_full_name(),
    AuditState.get_full_name(),
    SessionState.get_full_name(),
)

NOT_SIGNED_IN = "Please sign in first."
NO_PERMISSION = "You do not have permission to do that."
NOT_IN_CART = "That item is no longer in the cart."
NO_OPTIONS = "Choose the product options first."
NOT_FOUND = "That customer was not found."
# The app's backend exception handler (app/state/toast.py) answers whatever escapes a handler with this,
# never with a stack trace: here, Reflex itself failing to call the handler with the arguments sent.
GENERIC = "Something went wrong on our side. Please try again."

# Everything a refused event could write. Not AuthSession: signing in writes it, by design.
WATCHED = (
    Account,
    Address,
    Cart,
    CartLine,
    Order,
    OrderLine,
    OnBehalfSession,
    AuditEvent,
    Variant,
    StoreStock,
    Coupon,
)


def snapshot(engine) -> dict[str, list[str]]:
    with Session(engine) as s:
        tables = {
            model.__tablename__: sorted(
                json.dumps(row.model_dump(), default=str) for row in s.exec(select(model))
            )
            for model in WATCHED
        }
    assert tables["account"] and tables["variant"] and tables["cart"]  # the store's database, seeded
    return tables


async def refused(client: RawClient, name: str, payload: dict | None = None) -> str:
    """Send a forged event; it must be answered with one error toast and nothing else (no redirect)."""
    frames = await client.emit(name, payload, until=toasts)
    shown = toasts(frames)
    assert [t.kind for t in shown] == ["error"], (name, str(payload)[:200], shown)
    assert not frontend_events(frames), frontend_events(frames)
    return shown[0].message


def answer(frames: list[str]) -> list:
    """What the frames say to the page: toasts, frontend events and changes of the app's own vars. Left
    out: Reflex's router vars and the toast clearing itself, which a toast's timer sends 6 s later."""
    from app.state.toast import ToastState

    quiet = {"reflex___state____state", ToastState.get_full_name()}
    changes = [d for d in deltas(frames) if set(d) - quiet]
    return [*toasts(frames), *frontend_events(frames), *changes]


async def still_answers(client: RawClient) -> None:
    """A normal event on the same socket after the forgeries: the server is up and this session works."""
    assert not client.disconnected
    for value in (True, False):
        frames = await client.emit(
            CART + ".set_panel_open", {"value": value}, until=lambda f: changed(f, CartState, "panel_open")
        )
        assert changed(frames, CartState, "panel_open") == [value]


def test_forged_add_to_cart_is_refused(base_url, store_db):
    bad_skus = [[SKU], {"sku": SKU}, None, 7, "", "x" * 999_000]  # 999 kB: under Engine.IO's 1,000,000
    bad_quantities = [-5, 0, 100, 10**30, "1e3", True, "abc", None, [1], {"n": 1}, 2.5, " 1 1", "-1"]

    async def scenario():
        anonymous = RawClient(base_url, PRODUCT_PAGE)
        await anonymous.connect()
        shopper = await signed_in(base_url, SHOPPER_A, PRODUCT_PAGE)
        before = snapshot(store_db)
        for client in (anonymous, shopper):
            for sku in bad_skus:
                assert await refused(client, CART + ".add", {"sku": sku, "quantity": 1}) == NO_OPTIONS
            for quantity in bad_quantities:
                message = await refused(client, CART + ".add", {"sku": SKU, "quantity": quantity})
                assert message == QUANTITY_MESSAGE, quantity
            assert await refused(client, CART + ".add", {"sku": "NO-SUCH-SKU", "quantity": 1}) == (
                "That product is no longer available."
            )
            # The product page's own handlers: a forged option or quantity lands in the page's vars, and
            # Add to Cart refuses it (the quantity beside the field, the option with a toast).
            frames = await client.emit(PRODUCT + ".set_quantity", {"value": {"n": 99}})
            assert changed(frames, ProductState, "quantity") == [{"n": 99}]
            frames = await client.emit(
                PRODUCT + ".add_to_cart", until=lambda f: changed(f, ProductState, "quantity_error")
            )
            assert changed(frames, ProductState, "quantity_error") == [QUANTITY_MESSAGE]
            await client.emit(PRODUCT + ".set_quantity", {"value": "1"})
            await client.emit(PRODUCT + ".set_option1", {"value": ["Navy"]})
            assert await refused(client, PRODUCT + ".add_to_cart") == NO_OPTIONS
            await still_answers(client)
        assert snapshot(store_db) == before
        for client in (anonymous, shopper):
            await client.close()

    run_sync(scenario())


def test_a_frame_over_the_engine_io_limit_is_dropped_with_its_socket(base_url, store_db):
    """1 MiB: Engine.IO announced maxPayload 1,000,000 in its handshake and closes the transport of a bigger
    frame before Reflex sees it (the frontend refuses to send one). No handler runs, so no toast."""

    async def scenario():
        before = snapshot(store_db)
        async with RawClient(base_url, PRODUCT_PAGE) as client:
            await client.send(CART + ".add", {"sku": "x" * 2**20, "quantity": 1})
            frames = await client.drain(quiet=1, timeout=15, until=lambda f: client.disconnected)
            for _ in range(50):
                if client.disconnected:
                    break
                await asyncio.sleep(0.2)
            assert client.disconnected and toasts(frames) == []
        async with RawClient(base_url, PRODUCT_PAGE) as fresh:  # the server itself is fine
            await still_answers(fresh)
        assert snapshot(store_db) == before

    run_sync(scenario())


def test_other_customers_and_unknown_cart_lines_are_refused(base_url, store_db):
    async def scenario():
        a = await signed_in(base_url, SHOPPER_A, PRODUCT_PAGE)
        frames = await a.emit(CART + ".add", {"sku": SKU, "quantity": 1}, until=toasts)
        assert toasts(frames)[0].kind == "success"  # a real line of A's, the target of B's forgeries
        a_line = changed(frames, LiveCart, "lines")[-1][0]["line_id"]
        b = await signed_in(base_url, SHOPPER_B, "/cart")
        frames = await b.emit(CART + ".add", {"sku": "BAG-TOTE", "quantity": 1}, until=toasts)
        assert toasts(frames)[0].kind == "success"  # B has a cart and a line of its own
        b_line = changed(frames, LiveCart, "lines")[-1][0]["line_id"]
        anonymous = RawClient(base_url, "/cart")
        await anonymous.connect()
        before = snapshot(store_db)

        bad_ids = [
            a_line,
            999_999,
            0,
            -1,
            2**70,
            str(a_line) + "x",
            "abc",
            True,
            None,
            [a_line],
            {"id": a_line},
        ]
        for client in (b, anonymous):
            for line_id in bad_ids:
                message = await refused(client, CART + ".set_quantity", {"line_id": line_id, "quantity": "2"})
                assert message == NOT_IN_CART, line_id
                assert await refused(client, CART + ".remove", {"line_id": line_id}) == NOT_IN_CART, line_id
        for quantity in (-5, 0, 10**30, "1e3", True, "abc", None):
            message = await refused(b, CART + ".set_quantity", {"line_id": b_line, "quantity": quantity})
            assert message == QUANTITY_MESSAGE, quantity
        # A price adjustment on A's line: B may not adjust prices at all.
        await b.emit(CART + ".set_adjust_line", {"line_id": a_line})
        form = {"amount": "-5" * 10_000, "reason": ["x"]}
        assert await refused(b, CART + ".adjust_price", {"form": form}) == NO_PERMISSION
        await still_answers(b)
        await still_answers(anonymous)
        assert snapshot(store_db) == before
        for client in (a, b, anonymous):
            await client.close()

    run_sync(scenario())


def test_on_behalf_access_is_refused_whatever_the_id(base_url, store_db):
    ids = {who: account_id(store_db, f"{who}@example.com") for who in ("jane", "john", "csr2", "supervisor")}
    ids["dana"] = account_id(store_db, "dana.disabled@example.com")
    create_form = {"first_name": "x" * 100_000, "last_name": ["Doe"], "email": {"a": 1}, "phone": 5}

    async def scenario():
        anonymous = RawClient(base_url, "/customer-service")
        await anonymous.connect()
        shopper = await signed_in(base_url, SHOPPER_C, "/customer-service")
        csr = await signed_in(base_url, CSR, "/customer-service")
        before = snapshot(store_db)

        for client, message in ((anonymous, NOT_SIGNED_IN), (shopper, NO_PERMISSION)):
            for customer_id in (ids["jane"], str(ids["jane"]), "abc", [ids["jane"]], None):
                assert await refused(client, CS + ".access", {"customer_id": customer_id}) == message
                assert await refused(client, CS + ".view_cart", {"customer_id": customer_id}) == message
            assert await refused(client, CS + ".find", {"form": {"last_name": "Smith"}}) == message
            frames = await client.emit(
                CS + ".create_customer",
                {"form": create_form},
                until=lambda f: changed(f, CustomerServiceState, "create_errors"),
            )
            assert changed(frames, CustomerServiceState, "create_errors")[-1] == {"form": message}

        for customer_id in ("abc", "", [ids["jane"]], {"id": ids["jane"]}, None, True, -1, 0, 2**70, 999_999):
            assert await refused(csr, CS + ".access", {"customer_id": customer_id}) == NOT_FOUND, customer_id
        staff = "Customer service accounts cannot be accessed on behalf."
        assert await refused(csr, CS + ".access", {"customer_id": ids["csr2"]}) == staff
        assert await refused(csr, CS + ".view_cart", {"customer_id": ids["supervisor"]}) == staff
        assert await refused(csr, CS + ".access", {"customer_id": ids["dana"]}) == (
            "This account is disabled and cannot be accessed."
        )
        assert await refused(csr, CS + ".access", {"customer_id": ids["john"]}) == (
            "John Doe has switched off assistance from customer service."
        )
        for client in (anonymous, shopper, csr):
            await still_answers(client)
        assert snapshot(store_db) == before
        for client in (anonymous, shopper, csr):
            await client.close()

    run_sync(scenario())


def test_locks_takeover_and_audit_need_their_permissions(base_url, store_db):
    with Session(store_db) as s:
        other_carts = s.exec(select(Cart.id).limit(3)).all()  # other people's (Jane's at least)
    assert other_carts

    async def scenario():
        anonymous = RawClient(base_url, "/cart")
        await anonymous.connect()
        # A cookie the server never issued (or far too long) is no session: the browser stays anonymous.
        forged_cookie = RawClient(base_url, "/cart", cookies={"sid": "forged-" + "x" * 3000})
        hydrated = await forged_cookie.connect()
        assert True not in changed(hydrated, SessionState, "signed_in")
        shopper = await signed_in(base_url, SHOPPER_C, "/cart")
        csr = await signed_in(base_url, CSR2, "/customer-service/audit")
        cart_ids = [*other_carts, 999_999, "1", -1, 2**70, None, [1]]
        before = snapshot(store_db)

        for client, message in (
            (anonymous, NOT_SIGNED_IN),
            (forged_cookie, NOT_SIGNED_IN),
            (shopper, NO_PERMISSION),
        ):
            for handler in ("lock", "unlock", "take_over"):
                assert await refused(client, f"{CART}.{handler}") == message, handler
            assert await refused(client, AUDIT + ".export_csv") == message
            for cart_id in cart_ids:
                assert await refused(client, CS + ".release_lock", {"cart_id": cart_id}) == message
        assert await refused(shopper, CART + ".hand_back") == "Access a customer's account first."

        # csr2 is a CSR, not a supervisor: no audit log, no releasing other people's locks, and no lock
        # before accessing a customer.
        frames = await csr.emit(
            AUDIT + ".apply",
            {"form": {"csr_email": "x" * 100_000, "customer_number": ["W1"], "since": "", "until": ""}},
            until=lambda f: changed(f, AuditState, "error"),
        )
        assert changed(frames, AuditState, "error")[-1] == NO_PERMISSION
        assert all(rows == [] for rows in changed(frames, AuditState, "rows"))
        assert await refused(csr, AUDIT + ".export_csv") == NO_PERMISSION
        for cart_id in cart_ids:
            assert await refused(csr, CS + ".release_lock", {"cart_id": cart_id}) == NO_PERMISSION
        for handler in ("lock", "take_over"):
            message = await refused(csr, f"{CART}.{handler}")
            assert message and message != GENERIC, (handler, message)
        for client in (anonymous, forged_cookie, shopper, csr):
            await still_answers(client)
        assert snapshot(store_db) == before
        for client in (anonymous, forged_cookie, shopper, csr):
            await client.close()

    run_sync(scenario())


def test_checkout_with_garbage_is_refused(base_url, store_db):
    garbage = {
        "card_number": ["4242"],
        "card_expiry": {"m": 12},
        "card_cvc": None,
        "gift_message": "g" * 200_000,
        "order_note": 5,
        "full_name": "n" * 100_000,
        "line1": ["x"],
        "postal_code": 10**30,
    }

    async def scenario():
        anonymous = RawClient(base_url, "/checkout")
        await anonymous.connect()
        shopper = await signed_in(base_url, SHOPPER_D, PRODUCT_PAGE)
        frames = await shopper.emit(CART + ".add", {"sku": SKU, "quantity": 1}, until=toasts)
        assert toasts(frames)[0].kind == "success"
        await shopper.close()
        shopper = RawClient(
            base_url, "/checkout", cookies=shopper.cookies
        )  # checkout's on_load reads the cart
        await shopper.connect()
        before = snapshot(store_db)

        for form in (garbage, {}, [1, 2], "form", None):
            frames = await anonymous.emit(CHECKOUT + ".place_order", {"form": form}, until=toasts)
            assert [t.message for t in toasts(frames)] == [NOT_SIGNED_IN], form
            # Before the fix the list form raised inside the transaction and left Place order spinning.
            assert True not in changed(frames, CheckoutState, "placing")
        # Forged choices land nowhere (a dict or 5,000 digits as the address choice used to break checkout).
        for value in ({"id": 1}, "1" * 5000, ["standard"]):
            await shopper.emit(CHECKOUT + ".set_address_choice", {"value": value})
            await shopper.emit(CHECKOUT + ".set_shipping_method", {"value": value})
            frames = await shopper.emit(CHECKOUT + ".place_order", {"form": garbage}, until=toasts)
            assert [t.message for t in toasts(frames)] == ["Please correct the highlighted fields."]
            errors = changed(frames, CheckoutState, "errors")[-1]
            assert {"shipping_method", "card_number"} <= errors.keys(), errors
        for client in (anonymous, shopper):
            await still_answers(client)
        assert snapshot(store_db) == before
        for client in (anonymous, shopper):
            await client.close()

    run_sync(scenario())


def test_malformed_events_are_answered_or_dropped_and_the_socket_lives_on(base_url, store_db):
    async def scenario():
        before = snapshot(store_db)
        async with RawClient(base_url, "/cart") as client:
            # Reflex calls the handler with the payload as keyword arguments; a missing, extra or non-dict
            # payload makes that call raise TypeError, which the app's exception handler answers generically.
            for payload in ({}, {"value": True, "extra": 1}, [True], "x"):
                frames = await client.emit(CART + ".set_panel_open", payload, until=toasts)
                assert [(t.kind, t.message) for t in toasts(frames)] == [("error", GENERIC)], payload
            frames = await client.emit(CART + ".add", {"sku": SKU}, until=toasts)
            assert [t.message for t in toasts(frames)] == [GENERIC]
            # No registered handler: Reflex logs "No registered handler found for event" and answers nothing.
            # Private helpers (`_reload`, `_after_sign_in`) are no handlers: not reachable from the socket,
            # nor are setters Reflex no longer generates (`set_is_staff`, `LiveCart.set_locked`).
            for name in (
                CART + ".no_such_handler",
                CART + "._reload",
                SESSION + "._after_sign_in",
                SESSION + ".set_is_staff",
                LiveCart.get_full_name() + ".set_locked",
                "no_such_state.handler",
                "nodot",
            ):
                assert answer(await client.emit(name, {"value": True}, first=2)) == [], name
            # Malformed Socket.IO events: Reflex's event namespace drops them without an answer.
            for body in (
                json.dumps(["event", {"name": 5, "payload": {}}]),
                json.dumps(["event", {"payload": {}}]),
                json.dumps(["event", "not an event"]),
                json.dumps(["event"]),
                json.dumps(["no_such_socketio_event", {}]),
                json.dumps(
                    ["event", {"name": CART + ".set_panel_open", "payload": {"value": 1}, "router_data": 5}]
                ),
                "not json",
            ):
                client.discard()
                await client.send_frame(body)
                assert answer(await client.drain(quiet=2)) == [], body
            await still_answers(client)
        assert snapshot(store_db) == before

    run_sync(scenario())


def test_a_form_that_is_not_a_form_gets_the_forms_own_errors(base_url, store_db):
    """Every handler that takes a form reads a list, a string or a number as an empty form: the answer is that
    form's own field errors (not the generic 'something went wrong'), and nothing is written."""
    from app.state.passwords import ForgotPasswordState
    from app.state.registration import RegisterState

    async def scenario():
        before = snapshot(store_db)
        async with RawClient(base_url, "/login") as client:
            for handler in (
                SESSION + ".sign_in",
                RegisterState.get_full_name() + ".register",
                ForgotPasswordState.get_full_name() + ".request",
            ):
                for form in (["email", "x@example.com"], "email=x@example.com", 7, None):
                    frames = await client.emit(handler, {"form": form})
                    said = answer(frames)
                    assert said, (handler, form)  # answered, not dropped
                    assert GENERIC not in [t.message for t in toasts(frames)], (handler, form)
            await still_answers(client)
        assert snapshot(store_db) == before

    run_sync(scenario())
