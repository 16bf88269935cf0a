"""Finishing on behalf (issue 6): create a customer, hand a cart back, check out for the customer; the new
customer sets a password from the emailed link and sees the order."""

import uuid

from playwright.sync_api import expect

from storefront_qa.demo import CSR, CSR2, smith
from storefront_qa.journeys import on_behalf_of, shopper, staff
from storefront_qa.pages import Store


def test_create_customer_refuses_bad_input_then_shops_for_them(new_context, mail_outbox):
    s = staff(new_context, CSR)
    create = s.create_customer
    create.open()
    create.fill(email="jane@example.com")  # taken
    create.submit()
    expect(create.error()).to_be_visible()
    for field in ("first_name", "last_name", "phone", "line1", "city", "postal_code"):
        expect(create.field_error(field)).to_be_visible()
    expect(create.field_error("email")).to_contain_text("already exists")

    email = f"caller.{uuid.uuid4().hex[:6]}@example.com"
    create.create(
        first_name="Nia",
        last_name="Newcomer",
        email=email,
        phone="(555) 777-1234",
        line1="9 Harbor Way",
        city="Portland",
        postal_code="97201",
    )  # lands on the new customer's My Account, on behalf of them
    s.header.expect_toast(f"emailed {email} a link to choose a password")
    expect(s.on_behalf.customer_name()).to_have_text("Nia Newcomer")
    welcome = mail_outbox.set_password_link(email)

    # Check out for the new customer: lock, add, the explicit button, pay with their card.
    s.minicart.lock()
    s.minicart.close()
    s.product.open("HAT-BEANIE")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")
    s.cart.open()
    expect(s.cart.checkout_button()).to_have_count(0)  # a CSR chooses how to finish, explicitly
    s.cart.checkout_for_customer()
    expect(s.checkout.on_behalf_notice()).to_contain_text("Nia Newcomer")
    s.checkout.pay()
    number = s.checkout.order_number()
    s.account.open()
    expect(s.account.order_assisted(number)).to_be_visible()

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
    customer = smith(9)
    s = on_behalf_of(new_context, CSR2, customer.email)
    s.minicart.lock()
    s.minicart.close()
    s.product.open("SCARF-CASH")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")
    s.cart.open()
    s.cart.hand_back()
    s.header.expect_toast("Cart handed back")
    expect(s.on_behalf.customer_name()).to_have_count(0)

    customer_view = shopper(new_context, customer)
    customer_view.cart.open()
    expect(customer_view.cart.prepared_notice()).to_contain_text("Sam Agent")
    expect(customer_view.cart.line("SCARF-CASH")).to_be_visible()
    customer_view.cart.checkout()
    customer_view.checkout.pay()
    number = customer_view.checkout.order_number()
    customer_view.account.open()
    expect(customer_view.account.order_row(number)).to_be_visible()
    expect(customer_view.account.order_assisted(number)).to_have_count(0)
