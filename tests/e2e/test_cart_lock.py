"""Cart lock and takeover, live in three browsers at once (docs/PRODUCT.md §Cart lock)."""

import sqlite3
import time
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from storefront_qa.pages import Store, at
from tests.e2e.test_customer_service import csr


def on_behalf_of(new_context, csr_email: str, customer_email: str) -> Store:
    s = csr(new_context, csr_email)
    s.shop_on_behalf(customer_email)
    return s


def test_three_browsers_lock_takeover_and_hand_back(new_context):
    three_browsers(new_context, "smith05@example.com")


def three_browsers(new_context, customer: str, shopper: Store | None = None, viewers=()) -> None:
    """CSR A locks and fills the customer's cart while the customer watches, CSR B takes the lock over, A
    sees it at once; B adds, unlocks; the customer checks out what customer service left. Also run on
    PostgreSQL + Redis with two workers (tests/e2e/test_reliability.py), where more of the customer's
    browsers (`viewers`, on the cart page) must see each change too."""
    if shopper is None:
        shopper = Store(new_context().new_page())
        shopper.sign_in(customer, "shop-pass-123")
        shopper.cart.open()
    expect(shopper.cart.tid("cart-empty")).to_be_visible()

    a = on_behalf_of(new_context, "csr@example.com", customer)
    a.minicart.lock()
    a.minicart.close()
    a.product.open("BAG-TOTE")
    a.product.add(2)
    # The shopper's page shows the CSR's addition without a reload, read-only, naming customer service.
    for watcher in (shopper, *viewers):
        expect(watcher.cart.line("BAG-TOTE")).to_be_visible()
        expect(watcher.cart.tid("cart-readonly-notice")).to_contain_text("Casey Rep")
        expect(watcher.cart.tid("checkout-button")).to_be_disabled()

    a.cart.open()
    b = on_behalf_of(new_context, "csr2@example.com", customer)
    b.minicart.open()
    expect(b.minicart.tid("lock-status")).to_contain_text("Locked by Casey Rep since")
    b.minicart.tid("minicart-takeover").click()
    b.minicart.tid("lock-takeover-confirm").click()
    started = time.perf_counter()
    expect(a.cart.tid("lock-lost-notice")).to_contain_text("Your lock was taken over by Sam Agent")
    print(f"\ntakeover → notice in the other CSR's browser: {(time.perf_counter() - started) * 1000:.0f} ms")
    expect(a.cart.tid("lock-status")).to_contain_text("Locked by Sam Agent")
    expect(a.cart.line("BAG-TOTE").get_by_test_id("cart-line-remove")).to_be_disabled()
    expect(b.minicart.tid("lock-status")).to_have_text("Locked by you")
    expect(shopper.cart.tid("cart-readonly-notice")).to_contain_text("Sam Agent")

    # The overridden CSR lost the edit controls (a forged event is refused: tests/state).
    expect(a.cart.line("BAG-TOTE").get_by_test_id("cart-line-qty")).not_to_be_editable()
    b.minicart.close()
    b.product.open("MUG-STONE")
    b.product.add(1)
    started = time.perf_counter()
    for watcher in (shopper, *viewers):
        expect(watcher.cart.line("MUG-STONE")).to_be_visible()
    print(f"add-to-cart → line in the shopper's browser: {(time.perf_counter() - started) * 1000:.0f} ms")
    b.minicart.unlock()

    # After unlock the shopper can edit and check out exactly what customer service left
    # (docs/PRODUCT.md §Cart lock).
    expect(shopper.cart.tid("cart-readonly-notice")).to_have_count(0)
    expect(shopper.cart.line("BAG-TOTE").get_by_test_id("cart-line-qty")).to_have_value("2")
    shopper.cart.checkout()
    shopper.checkout.pay()
    number = shopper.checkout.order_number()
    shopper.account.open()
    expect(shopper.account.order_row(number)).to_be_visible()


def test_supervisor_releases_a_lock_and_the_csr_sees_it_live(new_context):
    a = on_behalf_of(new_context, "csr@example.com", "smith06@example.com")
    a.minicart.lock()
    a.minicart.close()
    a.cart.open()
    boss = Store(new_context().new_page())
    boss.sign_in("supervisor@example.com", "super-pass-123")
    boss.page.wait_for_url(at("/customer-service"))
    boss.customer_service.ready()
    row = boss.page.get_by_test_id("locked-cart-row").filter(has_text="Casey Rep").first
    expect(row).to_be_visible()
    row.get_by_test_id("release-lock").click()
    boss.customer_service.expect_toast("Lock released")
    expect(a.cart.tid("lock-status")).to_have_text("Unlocked")
    boss.audit.open()
    expect(boss.page.locator('[data-testid="audit-row"][data-action="lock_released"]').first).to_contain_text(
        "Casey Rep"
    )


def test_view_cart_action_opens_the_customers_cart(new_context):
    s = csr(new_context, "csr2@example.com")
    s.customer_service.find(email="smith08@")
    s.customer_service.rows().first.get_by_test_id("customer-actions").click()
    s.page.get_by_test_id("action-view-cart").click()
    s.page.wait_for_url(at("/cart"))
    expect(s.header.tid("header-customer-name")).to_contain_text("Smith")
    expect(s.page.get_by_test_id("lock-status")).to_have_text("Unlocked")


def test_a_lock_that_runs_out_shows_unlocked_everywhere(new_context, store_server):
    """docs/PRODUCT.md §Cart lock, unlock by expiry: nobody changes the cart, the lock runs out, and both the
    customer's and the CSR's browsers show it unlocked within seconds, without a reload."""
    customer = "smith10@example.com"
    shopper = Store(new_context().new_page())
    shopper.sign_in(customer, "shop-pass-123")
    shopper.cart.open()
    a = on_behalf_of(new_context, "csr@example.com", customer)
    a.minicart.lock()
    a.minicart.close()
    a.product.open("BAG-TOTE")
    a.product.add(1)
    expect(shopper.cart.tid("cart-readonly-notice")).to_contain_text("Casey Rep")
    qty = shopper.cart.line("BAG-TOTE").get_by_test_id("cart-line-qty")
    expect(qty).not_to_be_editable()

    # The CSR walked away: let the lock run out 2 s from now instead of waiting CART_LOCK_MINUTES.
    ends = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(store_server.db_url.removeprefix("sqlite:///")) as db:
        changed = db.execute(
            "UPDATE cart SET lock_expires_at = ? WHERE status = 'active'"
            " AND account_id = (SELECT id FROM account WHERE email = ?)",
            (ends, customer),
        ).rowcount
    assert changed == 1

    expect(shopper.cart.tid("cart-readonly-notice")).to_have_count(0, timeout=20_000)
    expect(qty).to_be_editable()
    a.minicart.open()
    expect(a.minicart.tid("lock-status")).to_have_text("Unlocked", timeout=20_000)
