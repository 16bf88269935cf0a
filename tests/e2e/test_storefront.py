"""Shopper journeys on the production build (docs/PRODUCT.md §Shopping)."""

import uuid

from playwright.sync_api import expect

from storefront_qa.demo import JANE, smith
from storefront_qa.journeys import shopper
from storefront_qa.pages import Store

VIP_PRODUCT = "JKT-RAIN"  # Outerwear, $129.00; VIP segment gets 20% off


def test_browse_add_register_checkout_and_see_order(page, mail_outbox):
    s = Store(page)
    s.catalog.open()
    expect(s.catalog.cards()).to_have_count(12)
    s.header.search("rain jacket")
    page.wait_for_url(lambda url: "q=rain+jacket" in url)
    s.catalog.ready()
    s.catalog.open_product(VIP_PRODUCT)
    expect(s.product.price_label()).to_have_text("$129.00")
    s.product.add(2)
    expect(s.minicart.counter()).to_have_text("2")
    s.minicart.open()
    expect(s.minicart.panel()).to_contain_text("Packable Rain Jacket")
    s.minicart.close()

    email = f"new.{uuid.uuid4().hex[:8]}@example.com"
    s.register("Robin", "Newman", email, "robin-pass-1", mail_outbox)  # finished through the mailed link
    s.cart.open()
    expect(s.cart.line(VIP_PRODUCT)).to_be_visible()  # the anonymous cart merged into the account
    expect(s.cart.subtotal()).to_have_text("$258.00")
    s.cart.checkout()
    s.checkout.new_address("Robin Newman", "1 Test Lane", "Springfield", "62701")
    s.checkout.pay()
    number = s.checkout.order_number()
    expect(s.checkout.order_total()).to_have_text("$258.00")  # free standard shipping over $75
    s.account.open()
    expect(s.account.order_row(number)).to_be_visible()
    expect(s.minicart.counter()).to_have_text("0")


def test_vip_sees_vip_price_and_others_do_not(new_context):
    vip = shopper(new_context, JANE)
    vip.product.open(VIP_PRODUCT)
    expect(vip.product.price_label()).to_have_text("$103.20")

    other = shopper(new_context, smith(1))
    other.product.open(VIP_PRODUCT)
    expect(other.product.price_label()).to_have_text("$129.00")

    anonymous = Store(new_context().new_page())
    anonymous.product.open(VIP_PRODUCT)
    expect(anonymous.product.price_label()).to_have_text("$129.00")


def test_wrong_password_shows_error_and_field_errors(page):
    s = Store(page)
    s.login.open()
    s.login.sign_in("jane@example.com", "not-her-password")
    expect(s.login.error()).to_have_text("Email or password is incorrect.")
    s.login.register("", "", "not-an-email", "short")
    expect(s.login.field_error("first_name")).to_be_visible()
    expect(s.login.field_error("email")).to_contain_text("valid email")
    expect(s.login.field_error("password")).to_contain_text("at least 8")
    expect(s.login.sent()).to_have_count(0)


def test_registering_says_the_same_for_a_customers_address_and_a_new_one(new_context, mail_outbox):
    """No account enumeration: the page answers alike; only the owner's mail differs, and the stranger's
    password opens neither account."""
    new = f"new.{uuid.uuid4().hex[:8]}@example.com"
    answers = []
    for email in ("smith03@example.com", new):
        s = Store(new_context().new_page())
        s.login.open()
        s.login.register("Eve", "Stranger", email, "strangers-pass-1")
        expect(s.login.sent()).to_contain_text(email)
        answers.append(s.login.sent().inner_text().replace(email, "<address>"))
        s.login.sign_in(email, "strangers-pass-1")
        expect(s.login.error()).to_have_text("Email or password is incorrect.")
    assert answers[0] == answers[1]
    told = mail_outbox.latest("smith03@example.com")
    assert "already has an account" in told.get_content() and "/forgot-password" in told.get_content()
    assert "/confirm-account?token=" in mail_outbox.latest(new).get_content()

    # The link opened in another browser takes the password chosen when registering, and works once.
    s = Store(new_context().new_page())
    link = mail_outbox.confirm_account_link(new)
    s.confirm_account.open(link)
    s.confirm_account.confirm("not-the-password-1")
    expect(s.confirm_account.field_error()).to_contain_text("not the password chosen")
    s.confirm_account.confirm_and_sign_in("strangers-pass-1")
    expect(s.header.user_menu()).to_contain_text("Eve")
    s.confirm_account.open(link)
    expect(s.confirm_account.error()).to_contain_text("already been used")


