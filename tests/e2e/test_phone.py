"""A 375 px wide phone: no page scrolls sideways, for a shopper and for a CSR shopping on behalf (issue 7's
phone check, automated). Customers: a shopper registered by this test, so no demo customer is touched."""

import uuid

from playwright.sync_api import Page, expect

from storefront_qa.demo import CSR
from storefront_qa.pages import Store

PHONE = {"width": 375, "height": 812}


def overflow(page: Page) -> int:
    """How far the page reaches past the viewport's right edge, in CSS pixels (0: it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_no_page_scrolls_sideways_on_a_phone(new_context, mail_outbox):
    too_wide: dict[str, int] = {}

    def check(s: Store, label: str) -> None:
        if (px := overflow(s.page)) > 0:
            too_wide[label] = px

    email = f"phone-{uuid.uuid4().hex[:8]}@example.com"
    s = Store(new_context(viewport=PHONE).new_page())
    for path in ["/", "/?category=outerwear", "/product/JKT-RAIN", "/cart", "/login", "/forgot-password"]:
        s.catalog.goto(path)
        check(s, f"anonymous {path}")
    s.login.open()
    s.login.register("Pat", "Phone", email, "phone-pass-123")
    expect(s.login.sent()).to_be_visible()
    check(s, "anonymous /login, registered")
    s.confirm_account.open(mail_outbox.confirm_account_link(email))
    check(s, "anonymous /confirm-account")
    s.confirm_account.confirm_and_sign_in("phone-pass-123")
    s.header.expect_toast("Welcome")
    s.product.open("JKT-RAIN")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")
    s.minicart.open()
    check(s, "shopper mini-cart")
    s.minicart.close()
    for path in ["/cart", "/checkout", "/account"]:
        s.catalog.goto(path)
        check(s, f"shopper {path}")

    staff = Store(new_context(viewport=PHONE).new_page())
    staff.sign_in_staff(CSR.email, CSR.password)
    check(staff, "CSR /customer-service")
    staff.shop_on_behalf(email)
    check(staff, "CSR on behalf: /account (dual-name header)")
    staff.minicart.lock()
    check(staff, "CSR on behalf: mini-cart with lock controls")
    staff.minicart.close()
    staff.cart.open()
    check(staff, "CSR on behalf: /cart")

    assert not too_wide, f"pages wider than a 375 px phone (px past the edge): {too_wide}"
    # The measure itself can see a page that is too wide.
    staff.page.evaluate(
        "() => document.getElementById('main').append(Object.assign("
        "document.createElement('div'), {style: 'width: 600px; height: 1px'}))"
    )
    assert overflow(staff.page) > 0
