"""Checkout extras (issue 6): a CSR adjusts a line's price, applies a coupon, adds a gift message and a note.

Customer: smith12 (no other test uses it).
"""

import re

from playwright.sync_api import expect

from storefront_qa.demo import CSR, smith
from storefront_qa.journeys import on_behalf_of, shopper


def test_csr_adjusts_price_applies_coupon_and_customer_sees_the_order(new_context):
    customer = smith(12)
    s = on_behalf_of(new_context, CSR, customer.email)
    s.minicart.lock()
    s.minicart.close()
    s.product.open("SCARF-CASH")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")
    s.cart.open()

    s.cart.open_adjust("SCARF-CASH")
    s.cart.adjust_amount().fill("5.00")
    s.cart.apply_adjustment()  # no reason: refused, the dialog stays open
    s.header.expect_toast("Give a reason")
    expect(s.cart.adjustment("SCARF-CASH")).to_have_count(0)
    s.cart.adjust_reason().fill("Pulled thread")
    s.cart.apply_adjustment()
    expect(s.cart.adjustment("SCARF-CASH")).to_contain_text("Pulled thread")
    expect(s.cart.adjust_amount()).to_have_count(0)  # the dialog closed

    s.cart.checkout_for_customer()
    s.checkout.ready()
    s.checkout.apply_coupon("summer5")
    # An expired code reads like an unknown one: a stranger learns nothing of past or future coupons.
    expect(s.checkout.coupon_error()).to_contain_text("not valid")
    s.checkout.apply_coupon("nosuchcode")
    expect(s.checkout.coupon_error()).to_contain_text("not valid")
    s.checkout.apply_coupon("welcome10")
    expect(s.checkout.coupon_discount()).to_be_visible()
    expect(s.checkout.coupon_error()).to_have_count(0)
    # The summary shows what the order will cost before it is placed, and changes with the method.
    total = s.checkout.summary_total()
    expect(total).not_to_have_text("")
    standard_total = total.inner_text()
    s.page.get_by_role("radio", name=re.compile(r"^Express")).click()
    expect(s.checkout.summary_shipping()).to_have_text("$14.99")
    expect(total).not_to_have_text(standard_total)
    express_total = total.inner_text()
    s.checkout.gift_message().fill("Stay warm!")
    s.checkout.order_note_box().fill("Customer called in")
    s.checkout.pay()
    number = s.checkout.order_number()
    expect(s.checkout.order_total()).to_have_text(express_total)
    expect(s.checkout.order_coupon_discount()).to_be_visible()
    expect(s.checkout.order_gift_message()).to_contain_text("Stay warm!")
    expect(s.checkout.order_note()).to_contain_text("Customer called in")

    customer_view = shopper(new_context, customer)
    customer_view.account.goto(f"/order/{number}")
    expect(customer_view.checkout.order_gift_message()).to_contain_text("Stay warm!")
    expect(customer_view.checkout.order_coupon_discount()).to_be_visible()
    expect(customer_view.checkout.order_note()).to_have_count(0)  # the note is customer service's
