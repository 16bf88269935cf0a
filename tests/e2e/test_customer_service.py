"""A CSR finds a customer, shops on their behalf and ends the session (docs/PRODUCT.md §On-behalf session)."""

from playwright.sync_api import expect

from storefront_qa.demo import CSR, CSR2, JANE, SUPERVISOR, smith
from storefront_qa.journeys import on_behalf_of, shopper, staff
from storefront_qa.pages import at


def test_seed_004_steps_1_to_8(new_context):
    s = staff(new_context, CSR)  # step 2: CSRs land on Customer Service
    cs = s.customer_service
    cs.find(last_name="doe", first_name="ja")  # step 3
    expect(cs.rows()).to_have_count(1)
    cs.access("jane@example.com")  # step 4
    s.header.expect_toast("You accessed Jane Doe's account")  # step 5
    expect(s.on_behalf.csr_name()).to_contain_text("Casey Rep")  # step 6
    expect(s.on_behalf.customer_name()).to_have_text("Jane Doe")
    expect(s.header.user_menu()).to_have_count(0)
    expect(s.account.order_rows()).to_have_count(1)  # step 7: the customer's My Account
    # Step 7: the CSR sees the customer's targeted promotions...
    s.product.open("JKT-RAIN")
    expect(s.product.price_label()).to_have_text("$103.20")
    # ...and must lock the cart before adding.
    s.product.add(1)
    s.product.expect_toast("Lock the cart")
    s.minicart.lock()
    s.minicart.close()
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")
    # Step 8: Customer Service tab asks first; cancel keeps the session.
    s.end_session.open()
    expect(s.end_session.dialog()).to_be_visible()
    s.end_session.cancel()
    expect(s.on_behalf.customer_name()).to_be_visible()
    # Sign in as yourself: back to Customer Service, ready for the next customer.
    s.header.sign_in_as_yourself()
    s.page.wait_for_url(at("/customer-service"))
    s.header.expect_toast("signed in as yourself")
    expect(s.on_behalf.customer_name()).to_have_count(0)
    expect(s.customer_service.recent_sessions().first).to_contain_text("Jane Doe")
    # The lock was released when the session ended: Jane can edit her cart again.
    jane = shopper(new_context, JANE)
    jane.cart.open()
    expect(jane.cart.line("JKT-RAIN")).to_be_visible()
    expect(jane.cart.readonly_notice()).to_have_count(0)


def test_twenty_result_limit_empty_state_and_refusals(new_context):
    s = staff(new_context, CSR2)
    cs = s.customer_service
    cs.find(last_name="smith")
    expect(cs.rows()).to_have_count(20)
    expect(s.find_customer.refine_message()).to_be_visible()
    cs.find(last_name="smith", email="smith07")
    expect(cs.rows()).to_have_count(1)
    expect(s.find_customer.refine_message()).to_have_count(0)
    cs.find(last_name="zzz%")
    expect(s.find_customer.empty()).to_be_visible()
    cs.find()
    cs.expect_toast("at least one")
    cs.find(email="john@")
    s.find_customer.open_actions(cs.rows().first)
    s.find_customer.access_account_item().click()
    cs.expect_toast("switched off assistance")
    expect(s.on_behalf.customer_name()).to_have_count(0)


def test_find_customer_searches_as_the_csr_types(new_context):
    s = staff(new_context, CSR2)
    find = s.find_customer
    find.type("last_name", "sm")
    s.page.wait_for_timeout(600)  # two characters: nothing is searched
    expect(find.rows()).to_have_count(0)
    expect(find.empty()).to_have_count(0)
    find.type("last_name", "ith")
    expect(find.rows()).to_have_count(20)  # no click on Find
    expect(find.refine_message()).to_be_visible()
    find.type("email", "smith07")
    expect(find.rows()).to_have_count(1)
    expect(find.row("smith07@example.com")).to_be_visible()


def test_confirm_ends_session_and_audit_shows_it(new_context):
    s = on_behalf_of(new_context, CSR, smith(3).email)
    s.end_session.open()
    s.end_session.confirm()
    expect(s.on_behalf.customer_name()).to_have_count(0)
    s.header.sign_out()
    s.page.wait_for_url("**/")
    expect(s.header.signin_link()).to_be_visible()

    boss = staff(new_context, SUPERVISOR)
    boss.audit.open()
    started = boss.audit.rows("session_started")
    ended = boss.audit.rows("session_ended")
    expect(started.first).to_be_visible()
    expect(ended.filter(has_text="returned to Customer Service").first).to_be_visible()


def test_shopper_cannot_open_customer_service(new_context):
    s = shopper(new_context, smith(4))
    s.customer_service.open()
    expect(s.customer_service.access_denied()).to_be_visible()
    expect(s.header.customer_service_tab()).to_have_count(0)
    s.audit.open()
    expect(s.customer_service.access_denied()).to_be_visible()
