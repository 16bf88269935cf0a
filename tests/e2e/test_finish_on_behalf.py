"""Finishing on behalf (docs/PRODUCT.md §Checkout on behalf): create a customer, hand a cart back, check out
for the customer; the new customer sets a password from the emailed link and sees the order."""

import uuid

from playwright.sync_api import expect

from storefront_qa.pages import at
from tests.e2e.pages import Store
from tests.e2e.test_cart_lock import on_behalf_of
from tests.e2e.test_customer_service import csr


def test_create_customer_refuses_bad_input_then_shops_for_them(new_context, mail_outbox):
    s = csr(new_context)
    cs = s.customer_service
    cs.tid("create-customer-open").click()
    cs.tid("create-email").fill("jane@example.com")  # taken
    cs.tid("create-submit").click()
    expect(cs.tid("create-error")).to_be_visible()
    for field in ("first_name", "last_name", "phone", "line1", "city", "postal_code"):
        expect(s.page.get_by_test_id(f"error-{field}")).to_be_visible()
    expect(s.page.get_by_test_id("error-email")).to_contain_text("already exists")

    email = f"caller.{uuid.uuid4().hex[:6]}@example.com"
    cs.tid("create-first-name").fill("Nia")
    cs.tid("create-last-name").fill("Newcomer")
    cs.tid("create-email").fill(email)
    cs.tid("create-phone").fill("(555) 777-1234")
    cs.tid("create-address-line1").fill("9 Harbor Way")
    cs.tid("create-city").fill("Portland")
    cs.tid("create-postal-code").fill("97201")
    cs.tid("create-submit").click()
    s.page.wait_for_url(at("/account"))
    s.header.expect_toast(f"emailed {email} a link to choose a password")
    expect(s.header.tid("header-customer-name")).to_have_text("Nia Newcomer")
    welcome = mail_outbox.set_password_link(email)

    # Check out for the new customer: lock, add, the explicit button, pay with their card.
    s.minicart.lock()
    s.minicart.close()
    s.product.open("HAT-BEANIE")
    s.product.add(1)
    expect(s.minicart.tid("minicart-count")).to_have_text("1")
    s.cart.open()
    expect(s.cart.tid("checkout-button")).to_have_count(0)  # a CSR chooses how to finish, explicitly
    s.cart.tid("checkout-for-customer").click()
    s.page.wait_for_url(at("/checkout"))
    s.checkout.ready()
    expect(s.page.get_by_test_id("checkout-on-behalf-notice")).to_contain_text("Nia Newcomer")
    s.checkout.pay()
    number = s.checkout.order_number()
    s.account.open()
    expect(s.account.order_row(number).get_by_test_id("order-assisted")).to_be_visible()

    # The customer never got the welcome mail, they say: the CSR sends a fresh link, which replaces it.
    s.account.send_password_link()
    fresh = mail_outbox.set_password_link(email, after=1)
    assert fresh != welcome
    expect(s.page.get_by_text("token=")).to_have_count(0)  # the CSR never sees the link

    customer = Store(new_context().new_page())
    customer.set_password.open(welcome)
    expect(customer.set_password.error()).to_contain_text("newer link")
    customer.set_password.open(fresh)
    customer.set_password.choose_and_sign_in("nia-chose-this-1")
    expect(customer.account.order_row(number)).to_be_visible()
    customer.header.sign_out()
    customer.sign_in(email, "nia-chose-this-1")
    customer.account.open()
    expect(customer.account.order_row(number)).to_be_visible()


def test_hand_back_cart_and_customer_checks_it_out(new_context):
    s = on_behalf_of(new_context, "csr2@example.com", "smith09@example.com")
    s.minicart.lock()
    s.minicart.close()
    s.product.open("SCARF-CASH")
    s.product.add(1)
    expect(s.minicart.tid("minicart-count")).to_have_text("1")
    s.cart.open()
    s.cart.tid("hand-back-cart").click()
    s.page.wait_for_url(at("/customer-service"))
    s.header.expect_toast("Cart handed back")
    expect(s.header.tid("header-customer-name")).to_have_count(0)

    shopper = Store(new_context().new_page())
    shopper.sign_in("smith09@example.com", "shop-pass-123")
    shopper.cart.open()
    expect(shopper.cart.tid("cart-prepared-notice")).to_contain_text("Sam Agent")
    expect(shopper.cart.line("SCARF-CASH")).to_be_visible()
    shopper.cart.checkout()
    shopper.checkout.pay()
    number = shopper.checkout.order_number()
    shopper.account.open()
    expect(shopper.account.order_row(number)).to_be_visible()
    expect(shopper.account.order_row(number).get_by_test_id("order-assisted")).to_have_count(0)
