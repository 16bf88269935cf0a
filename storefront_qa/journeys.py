"""Journeys: the steps many scenarios share, each in a browser of its own (a new context per person).

    from storefront_qa.demo import CSR, smith
    from storefront_qa.journeys import on_behalf_of, shopper, staff

    casey = on_behalf_of(new_context, CSR, smith(5).email)   # a CSR on behalf of smith05, on their My Account
    customer = shopper(new_context, smith(5))                 # the customer, signed in, in another browser

`new_context` is the plugin's fixture (one browser context per call). Each journey waits for what it reached
(`app-ready`), so the page's data is there when it returns.
"""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from storefront_qa.demo import CSR, CSR2, Identity
from storefront_qa.pages import Store

__all__ = [
    "csr_opens_more_tabs",
    "on_behalf_of",
    "order_for_new_customer",
    "shopper",
    "staff",
    "three_browsers",
]


def shopper(new_context, who: Identity) -> Store:
    """A new browser, `who` (a shopper) signed in; it waits for the welcome."""
    s = Store(new_context().new_page())
    s.sign_in(who.email, who.password)
    return s


def staff(new_context, who: Identity = CSR) -> Store:
    """A new browser, `who` (a CSR or supervisor) signed in: it lands on Customer Service."""
    s = Store(new_context().new_page())
    s.sign_in_staff(who.email, who.password)
    return s


def on_behalf_of(new_context, csr: Identity, customer_email: str) -> Store:
    """A new browser, `csr` signed in and shopping on behalf of the customer: lands on their My Account.
    The cart is not locked yet (`store.minicart.lock()`)."""
    s = staff(new_context, csr)
    s.shop_on_behalf(customer_email)
    return s


def three_browsers(new_context, customer: Identity, customer_view: Store | None = None, viewers=()) -> None:
    """The live lock journey: the customer watches their cart while CSR A (Casey Rep) locks it and adds two
    totes, CSR B (Sam Agent) takes the lock over and A sees it at once; B adds a mug and unlocks; the customer
    checks out what customer service left. Every step is asserted in the browsers it shows in.

    `customer_view`: the customer's browser, signed in and on /cart (by default a new one); `viewers`: more
    of the customer's browsers on /cart, which must show each change too. The customer's cart must be empty."""
    if customer_view is None:
        customer_view = shopper(new_context, customer)
        customer_view.cart.open()
    expect(customer_view.cart.empty()).to_be_visible()

    a = on_behalf_of(new_context, CSR, customer.email)
    a.minicart.lock()
    a.minicart.close()
    a.product.open("BAG-TOTE")
    a.product.add(2)
    # The customer's page shows the CSR's addition without a reload, read-only, naming customer service.
    for watcher in (customer_view, *viewers):
        expect(watcher.cart.line("BAG-TOTE")).to_be_visible()
        expect(watcher.cart.readonly_notice()).to_contain_text(CSR.name)
        expect(watcher.cart.checkout_button()).to_be_disabled()

    a.cart.open()
    b = on_behalf_of(new_context, CSR2, customer.email)
    b.minicart.open()
    expect(b.minicart.status()).to_contain_text(f"Locked by {CSR.name} since")
    b.minicart.takeover_button().click()
    b.minicart.takeover_confirm_button().click()
    started = time.perf_counter()
    expect(a.on_behalf.lock_lost()).to_contain_text(f"Your lock was taken over by {CSR2.name}")
    print(f"\ntakeover → notice in the other CSR's browser: {(time.perf_counter() - started) * 1000:.0f} ms")
    expect(a.cart.lock_status()).to_contain_text(f"Locked by {CSR2.name}")
    expect(a.cart.remove_button("BAG-TOTE")).to_be_disabled()
    expect(b.minicart.status()).to_have_text("Locked by you")
    expect(customer_view.cart.readonly_notice()).to_contain_text(CSR2.name)

    # The overridden CSR lost the edit controls (a forged event is refused: tests/state).
    expect(a.cart.quantity("BAG-TOTE")).not_to_be_editable()
    b.minicart.close()
    b.product.open("MUG-STONE")
    b.product.add(1)
    started = time.perf_counter()
    for watcher in (customer_view, *viewers):
        expect(watcher.cart.line("MUG-STONE")).to_be_visible()
    print(f"add-to-cart → line in the shopper's browser: {(time.perf_counter() - started) * 1000:.0f} ms")
    b.minicart.unlock()

    # After unlock the customer can edit and check out exactly what customer service left (docs/PRODUCT.md §Cart lock).
    expect(customer_view.cart.readonly_notice()).to_have_count(0)
    expect(customer_view.cart.quantity("BAG-TOTE")).to_have_value("2")
    customer_view.cart.checkout()
    customer_view.checkout.pay()
    number = customer_view.checkout.order_number()
    customer_view.account.open()
    expect(customer_view.account.order_row(number)).to_be_visible()


def csr_opens_more_tabs(new_context, customer: Identity, csr: Identity = CSR) -> None:
    """A CSR on behalf of `customer` (the tab that accessed the account stays open) opens 18 more tabs of the
    store, one after another, all left open: every one finishes loading and shows the dual-name band; then
    the customer signs in and opens the cart."""
    s = on_behalf_of(new_context, csr, customer.email)
    for i, path in enumerate(["/cart", "/", "/product/JKT-RAIN", "/account", "/cart", "/"] * 3):
        tab = Store(s.page.context.new_page())
        tab.page.goto(path)
        try:
            tab.catalog.ready()
        except PlaywrightError as e:
            raise AssertionError(
                f"new tab {i + 1} of the CSR on behalf ({path}) never finished loading"
            ) from e
        tab.on_behalf.expect_shopping_for("Smith", csr=csr.name)
    customer_view = shopper(new_context, customer)
    customer_view.cart.open()


def order_for_new_customer(staff_store: Store, sku: str, **customer: str) -> str:
    """Staff at the desk: create a customer (`customer`: the create form's fields, e.g. first_name=…, email=…),
    which lands on behalf of them; lock their cart, add one `sku`, check out for them and pay. Returns the order
    number; the store is on the order page, still on behalf."""
    staff_store.create_customer.create(**customer)
    staff_store.minicart.lock()
    staff_store.minicart.close()
    staff_store.product.open(sku)
    staff_store.product.add(1)
    expect(staff_store.minicart.counter()).to_have_text("1")
    staff_store.cart.open()
    staff_store.cart.checkout_for_customer()
    staff_store.checkout.pay()
    return staff_store.checkout.order_number()


def customer_with_history(new_context) -> tuple[Store, str, str]:
    """Sam Agent creates a Smith, orders a bottle for them, ends that session, shops for them again and holds
    the lock on a cart with a planter. Returns (Sam's store, the email, the order number)."""
    email = f"c360.{uuid.uuid4().hex[:8]}@example.com"  # a customer of this journey alone
    sam = Store(new_context().new_page())
    sam.sign_in_staff(CSR2.email, CSR2.password)
    order = order_for_new_customer(
        sam,
        "BOTTLE-STEEL",
        first_name="Robin",
        last_name="Smith",
        email=email,
        phone="(555) 360-0360",
        line1="3 Sixty Lane",
        city="Portland",
        postal_code="97201",
    )
    sam.on_behalf.sign_in_as_yourself()

    sam.shop_on_behalf(email)
    sam.minicart.lock()
    sam.minicart.close()
    sam.product.open("PLANT-POT")
    sam.product.add(2)
    expect(sam.minicart.counter()).to_have_text("2")
    return sam, email, order
