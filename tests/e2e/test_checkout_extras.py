"""Checkout extras (docs/PRODUCT.md §Checkout on behalf): a CSR adjusts a line's price, applies a coupon, adds
a gift message and a note.

Customer: smith12 (no other test uses it).
"""

import re

from playwright.sync_api import expect

from tests.e2e.pages import Store
from tests.e2e.test_cart_lock import on_behalf_of


def test_csr_adjusts_price_applies_coupon_and_customer_sees_the_order(new_context):
    s = on_behalf_of(new_context, "csr@example.com", "smith12@example.com")
    s.minicart.lock()
    s.minicart.close()
    s.product.open("SCARF-CASH")
    s.product.add(1)
    expect(s.minicart.tid("minicart-count")).to_have_text("1")
    s.cart.open()

    line = s.cart.line("SCARF-CASH")
    line.get_by_test_id("cart-line-adjust").click()
    s.page.get_by_test_id("adjust-amount").fill("5.00")
    s.page.get_by_test_id("adjust-submit").click()  # no reason: refused, the dialog stays open
    s.header.expect_toast("Give a reason")
    expect(line.get_by_test_id("cart-line-adjustment")).to_have_count(0)
    s.page.get_by_test_id("adjust-reason").fill("Pulled thread")
    s.page.get_by_test_id("adjust-submit").click()
    expect(line.get_by_test_id("cart-line-adjustment")).to_contain_text("Pulled thread")
    expect(s.page.get_by_test_id("adjust-amount")).to_have_count(0)  # the dialog closed

    s.cart.checkout_for_customer()
    s.checkout.ready()
    coupon = s.page.get_by_test_id("checkout-coupon")
    coupon.fill("summer5")
    s.page.get_by_test_id("checkout-coupon-apply").click()
    # An expired code reads like an unknown one: a stranger learns nothing of past or future coupons.
    expect(s.page.get_by_test_id("checkout-coupon-error")).to_contain_text("not valid")
    coupon.fill("nosuchcode")
    s.page.get_by_test_id("checkout-coupon-apply").click()
    expect(s.page.get_by_test_id("checkout-coupon-error")).to_contain_text("not valid")
    coupon.fill("welcome10")
    s.page.get_by_test_id("checkout-coupon-apply").click()
    expect(s.page.get_by_test_id("checkout-coupon-discount")).to_be_visible()
    expect(s.page.get_by_test_id("checkout-coupon-error")).to_have_count(0)
    # The summary shows what the order will cost before it is placed, and changes with the method.
    total = s.page.get_by_test_id("checkout-summary-total")
    expect(total).not_to_have_text("")
    standard_total = total.inner_text()
    s.page.get_by_role("radio", name=re.compile(r"^Express")).click()
    expect(s.page.get_by_test_id("checkout-summary-shipping")).to_have_text("$14.99")
    expect(total).not_to_have_text(standard_total)
    express_total = total.inner_text()
    s.page.get_by_test_id("checkout-gift-message").fill("Stay warm!")
    s.page.get_by_test_id("checkout-order-note").fill("Customer called in")
    s.checkout.pay()
    number = s.checkout.order_number()
    expect(s.page.get_by_test_id("order-total")).to_have_text(express_total)
    expect(s.page.get_by_test_id("order-coupon-discount")).to_be_visible()
    expect(s.page.get_by_test_id("order-gift-message")).to_contain_text("Stay warm!")
    expect(s.page.get_by_test_id("order-note")).to_contain_text("Customer called in")

    shopper = Store(new_context().new_page())
    shopper.sign_in("smith12@example.com", "shop-pass-123")
    shopper.account.goto(f"/order/{number}")
    expect(shopper.page.get_by_test_id("order-gift-message")).to_contain_text("Stay warm!")
    expect(shopper.page.get_by_test_id("order-coupon-discount")).to_be_visible()
    expect(shopper.page.get_by_test_id("order-note")).to_have_count(0)  # the note is customer service's
