"""Orders after checkout in the browser (docs/PRODUCT.md §Orders after checkout): the customer cancels and
the stock comes back, customer service cancels on behalf (audited) and orders again under the lock, a
supervisor moves an order to shipped and Cancel is gone.

Every customer here is new (registered, or created by customer service), and the products (BOTTLE-STEEL,
VASE-CERAMIC, PLANT-POT, CLOCK-WALL) are no other test's, so the stock each test reads is its own.
"""

from __future__ import annotations

import uuid

from playwright.sync_api import expect
from sqlalchemy import text

from storefront_qa import journeys
from storefront_qa.demo import CSR, SUPERVISOR
from storefront_qa.pages import Store


def web_stock(store_db, code: str) -> int:
    with store_db.connect() as conn:
        return conn.execute(
            text("SELECT v.stock FROM variant v JOIN product p ON p.id = v.product_id WHERE p.code = :c"),
            {"c": code},
        ).scalar_one()


def new_customer_orders(s: Store, mail_outbox, items: dict[str, int]) -> tuple[str, str]:
    """A new shopper registers and orders `items` ({code: quantity}) shipped home; returns (email, number)."""
    email = f"orders.{uuid.uuid4().hex[:8]}@example.com"
    s.register("Olive", "Order", email, "olive-pass-123", mail_outbox)
    for code, quantity in items.items():
        s.product.open(code)
        s.product.add(quantity)
        expect(s.minicart.counter()).not_to_have_text("0")
    s.cart.open()
    s.cart.checkout()
    s.checkout.new_address("Olive Order", "1 Test Lane", "Springfield", "62701")
    s.checkout.pay()
    return email, s.checkout.order_number()


def test_customer_cancels_an_order_and_the_stock_comes_back(page, mail_outbox, store_db):
    s = Store(page)
    before = web_stock(store_db, "BOTTLE-STEEL")
    email, number = new_customer_orders(s, mail_outbox, {"BOTTLE-STEEL": 2})
    expect(s.order.thanks()).to_be_visible()  # right after checkout
    expect(s.order.status()).to_have_attribute("data-status", "placed")
    assert web_stock(store_db, "BOTTLE-STEEL") == before - 2

    s.account.open()
    expect(s.account.order_row(number)).to_have_attribute("data-status", "placed")
    s.account.order_row(number).get_by_role("link").click()
    page.wait_for_url(f"**/order/{number}")
    s.order.ready()
    expect(s.order.status()).to_have_text("Placed")
    expect(s.order.thanks()).to_have_count(0)  # opened again: no thank-you

    s.order.cancel()
    s.order.expect_toast(f"Order {number} is cancelled")
    expect(s.order.status()).to_have_text("Cancelled")
    assert s.order.history_statuses() == ["placed", "cancelled"]
    expect(s.order.cancel_button()).to_have_count(0)
    assert web_stock(store_db, "BOTTLE-STEEL") == before
    assert "is cancelled" in mail_outbox.latest(email)["Subject"]
    s.account.open()
    expect(s.account.order_row(number)).to_have_attribute("data-status", "cancelled")

    s.order.open("W1000001")  # Jane's: for anyone else it does not exist
    expect(s.order.not_found()).to_be_visible()
    expect(s.order.status()).to_have_count(0)


def test_csr_cancels_on_behalf_audited_and_reorders_under_the_lock(new_context, mail_outbox, store_db):
    customer = Store(new_context().new_page())
    email, number = new_customer_orders(customer, mail_outbox, {"VASE-CERAMIC": 1, "PLANT-POT": 1})
    vases = web_stock(store_db, "VASE-CERAMIC")

    casey = journeys.on_behalf_of(new_context, CSR, email)
    casey.order.open(number)
    expect(casey.order.thanks()).to_have_count(0)
    casey.order.cancel()
    assert casey.order.history_statuses() == ["placed", "cancelled"]
    assert web_stock(store_db, "VASE-CERAMIC") == vases + 1
    assert "by customer service" in mail_outbox.latest(email).get_content()

    casey.order.reorder_button().click()  # on behalf, a cart change needs the lock
    casey.order.expect_toast("Lock the cart before changing it")
    expect(casey.minicart.counter()).to_have_text("0")
    casey.minicart.lock()
    casey.minicart.close()
    casey.order.reorder()
    casey.order.expect_toast("Added 2 items to the cart.")
    expect(casey.minicart.counter()).to_have_text("2")

    customer.account.open()
    expect(customer.account.order_row(number)).to_have_attribute("data-status", "cancelled")
    boss = journeys.staff(new_context, SUPERVISOR)
    boss.audit.open()
    expect(boss.audit.rows("order_cancelled").filter(has_text=number)).to_have_count(1)
    expect(boss.audit.rows("order_cancelled").filter(has_text=number)).to_contain_text(CSR.name)


def test_supervisor_moves_an_order_to_shipped_and_cancel_is_no_longer_offered(store: Store):
    s = store
    s.sign_in_staff(SUPERVISOR.email, SUPERVISOR.password)
    journeys.order_for_new_customer(
        s,
        "CLOCK-WALL",
        first_name="Sid",
        last_name="Shipped",
        email=f"shipped.{uuid.uuid4().hex[:8]}@example.com",
        phone="555-0100",
        line1="2 Dock Road",
        city="Springfield",
        postal_code="62701",
    )
    expect(s.order.cancel_button()).to_be_visible()
    expect(s.order.advance_button("ready_for_pickup")).to_have_count(0)  # nothing to pick up
    # A second tab on the same order follows it: it reads the order again every 5 s, with no reload.
    other = Store(s.page.context.new_page())
    other.page.goto(s.page.url)
    expect(other.order.status()).to_have_text("Placed")
    expect(other.order.cancel_button()).to_be_visible()
    other.page.evaluate("() => { window.__notReloaded = true; }")
    s.order.advance("shipped")
    expect(s.order.status()).to_have_text("Shipped")
    expect(s.order.cancel_button()).to_have_count(0)
    expect(other.order.status()).to_have_text("Shipped", timeout=15_000)
    expect(other.order.cancel_button()).to_have_count(0)
    assert other.page.evaluate("() => window.__notReloaded === true")
    s.order.advance("completed")
    assert s.order.history_statuses() == ["placed", "shipped", "completed"]
    expect(s.order.advance_button("completed")).to_have_count(0)