def test_quantity_limits_and_stock(page):
    s = Store(page)
    s.product.open(VIP_PRODUCT)
    s.product.add(0)
    expect(s.product.quantity_error()).to_contain_text("1 to 99")
    s.product.add(100)
    expect(s.product.quantity_error()).to_contain_text("1 to 99")
    expect(s.minicart.counter()).to_have_text("0")
    s.product.open("LAMP-ARC")  # only 3 in stock
    s.product.add(4)
    s.product.expect_toast("Only 3")
    expect(s.minicart.counter()).to_have_text("0")
    s.product.add(3)
    expect(s.minicart.counter()).to_have_text("3")
    s.cart.open()
    s.cart.set_quantity("LAMP-ARC", 2)
    expect(s.cart.quantity("LAMP-ARC")).to_have_value("2")
    expect(s.minicart.counter()).to_have_text("2")
    s.cart.remove("LAMP-ARC")
    expect(s.cart.empty()).to_be_visible()


def test_bad_card_is_refused_and_nothing_is_lost(page):
    s = Store(page)
    s.sign_in("smith02@example.com", "shop-pass-123")
    s.product.open("BAG-TOTE")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")
    s.cart.open()
    s.cart.checkout()
    s.checkout.pay(number="4242 4242 4242 4241", expiry="01/20", cvc="1")
    expect(s.checkout.field_error("card_number")).to_contain_text("not valid")
    expect(s.checkout.field_error("card_expiry")).to_contain_text("expired")
    expect(s.checkout.field_error("card_cvc")).to_be_visible()
    expect(s.minicart.counter()).to_have_text("1")


def test_unknown_product_and_route_show_not_found(page):
    s = Store(page)
    s.product.open("NO-SUCH-THING")
    expect(s.product.not_found()).to_contain_text("Product not found")
    page.goto("/no/such/page")
    expect(s.product.not_found()).to_contain_text("Page not found")


def test_catalog_category_sort_and_pagination(page):
    s = Store(page)
    s.catalog.open("?category=outerwear&sort=price_asc")
    prices = [
        float(t.strip("$").replace(",", ""))
        for t in page.locator('[data-testid="product-card"] .rt-Text.rt-r-weight-bold').all_inner_texts()
    ]
    assert prices == sorted(prices) and prices
    s.catalog.open()
    expect(s.catalog.page_info()).to_contain_text("Page 1 of")
    s.catalog.next_page()
    expect(s.catalog.page_info()).to_contain_text("Page 2 of")


def test_a_toast_comes_with_its_change_hides_itself_and_stays_hidden(page):
    """The toast is part of the add-to-cart's own answer and the browser hides it after six seconds
    (app/state/toast.py). Another page of the store and a reload do not bring it back; a second toast
    with the same words shows again."""
    s = Store(page)
    s.product.open(VIP_PRODUCT)
    s.product.add(1)
    expect(s.product.toast()).to_contain_text("Added")
    expect(s.product.toast()).to_be_visible()
    expect(s.product.toast()).to_be_hidden(timeout=15_000)
    s.header.search("lamp")  # moves to the catalog in the page, no page load
    page.wait_for_url(lambda url: "q=lamp" in url)
    s.catalog.ready()
    expect(s.catalog.toast()).to_be_hidden()
    page.reload()
    s.catalog.ready()
    expect(s.catalog.toast()).to_have_count(0)  # the page load forgot it on the server
    s.product.open(VIP_PRODUCT)
    s.product.add(1)
    expect(s.product.toast()).to_be_visible()
    expect(s.product.toast()).to_contain_text("Added")
    expect(s.minicart.counter()).to_have_text("2")
