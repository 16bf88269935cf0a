"""A CSR finds a customer, shops on their behalf and ends the session (docs/PRODUCT.md §On-behalf session)."""

from playwright.sync_api import expect

from storefront_qa.pages import Store, at


def csr(new_context, email="csr@example.com", password="csr-pass-123") -> Store:
    s = Store(new_context().new_page())
    s.sign_in_staff(email, password)  # step 2: CSRs land on Customer Service
    return s


def test_seed_004_steps_1_to_8(new_context):
    s = csr(new_context)
    cs = s.customer_service
    cs.find(last_name="doe", first_name="ja")  # step 3
    expect(cs.rows()).to_have_count(1)
    cs.access("jane@example.com")  # step 4
    s.header.expect_toast("You accessed Jane Doe's account")  # step 5
    expect(s.header.tid("header-csr-name")).to_contain_text("Casey Rep")  # step 6
    expect(s.header.tid("header-customer-name")).to_have_text("Jane Doe")
    expect(s.page.get_by_test_id("header-user-menu")).to_have_count(0)
    expect(s.account.order_rows()).to_have_count(1)  # step 7: the customer's My Account
    # Step 7: the CSR sees the customer's targeted promotions...
    s.product.open("JKT-RAIN")
    expect(s.product.tid("pdp-price")).to_have_text("$103.20")
    # ...and must lock the cart before adding.
    s.product.add(1)
    s.product.expect_toast("Lock the cart")
    s.minicart.lock()
    s.minicart.close()
    s.product.add(1)
    expect(s.minicart.tid("minicart-count")).to_have_text("1")
    # Step 8: Customer Service tab asks first; cancel keeps the session.
    s.header.tid("nav-customer-service").click()
    expect(s.header.tid("end-session-dialog")).to_be_visible()
    s.header.tid("end-session-cancel").click()
    expect(s.header.tid("header-customer-name")).to_be_visible()
    # Sign in as yourself: back to Customer Service, ready for the next customer.
    s.header.sign_in_as_yourself()
    s.page.wait_for_url(at("/customer-service"))
    s.header.expect_toast("signed in as yourself")
    expect(s.header.tid("header-customer-name")).to_have_count(0)
    expect(s.page.get_by_test_id("recent-session-row").first).to_contain_text("Jane Doe")
    # The lock was released when the session ended: Jane can edit her cart again.
    jane = Store(new_context().new_page())
    jane.sign_in("jane@example.com", "shop-pass-123")
    jane.cart.open()
    expect(jane.cart.line("JKT-RAIN")).to_be_visible()
    expect(jane.cart.tid("cart-readonly-notice")).to_have_count(0)


def test_twenty_result_limit_empty_state_and_refusals(new_context):
    s = csr(new_context, "csr2@example.com")
    cs = s.customer_service
    cs.find(last_name="smith")
    expect(cs.rows()).to_have_count(20)
    expect(cs.tid("results-refine-message")).to_be_visible()
    cs.find(last_name="smith", email="smith07")
    expect(cs.rows()).to_have_count(1)
    expect(cs.tid("results-refine-message")).to_have_count(0)
    cs.find(last_name="zzz%")
    expect(cs.tid("results-empty")).to_be_visible()
    cs.find()
    cs.expect_toast("at least one")
    cs.find(email="john@")
    cs.rows().first.get_by_test_id("customer-actions").click()
    cs.tid("action-access-account").click()
    cs.expect_toast("switched off assistance")
    expect(s.header.tid("header-customer-name")).to_have_count(0)


def test_confirm_ends_session_and_audit_shows_it(new_context):
    s = csr(new_context)
    s.customer_service.find(email="smith03@")
    s.customer_service.access("smith03@example.com")
    s.header.tid("nav-customer-service").click()
    s.header.tid("end-session-confirm").click()
    s.page.wait_for_url(at("/customer-service"))
    expect(s.header.tid("header-customer-name")).to_have_count(0)
    s.header.sign_out()
    s.page.wait_for_url("**/")
    expect(s.header.tid("header-signin")).to_be_visible()

    boss = Store(new_context().new_page())
    boss.sign_in("supervisor@example.com", "super-pass-123")
    boss.audit.open()
    started = boss.page.locator('[data-testid="audit-row"][data-action="session_started"]')
    ended = boss.page.locator('[data-testid="audit-row"][data-action="session_ended"]')
    expect(started.first).to_be_visible()
    expect(ended.filter(has_text="returned to Customer Service").first).to_be_visible()


def test_shopper_cannot_open_customer_service(new_context):
    s = Store(new_context().new_page())
    s.sign_in("smith04@example.com", "shop-pass-123")
    s.customer_service.open()
    expect(s.page.get_by_test_id("access-denied")).to_be_visible()
    expect(s.page.get_by_test_id("nav-customer-service")).to_have_count(0)
    s.audit.open()
    expect(s.page.get_by_test_id("access-denied")).to_be_visible()
