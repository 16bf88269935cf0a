"""Cart lock and takeover, live in three browsers at once (issue 4; seeds 000-002, 004 step 7)."""

import sqlite3
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from storefront_qa.demo import CSR, CSR2, SUPERVISOR, smith
from storefront_qa.journeys import on_behalf_of, shopper, staff, three_browsers


def test_three_browsers_lock_takeover_and_hand_back(new_context):
    """CSR A locks and fills the customer's cart while the customer watches, CSR B takes the lock over, A
    sees it at once; B adds, unlocks; the customer checks out what customer service left
    (`storefront_qa.journeys.three_browsers`; also run on PostgreSQL + Redis with two workers in
    tests/e2e/test_reliability.py)."""
    three_browsers(new_context, smith(5))


def test_supervisor_releases_a_lock_and_the_csr_sees_it_live(new_context):
    a = on_behalf_of(new_context, CSR, smith(6).email)
    a.minicart.lock()
    a.minicart.close()
    a.cart.open()
    boss = staff(new_context, SUPERVISOR)
    row = boss.customer_service.locked_carts().filter(has_text="Casey Rep").first
    expect(row).to_be_visible()
    boss.customer_service.release_button(row).click()
    boss.customer_service.expect_toast("Lock released")
    expect(a.cart.lock_status()).to_have_text("Unlocked")
    boss.audit.open()
    expect(boss.audit.rows("lock_released").first).to_contain_text("Casey Rep")


def test_view_cart_action_opens_the_customers_cart(new_context):
    s = staff(new_context, CSR2)
    s.customer_service.find(email="smith08@")
    s.find_customer.view_cart("smith08@")
    expect(s.on_behalf.customer_name()).to_contain_text("Smith")
    expect(s.cart.lock_status()).to_have_text("Unlocked")


def test_a_lock_that_runs_out_shows_unlocked_everywhere(new_context, store_server):
    """SPEC §5, unlock by expiry: nobody changes the cart, the lock runs out, and both the customer's and
    the CSR's browsers show it unlocked within seconds, without a reload."""
    customer = smith(10)
    customer_view = shopper(new_context, customer)
    customer_view.cart.open()
    a = on_behalf_of(new_context, CSR, customer.email)
    a.minicart.lock()
    a.minicart.close()
    a.product.open("BAG-TOTE")
    a.product.add(1)
    expect(customer_view.cart.readonly_notice()).to_contain_text("Casey Rep")
    qty = customer_view.cart.quantity("BAG-TOTE")
    expect(qty).not_to_be_editable()

    # The CSR walked away: let the lock run out 2 s from now instead of waiting CART_LOCK_MINUTES.
    ends = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(store_server.db_url.removeprefix("sqlite:///")) as db:
        changed = db.execute(
            "UPDATE cart SET lock_expires_at = ? WHERE status = 'active'"
            " AND account_id = (SELECT id FROM account WHERE email = ?)",
            (ends, customer.email),
        ).rowcount
    assert changed == 1

    expect(customer_view.cart.readonly_notice()).to_have_count(0, timeout=20_000)
    expect(qty).to_be_editable()
    a.minicart.open()
    expect(a.minicart.status()).to_have_text("Unlocked", timeout=20_000)
