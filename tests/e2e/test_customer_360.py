"""Customer 360 (SPEC §11): a CSR finds a Smith, opens the 360 page from the results and sees the cart with
its lock, the orders and the on-behalf sessions; adds a note, and the shared deep link shows it after a reload.
A shopper opening the link gets nothing.

Customers: a Smith of this test's own, created by Sam Agent at the Customer Service desk (no seeded customer
changes). Products: BOTTLE-STEEL and PLANT-POT.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from storefront_qa.demo import CSR, CSR2, smith
from storefront_qa.journeys import customer_with_history
from storefront_qa.pages import Store, at

JANES_360 = "/customer-service/customer/C0100004"  # the seed's fourth account
CASEYS_NUMBER = "C0100001"  # the seed's first account: Casey Rep, a CSR


def test_csr_opens_the_360_of_a_smith_adds_a_note_and_the_deep_link_shows_it(new_context):
    _sam, email, order = customer_with_history(new_context)

    casey = Store(new_context().new_page())
    casey.sign_in_staff(CSR.email, CSR.password)
    casey.find_customer.find(last_name="smith", email=email)
    expect(casey.find_customer.rows()).to_have_count(1)
    casey.find_customer.view_360(email)
    c360 = casey.customer_360
    expect(c360.view()).to_contain_text("Robin Smith")
    expect(c360.view()).to_contain_text(email)
    expect(c360.view()).to_contain_text("3 Sixty Lane")

    # The current cart, with Sam's lock; the order; both sessions, newest first, with how they ended.
    expect(c360.cart_lines()).to_have_count(1)
    expect(c360.cart_line("PLANT-POT")).to_contain_text("2")
    expect(c360.lock()).to_contain_text(f"Locked by {CSR2.name}")
    expect(c360.order_rows()).to_have_count(1)
    expect(c360.order_row(order)).to_be_visible()
    expect(c360.session_rows()).to_have_count(2)
    expect(c360.session_rows().nth(0)).to_contain_text(CSR2.name)
    expect(c360.session_rows().nth(0)).to_contain_text("In progress")
    expect(c360.session_rows().nth(1)).to_contain_text("CSR signed in as themself")

    # Notes: an empty one is refused in the form; a real one is shown, with its author, and stays.
    expect(c360.notes()).to_have_count(0)
    c360.note_save_button().click()
    expect(c360.note_error()).to_contain_text("Write the note first")
    c360.add_note("Called about the planter's colour.")
    expect(c360.note_error()).to_have_count(0)
    expect(c360.notes().first).to_contain_text(CSR.name)
    expect(c360.note_input()).to_have_value("")
    link = casey.page.url
    c360.reload()
    expect(c360.notes()).to_have_count(1)
    expect(c360.notes().first).to_contain_text("Called about the planter's colour.")

    # The link, shared with another browser of customer service, opens the same customer after sign-in.
    other = Store(new_context().new_page())
    other.page.goto(link)
    other.page.wait_for_url("**/login?next=**")
    other.login.sign_in(CSR.email, CSR.password)
    other.page.wait_for_url(at(urlsplit(link).path.rstrip("/")))
    other.customer_360.ready()
    expect(other.customer_360.notes().first).to_contain_text("Called about the planter's colour.")

    # Access account from the 360 page: on behalf of Robin, like the results table's action.
    c360.access()
    casey.on_behalf.expect_shopping_for("Robin Smith", csr=CSR.name)


def test_a_shopper_or_a_visitor_opening_the_link_gets_nothing(new_context):
    me = smith(1)
    shopper = Store(new_context().new_page())
    shopper.sign_in(me.email, me.password)
    shopper.page.goto(JANES_360)
    shopper.page.wait_for_url(lambda url: urlsplit(url).path == "/")
    shopper.catalog.ready()
    expect(shopper.customer_360.view()).to_have_count(0)
    expect(shopper.page.get_by_text("jane@example.com")).to_have_count(0)

    visitor = Store(new_context().new_page())
    visitor.page.goto(JANES_360)
    visitor.page.wait_for_url(f"**/login?next={JANES_360}")
    expect(visitor.customer_360.view()).to_have_count(0)


def test_an_unknown_number_is_not_found(new_context):
    casey = Store(new_context().new_page())
    casey.sign_in_staff(CSR.email, CSR.password)
    for number in ("C9999999", "not-a-number", CASEYS_NUMBER):  # a staff account is nobody's customer
        casey.customer_360.open(number)
        expect(casey.customer_360.not_found()).to_be_visible()
        expect(casey.customer_360.view()).to_have_count(0)


def test_the_open_360_page_follows_the_cart_and_its_lock_without_a_reload(new_context):
    """Casey watches Robin's 360 page while Sam, on behalf of Robin, adds to the cart and lets go of the lock:
    the page shows both within a few seconds (it reads Robin again every 3 s), with no reload."""
    sam, email, _order = customer_with_history(new_context)

    casey = Store(new_context().new_page())
    casey.sign_in_staff(CSR.email, CSR.password)
    casey.find_customer.find(last_name="smith", email=email)
    casey.find_customer.view_360(email)
    c360 = casey.customer_360
    expect(c360.cart_lines()).to_have_count(1)
    expect(c360.lock()).to_contain_text(f"Locked by {CSR2.name}")
    casey.page.evaluate("() => { window.__notReloaded = true; }")  # a page load would lose it

    sam.product.open("BOTTLE-STEEL")
    sam.product.add(1)
    expect(c360.cart_lines()).to_have_count(2, timeout=15_000)
    expect(c360.cart_line("BOTTLE-STEEL")).to_contain_text("1")
    sam.minicart.unlock()
    expect(c360.lock()).to_have_text("Unlocked", timeout=15_000)
    assert casey.page.evaluate("() => window.__notReloaded === true")
