"""Cart codes: an anonymous shopper reads the code on their cart page over the phone; a CSR on behalf of a
customer, holding the lock, enters it; the anonymous cart's lines move into the customer's cart, the shopper's
browser says so live, and the audit has it.

Customer: smith01 (elsewhere only signed in to read a price); CSR csr2@ (Sam Agent), supervisor for the audit.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from storefront_qa.demo import CSR2, SUPERVISOR, smith
from storefront_qa.pages import Store


def test_a_csr_moves_an_anonymous_cart_into_a_customers_cart_with_its_code(new_context):
    customer = smith(1)
    anon = Store(new_context().new_page())
    anon.cart.open()
    expect(anon.cart.empty()).to_be_visible()
    expect(anon.cart.code_label()).to_have_count(0)  # no lines, no code
    anon.product.open("BAG-TOTE")
    anon.product.add(1)
    expect(anon.minicart.counter()).to_have_text("1")
    anon.product.open("TEE-VNECK")
    anon.product.add(2)
    expect(anon.minicart.counter()).to_have_text("3")
    anon.cart.open()
    expect(anon.cart.lines()).to_have_count(2)
    code = anon.cart.code()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code), code

    csr = Store(new_context().new_page())
    csr.sign_in_staff(CSR2.email, CSR2.password)
    csr.shop_on_behalf(customer.email)
    csr.cart.open()
    expect(csr.cart.bind_button()).to_be_disabled()  # not without the lock
    csr.catalog.open()  # the cart page has lock controls of its own: lock from the mini-cart elsewhere
    csr.minicart.lock()
    csr.minicart.close()
    csr.cart.open()
    csr.cart.bind_code("ZZZZ-ZZZZ")
    expect(csr.cart.bind_error()).to_contain_text("not valid")
    expect(anon.cart.lines()).to_have_count(2)  # nothing moved

    csr.cart.bind_code(" " + code.lower().replace("-", " ") + " ")  # as typed from the phone
    csr.cart.expect_toast("Moved the shopper's cart (2 lines)")
    expect(csr.cart.bind_error()).to_have_count(0)
    expect(csr.cart.line("BAG-TOTE")).to_be_visible()
    expect(csr.cart.line("TEE-VNECK")).to_be_visible()

    # The shopper's browser, without a reload: told, and its cart is empty.
    expect(anon.cart.moved_notice()).to_be_visible()
    expect(anon.cart.lines()).to_have_count(0)
    expect(anon.cart.code_label()).to_have_count(0)
    expect(anon.minicart.counter()).to_have_text("0")
    anon.minicart.open()
    expect(anon.minicart.moved_notice()).to_be_visible()
    anon.minicart.close()

    # The same code again is used up.
    csr.cart.bind_code(code)
    expect(csr.cart.bind_error()).to_contain_text("not valid")

    # The customer's own browser has the lines.
    shopper = Store(new_context().new_page())
    shopper.sign_in(customer.email, customer.password)
    shopper.cart.open()
    expect(shopper.cart.line("BAG-TOTE")).to_be_visible()
    expect(shopper.cart.line("TEE-VNECK").get_by_test_id("cart-line-qty")).to_have_value("2")
    csr.catalog.open()
    csr.minicart.unlock()

    boss = Store(new_context().new_page())
    boss.sign_in_staff(SUPERVISOR.email, SUPERVISOR.password)
    boss.audit.open()
    boss.audit.filter(csr_email=CSR2.email)
    expect(boss.audit.rows("cart_bound")).to_have_count(1)
    expect(boss.audit.rows("cart_bound")).to_contain_text("2 lines merged from a cart code")
