"""Find customer by order number, customers with home/work/mobile phones, and handing a cart back with a
mailed link (docs/PRODUCT.md §Find customer, §Checkout on behalf).

Customers: Jane (only read: her seeded order W1000001) and customers this module creates."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from storefront_qa.demo import CSR, JANE
from storefront_qa.journeys import staff
from storefront_qa.pages import Store

JANE_ORDER = "W1000001"  # her seeded order (docs/QA.md §3. Demo identities)


def test_find_by_order_number_exact_and_unknown_is_empty(new_context):
    s = staff(new_context, CSR)
    find = s.find_customer
    # Type-ahead takes the field too: nothing until the number is complete, then the owner.
    find.type("order_number", JANE_ORDER)
    expect(find.row(JANE.email)).to_be_visible()
    expect(find.rows()).to_have_count(1)
    find.find(order_number=JANE_ORDER.lower())
    expect(find.rows()).to_have_count(1)
    expect(find.row(JANE.email)).to_be_visible()
    find.find(order_number="W9999999")
    expect(find.empty()).to_be_visible()
    expect(find.error()).to_have_count(0)
    find.find(order_number=JANE_ORDER, last_name="smith")  # AND with the other criteria
    expect(find.empty()).to_be_visible()


def test_create_with_only_a_home_phone_find_by_it_and_hand_back_with_a_link(new_context, mail_outbox):
    s = staff(new_context, CSR)
    create = s.create_customer
    email = f"homebody.{uuid.uuid4().hex[:6]}@example.com"
    home = f"(503) 4{uuid.uuid4().int % 100:02d}-{uuid.uuid4().int % 10000:04d}"
    fields = {
        "first_name": "Hana",
        "last_name": "Homebody",
        "email": email,
        "line1": "3 Elm St",
        "city": "Salem",
        "postal_code": "97301",
    }
    create.open()
    create.fill(**fields)
    create.submit()
    expect(create.field_error("phone")).to_contain_text("at least one phone")
    create.create(**fields, phone_home=home)
    expect(s.on_behalf.customer_name()).to_have_text("Hana Homebody")
    expect(s.account.phone("phone_home")).to_have_value(home)
    expect(s.account.phone("phone")).to_have_value("")
    welcome = mail_outbox.set_password_link(email)

    # On behalf: add a work phone in My Account.
    s.account.save_phones(phone_work="(617) 555-0199")
    s.header.expect_toast("Profile saved")
    expect(s.account.phone("phone_work")).to_have_value("(617) 555-0199")

    # Back at Customer Service: found by the home phone, and by the work phone.
    s.on_behalf.sign_in_as_yourself()
    s.find_customer.find(phone=home)
    expect(s.find_customer.rows()).to_have_count(1)
    expect(s.find_customer.row(email)).to_be_visible()
    s.find_customer.find(phone="617555019", last_name="homebody")
    expect(s.find_customer.row(email)).to_be_visible()

    # Prepare the cart and hand it back with a link.
    s.find_customer.access(email)
    s.minicart.lock()
    s.minicart.close()
    s.product.open("SCARF-CASH")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")
    s.cart.open()
    before = mail_outbox.count(email)
    s.cart.hand_back_with_link()
    s.header.expect_toast("emailed them a link")
    expect(s.on_behalf.customer_name()).to_have_count(0)
    link = mail_outbox.cart_link(email, after=before)
    assert link == "/login?next=/cart"

    # The customer chooses a password (signed in), then opens the link: straight to their cart.
    customer = Store(new_context().new_page())
    customer.set_password.open(welcome)
    customer.set_password.choose_and_sign_in("hana-chose-this-1")
    customer.open_cart_link(link)
    expect(customer.cart.line("SCARF-CASH")).to_be_visible()
    expect(customer.cart.prepared_notice()).to_contain_text("Casey Rep")

    # Signed out, in a fresh browser: the link asks for sign-in, then lands on the cart.
    later = Store(new_context().new_page())
    later.open_cart_link(link, email, "hana-chose-this-1")
    expect(later.cart.line("SCARF-CASH")).to_be_visible()
    expect(later.cart.checkout_button()).to_be_enabled()
