"""Checkout extras in the browser (docs/PRODUCT.md §Checkout on behalf): an alternate pickup contact and a gift
message per line shown on the order; customer service's reductions of the shipping and the order total, capped
for a CSR (ADJUST_LIMIT_PERCENT, 15) and not for a supervisor.

Customers: each test creates its own through Create customer (no other test knows them). Shelves: one
CANDLE-CEDAR leaves Riverside (`RVS`).
"""

import uuid

from playwright.sync_api import expect

from storefront_qa.demo import CSR, SUPERVISOR
from storefront_qa.journeys import staff
from storefront_qa.pages import Store


def new_customer(s: Store, first: str) -> str:
    """Create customer, on behalf of them at once; returns the email."""
    email = f"{first.lower()}.{uuid.uuid4().hex[:8]}@example.com"
    s.create_customer.create(
        first_name=first,
        last_name="Checkout",
        email=email,
        phone="555-0100",
        line1="1 Harbor Way",
        city="Springfield",
        postal_code="12345",
    )
    return email


def fill_cart(s: Store, *codes: str) -> None:
    s.minicart.lock()
    s.minicart.close()
    for n, code in enumerate(codes, 1):
        s.product.open(code)
        s.product.add(1)
        expect(s.minicart.counter()).to_have_text(str(n))
    s.cart.open()
    s.cart.checkout_for_customer()


def test_pickup_with_an_alternate_contact_and_line_gift_messages(new_context, mail_outbox):
    s = staff(new_context, CSR)
    email = new_customer(s, "Paula")
    fill_cart(s, "CANDLE-CEDAR", "BAG-TOTE")
    c = s.checkout
    expect(c.alt_field("first_name")).to_have_count(0)  # nothing picked up: no contact to name
    c.choose_fulfilment("CANDLE-CEDAR", "RVS")

    c.fill_alt_contact("Sam", "Roe", "not-an-email")
    c.save_alt_contact()
    expect(c.field_error("alt_email")).to_be_visible()
    c.alt_field("email").fill("sam.roe@example.com")
    c.set_line_gift_message("CANDLE-CEDAR", "Smells like home")
    c.set_line_gift_message("BAG-TOTE", "For the market")
    c.pay()  # the contact is filled in but not saved: refused on the form
    expect(c.field_error("alt_contact")).to_contain_text("Save the pickup contact")
    c.save_alt_contact()
    c.expect_toast("Pickup contact saved")
    expect(c.field_error("alt_email")).to_have_count(0)

    c.place_order()
    number = c.order_number()
    expect(c.order_alt_contact()).to_contain_text("Sam Roe, sam.roe@example.com")
    expect(c.order_line_gift_message("CANDLE-CEDAR")).to_have_text("Gift message: Smells like home")
    expect(c.order_line_gift_message("BAG-TOTE")).to_have_text("Gift message: For the market")
    expect(c.order_line_fulfilment("CANDLE-CEDAR")).to_contain_text("Riverside")

    mail = mail_outbox.latest(email)  # the order's one confirmation, naming customer service
    body = mail.get_content()
    assert number in mail["Subject"] and "customer service" in mail["Subject"]
    assert "Sam Roe, sam.roe@example.com" in body and "Pick up at Riverside" in body


def test_a_csr_is_capped_on_shipping_and_order_a_supervisor_is_not(new_context):
    s = staff(new_context, CSR)
    email = new_customer(s, "Carla")
    fill_cart(s, "BAG-TOTE")  # $24.00 (the tote's $5 off), standard shipping $5.99
    c = s.checkout
    expect(c.summary_shipping()).to_have_text("$5.99")
    c.adjust_shipping("1.00", "Late parcel", expect_applied=False)
    expect(c.adjust_error()).to_contain_text("Beyond 15% only a supervisor may reduce the shipping")
    c.adjust_shipping("abc", "Late parcel", expect_applied=False)
    expect(c.adjust_error()).to_contain_text("positive amount")
    c.adjust_shipping("0.89", "Late parcel")
    expect(c.summary_shipping_adjustment()).to_have_text("−$0.89")
    c.adjust_order("5.00", "Goodwill", expect_applied=False)  # 15% of $29.10 is $4.36
    expect(c.adjust_error()).to_contain_text("only a supervisor may reduce the order total")
    c.close_adjust()
    expect(c.summary_order_adjustment()).to_have_count(0)
    expect(c.summary_total()).to_have_text("$29.10")
    s.on_behalf.sign_in_as_yourself()  # hands the lock back

    boss = staff(new_context, SUPERVISOR)
    boss.shop_on_behalf(email)
    boss.minicart.lock()
    boss.minicart.close()
    boss.cart.open()
    boss.cart.checkout_for_customer()
    b = boss.checkout
    expect(b.summary_shipping_adjustment()).to_have_text("−$0.89")  # the CSR's, saved on the cart
    b.adjust_shipping("5.99", "Our mistake")
    expect(b.summary_shipping_adjustment()).to_have_text("−$5.99")
    b.adjust_order("24.01", "Too much", expect_applied=False)
    expect(b.adjust_error()).to_contain_text("cannot be more than the order total, $24.00")
    b.adjust_order("20.00", "Loyal customer")
    expect(b.summary_order_adjustment()).to_have_text("−$20.00")
    expect(b.summary_total()).to_have_text("$4.00")
    b.pay()
    b.order_number()
    expect(b.order_shipping_adjustment()).to_have_text("−$5.99")
    expect(b.order_order_adjustment()).to_have_text("−$20.00")
    expect(b.order_total()).to_have_text("$4.00")
