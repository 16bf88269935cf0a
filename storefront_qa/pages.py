"""Page objects: one small class per page or widget, all through the data-testid contract (docs/QA.md).

    store = Store(page)                  # every page object for one Playwright page
    store.sign_in("jane@example.com", "shop-pass-123")
    store.product.open("JKT-RAIN")
    store.product.add(1)

Methods that navigate wait for the `app-ready` hook, so the page's data is loaded when they return.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from storefront_qa.demo import TEST_CARD

# The app-ready hook says "ready" for the page whose path it carries: right after a click that changes the
# route it still describes the page being left, so compare with the address bar.
READY_JS = """() => {
  const hook = document.querySelector('[data-testid="app-ready"]');
  return !!hook && hook.dataset.ready === "true"
    && hook.dataset.path === decodeURIComponent(window.location.pathname);
}"""

SIGN_IN_TIMEOUT_MS = 15_000  # the plugin's default timeout for actions (new_context)

__all__ = [
    "TEST_CARD",
    "AccountPage",
    "AuditPage",
    "CartPage",
    "CatalogPage",
    "CheckoutPage",
    "ConfirmAccountPage",
    "ConfirmEmailPage",
    "CreateCustomerDialog",
    "Customer360Page",
    "CustomerServicePage",
    "EndSessionDialog",
    "FindCustomer",
    "ForgotPasswordPage",
    "Header",
    "LoginPage",
    "MiniCart",
    "OnBehalfHeader",
    "OrderPage",
    "ProductPage",
    "SetPasswordPage",
    "Store",
    "at",
]


def at(path: str) -> re.Pattern:
    """A URL on `path`, with or without the trailing slash the static host adds when a page is loaded from
    the server (after signing in, which goes through the session-cookie endpoint) rather than by the app."""
    return re.compile(rf"^[^?#]*{re.escape(path)}/?([?#].*)?$")


class Base:
    def __init__(self, page: Page):
        self.page = page

    def tid(self, name: str) -> Locator:
        return self.page.get_by_test_id(name)

    def ready(self) -> None:
        """Wait until the on_load events of the page in the address bar have run (the app-ready hook)."""
        self.page.wait_for_function(READY_JS)

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.ready()

    def toast(self) -> Locator:
        return self.tid("toast")

    def field_error(self, field: str) -> Locator:
        """The message under a form field (hook `error-<field>`), e.g. `field_error("card_number")`."""
        return self.tid(f"error-{field}")

    def not_found(self) -> Locator:
        """The not-found message of an unknown product, order or route."""
        return self.tid("not-found")

    def expect_toast(self, text: str) -> None:
        expect(self.toast()).to_contain_text(text)


def signed_out(page: Page) -> None:
    """Wait until a sign-out has landed: it is a full page load through /auth/signed-out to the catalog, which
    says so. Going on before it lands races with that page load (a `goto` would be overtaken by it)."""
    expect(page.get_by_test_id("toast")).to_contain_text("signed out", timeout=SIGN_IN_TIMEOUT_MS)
    page.wait_for_function(READY_JS)


class Header(Base):
    """The header on every page: search, Customer Service tab, sign-in link or the user's menu."""

    def search(self, keyword: str) -> None:
        self.tid("search-input").fill(keyword)
        self.tid("search-input").press("Enter")

    def signin_link(self) -> Locator:
        """Sign In / Register, while signed out."""
        return self.tid("header-signin")

    def user_menu(self) -> Locator:
        """The signed-in user's first name, opening their menu (not on behalf)."""
        return self.tid("header-user-menu")

    def customer_service_tab(self) -> Locator:
        """The Customer Service tab (staff only); on behalf it opens the end-session dialog."""
        return self.tid("nav-customer-service")

    def open_user_menu(self) -> None:
        self.user_menu().click()
        expect(self.tid("menu-sign-out")).to_be_visible()

    def sign_out(self) -> None:
        """Signs out a shopper, a CSR, or a CSR on behalf (from the dual-name band's menu)."""
        if self.tid("header-csr-name").count():
            self.tid("header-csr-name").click()
        else:
            self.tid("header-user-menu").click()
        self.tid("menu-sign-out").click()
        signed_out(self.page)

    def sign_in_as_yourself(self) -> None:
        OnBehalfHeader(self.page).sign_in_as_yourself()


class OnBehalfHeader(Base):
    """The dual-name band while a CSR shops on behalf: the CSR's own name (a menu) and the customer's."""

    def band(self) -> Locator:
        return self.tid("on-behalf-band")

    def csr_name(self) -> Locator:
        return self.tid("header-csr-name")

    def customer_name(self) -> Locator:
        return self.tid("header-customer-name")

    def expect_shopping_for(self, customer: str, csr: str | None = None) -> None:
        expect(self.customer_name()).to_contain_text(customer)
        if csr is not None:
            expect(self.csr_name()).to_contain_text(csr)

    def expect_not_on_behalf(self) -> None:
        expect(self.customer_name()).to_have_count(0)

    def open_menu(self) -> None:
        self.csr_name().click()
        expect(self.tid("menu-sign-in-as-yourself")).to_be_visible()

    def sign_in_as_yourself_item(self) -> Locator:
        """Sign in as yourself, in the CSR menu (`open_menu()` first)."""
        return self.tid("menu-sign-in-as-yourself")

    def sign_out_item(self) -> Locator:
        """Sign out, in the CSR menu (`open_menu()` first)."""
        return self.tid("menu-sign-out")

    def lock_lost(self) -> Locator:
        """On the band of the CSR who lost the lock: "Your lock was taken over by <CSR>. …"."""
        return self.tid("lock-lost-notice")

    def sign_in_as_yourself(self) -> None:
        """End the session and go back to Customer Service as the CSR."""
        self.open_menu()
        self.sign_in_as_yourself_item().click()
        self.page.wait_for_url(at("/customer-service"))
        self.ready()

    def sign_out(self) -> None:
        self.open_menu()
        self.sign_out_item().click()
        signed_out(self.page)

    def idle_warning(self) -> Locator:
        return self.tid("session-idle-warning")

    def stay(self) -> None:
        """Answer the idle warning: the session goes on."""
        self.idle_warning().get_by_role("button", name="Stay").click()
        expect(self.idle_warning()).to_have_count(0)


class EndSessionDialog(Base):
    """The Customer Service tab while on behalf asks first: end the session, or keep shopping."""

    def dialog(self) -> Locator:
        return self.tid("end-session-dialog")

    def tab(self) -> Locator:
        """The Customer Service tab that opens the dialog."""
        return self.tid("nav-customer-service")

    def confirm_button(self) -> Locator:
        return self.tid("end-session-confirm")

    def cancel_button(self) -> Locator:
        return self.tid("end-session-cancel")

    def open(self) -> None:
        self.tab().click()
        expect(self.dialog()).to_be_visible()

    def cancel(self) -> None:
        self.cancel_button().click()
        expect(self.dialog()).to_have_count(0)

    def confirm(self) -> None:
        self.confirm_button().click()
        self.page.wait_for_url(at("/customer-service"))
        self.ready()


class MiniCart(Base):
    def panel(self) -> Locator:
        return self.tid("minicart-panel")

    def open(self) -> None:
        if not self.panel().is_visible():
            self.tid("minicart-button").click()
        expect(self.panel()).to_be_visible()

    def close(self) -> None:
        self.page.keyboard.press("Escape")
        expect(self.panel()).to_have_count(0)

    def counter(self) -> Locator:
        """The header's item count, e.g. `expect(store.minicart.counter()).to_have_text("2")`."""
        return self.tid("minicart-count")

    def count(self) -> str:
        return self.counter().inner_text()

    def lines(self) -> Locator:
        return self.tid("minicart-line")

    def line(self, code: str) -> Locator:
        return self.page.locator(f'[data-testid="minicart-line"][data-code="{code}"]')

    def status(self) -> Locator:
        """Lock status while on behalf: "Unlocked", "Locked by you", "Locked by <CSR> since <time>"."""
        return self.tid("lock-status")

    def lock_button(self) -> Locator:
        return self.tid("minicart-lock")

    def unlock_button(self) -> Locator:
        return self.tid("minicart-unlock")

    def takeover_button(self) -> Locator:
        """Take over lock, while another CSR holds it: opens a confirmation (`takeover_confirm_button()`)."""
        return self.tid("minicart-takeover")

    def takeover_confirm_button(self) -> Locator:
        return self.tid("lock-takeover-confirm")

    def lock(self) -> None:
        self.open()
        self.lock_button().click()
        expect(self.status()).to_have_text("Locked by you")

    def unlock(self) -> None:
        self.open()
        self.unlock_button().click()
        expect(self.status()).to_have_text("Unlocked")

    def take_over(self) -> None:
        self.open()
        self.takeover_button().click()
        self.takeover_confirm_button().click()
        expect(self.status()).to_have_text("Locked by you")

    def moved_notice(self) -> Locator:
        """Anonymous, open: customer service moved this browser's cart into a customer's account."""
        return self.tid("minicart-moved-notice")


class CatalogPage(Base):
    def open(self, query: str = "") -> None:
        """`open()`, `open("?category=outerwear&sort=price_asc")`, `open("?q=tote")`."""
        self.goto("/" + query)

    def cards(self) -> Locator:
        return self.tid("product-card")

    def card(self, code: str) -> Locator:
        return self.page.locator(f'[data-testid="product-card"][data-code="{code}"]')

    def open_product(self, code: str) -> None:
        self.card(code).click()
        self.page.wait_for_url(f"**/product/{code}")
        self.ready()

    def page_info(self) -> Locator:
        """The catalog's "Page <n> of <m>"."""
        return self.tid("page-info")

    def next_page(self) -> None:
        self.tid("page-next").click()


class ProductPage(Base):
    def open(self, code: str) -> None:
        self.goto(f"/product/{code}")

    def price_label(self) -> Locator:
        """The price for the viewer, e.g. `expect(store.product.price_label()).to_have_text("$129.00")`."""
        return self.tid("pdp-price")

    def price(self) -> str:
        return self.price_label().inner_text()

    def quantity(self) -> Locator:
        return self.tid("pdp-qty")

    def quantity_error(self) -> Locator:
        return self.tid("pdp-qty-error")

    def add_button(self) -> Locator:
        return self.tid("pdp-add-to-cart")

    def add(self, quantity: int | str = 1) -> None:
        self.quantity().fill(str(quantity))
        self.add_button().click()


class CartPage(Base):
    def open(self) -> None:
        self.goto("/cart")

    def lines(self) -> Locator:
        return self.tid("cart-line")

    def line(self, code: str) -> Locator:
        return self.page.locator(f'[data-testid="cart-line"][data-code="{code}"]')

    def quantity(self, code: str) -> Locator:
        """The line's quantity box (read-only without the right to edit)."""
        return self.line(code).get_by_test_id("cart-line-qty")

    def remove_button(self, code: str) -> Locator:
        return self.line(code).get_by_test_id("cart-line-remove")

    def set_quantity(self, code: str, quantity: int | str) -> None:
        box = self.quantity(code)
        box.fill(str(quantity))
        box.blur()

    def remove(self, code: str) -> None:
        self.remove_button(code).click()

    def subtotal(self) -> Locator:
        return self.tid("cart-subtotal")

    def empty(self) -> Locator:
        return self.tid("cart-empty")

    def readonly_notice(self) -> Locator:
        """The customer's cart while a CSR on behalf holds the lock: "Customer service (<CSR>) is working …"."""
        return self.tid("cart-readonly-notice")

    def prepared_notice(self) -> Locator:
        """The customer's cart after a CSR handed it back: "Customer service (<CSR>) prepared this cart …"."""
        return self.tid("cart-prepared-notice")

    def lock_status(self) -> Locator:
        """On behalf: the cart page's lock status (as the mini-cart's `status()`)."""
        return self.tid("lock-status")

    def checkout_button(self) -> Locator:
        """Checkout (shoppers; disabled while the cart is read-only)."""
        return self.tid("checkout-button")

    def checkout_for_customer_button(self) -> Locator:
        return self.tid("checkout-for-customer")

    def hand_back_button(self) -> Locator:
        return self.tid("hand-back-cart")

    def hand_back_with_link_button(self) -> Locator:
        return self.tid("hand-back-with-link")

    def open_adjust(self, code: str) -> None:
        """On behalf, holding the lock (permission `order.adjust_price`): open the line's adjust-price dialog."""
        self.line(code).get_by_test_id("cart-line-adjust").click()
        expect(self.adjust_amount()).to_be_visible()

    def adjust_amount(self) -> Locator:
        """The adjust-price dialog's reduction per item, in dollars."""
        return self.tid("adjust-amount")

    def adjust_reason(self) -> Locator:
        return self.tid("adjust-reason")

    def apply_adjustment(self) -> None:
        """Apply in the adjust-price dialog (refused with a toast, the dialog open, without a reason)."""
        self.tid("adjust-submit").click()

    def adjust_price(self, code: str, amount: str, reason: str) -> None:
        """Reduce the line's price by `amount` dollars per item (e.g. "5.00"; "0" removes it), with a reason."""
        if not self.adjust_amount().is_visible():
            self.open_adjust(code)
        self.adjust_amount().fill(amount)
        self.adjust_reason().fill(reason)
        self.apply_adjustment()
        expect(self.adjust_amount()).to_have_count(0)  # applied: the dialog closed

    def adjust_error(self) -> Locator:
        """In the open adjust dialog: why the reduction was refused (e.g. beyond a CSR's cap)."""
        return self.tid("adjust-error")

    def adjustment(self, code: str) -> Locator:
        """The line's "Adjusted −$x each on n items: <reason>", on a line with a price adjustment."""
        return self.line(code).get_by_test_id("cart-line-adjustment")

    def code(self) -> str:
        """Anonymous, with lines: the cart code to read out to customer service, e.g. "K7QM-4XPA"."""
        expect(self.tid("cart-code")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$"))
        return self.tid("cart-code").inner_text()

    def code_label(self) -> Locator:
        """Anonymous: where the cart code shows (absent while the cart has no lines)."""
        return self.tid("cart-code")

    def moved_notice(self) -> Locator:
        """Anonymous: customer service moved this browser's cart into a customer's account (arrives live)."""
        return self.tid("cart-moved-notice")

    def bind_button(self) -> Locator:
        """On behalf: Move cart here (enabled only while holding the lock)."""
        return self.tid("bind-cart-submit")

    def bind_code(self, code: str) -> None:
        """On behalf, holding the lock: enter a shopper's cart code and Move cart here. Wait for the toast (it
        moved) or `bind_error()` (refused)."""
        expect(self.tid("bind-cart-code")).to_be_enabled()
        self.tid("bind-cart-code").fill(code)
        self.tid("bind-cart-submit").click()

    def bind_error(self) -> Locator:
        """Why the cart code was refused."""
        return self.tid("bind-cart-error")

    def checkout(self) -> None:
        self.checkout_button().click()
        self.page.wait_for_url(at("/checkout"))
        self.ready()

    def checkout_for_customer(self) -> None:
        """On behalf, holding the lock: go to checkout to place the order in the customer's name."""
        self.checkout_for_customer_button().click()
        self.page.wait_for_url(at("/checkout"))
        self.ready()

    def hand_back(self) -> None:
        """On behalf: unlock, end the session (back to Customer Service); the customer checks out later."""
        self.hand_back_button().click()
        self.page.wait_for_url(at("/customer-service"))
        self.ready()

    def hand_back_with_link(self) -> None:
        """On behalf: as `hand_back()`, and the customer is mailed a link to their cart
        (`mail_outbox.cart_link(email)`)."""
        self.hand_back_with_link_button().click()
        self.page.wait_for_url(at("/customer-service"))
        self.ready()


class CheckoutPage(Base):
    def open(self) -> None:
        self.goto("/checkout")

    def line(self, code: str) -> Locator:
        """One cart line at checkout, with its fulfilment choice."""
        return self.page.locator(f'[data-testid="checkout-line"][data-code="{code}"]')

    def fulfilment(self, code: str) -> Locator:
        return self.line(code).get_by_test_id("checkout-fulfilment")

    def choose_fulfilment(self, code: str, choice: str) -> None:
        """`"ship"` to ship the line home, or a store code (`"DTN"`, `"RVS"`, `"APT"`) to pick it up there."""
        box = self.fulfilment(code)
        box.select_option(choice)
        expect(box).to_have_value(choice)

    def fulfilment_options(self, code: str) -> list[dict]:
        """The line's choices as shown: `[{"value": "ship", "label": "Ship to home", "disabled": False}, …]`."""
        box = self.fulfilment(code)
        expect(box).to_be_visible()  # evaluate_all doesn't wait: the lines render when checkout has loaded
        return box.locator("option").evaluate_all(
            "os => os.map(o => ({value: o.value, label: o.textContent, disabled: o.disabled}))"
        )

    def fulfilment_error(self, code: str) -> Locator:
        return self.line(code).get_by_test_id("checkout-fulfilment-error")

    def addresses(self) -> Locator:
        """The saved addresses (radios), while at least one line ships."""
        return self.tid("checkout-address")

    def pickup_only_notice(self) -> Locator:
        """Every line is picked up: no address, no shipping method."""
        return self.tid("checkout-pickup-only")

    def on_behalf_notice(self) -> Locator:
        return self.tid("checkout-on-behalf-notice")

    def coupon(self) -> Locator:
        return self.tid("checkout-coupon")

    def apply_coupon(self, code: str) -> None:
        """Type a coupon code and Apply; see `coupon_discount()` or `coupon_error()` after."""
        self.coupon().fill(code)
        self.tid("checkout-coupon-apply").click()

    def coupon_error(self) -> Locator:
        return self.tid("checkout-coupon-error")

    def coupon_discount(self) -> Locator:
        return self.tid("checkout-coupon-discount")

    def summary_shipping(self) -> Locator:
        return self.tid("checkout-summary-shipping")

    def summary_total(self) -> Locator:
        return self.tid("checkout-summary-total")

    def gift_message(self) -> Locator:
        """The gift message box (at most 300 characters)."""
        return self.tid("checkout-gift-message")

    def order_note_box(self) -> Locator:
        """On behalf: the order note, for customer service only (at most 500 characters)."""
        return self.tid("checkout-order-note")

    def order_line_fulfilment(self, code: str) -> Locator:
        """On the confirmation: "Ship to home" or "Pick up at <store>, <city>" for that line."""
        return self.page.locator(f'[data-testid="order-line-fulfilment"][data-code="{code}"]')

    def fill_card(
        self, number: str = TEST_CARD[0], expiry: str = TEST_CARD[1], cvc: str = TEST_CARD[2]
    ) -> None:
        """Fill in the card (the test card by default) without placing the order."""
        self.tid("checkout-card-number").fill(number)
        self.tid("checkout-card-expiry").fill(expiry)
        self.tid("checkout-card-cvc").fill(cvc)

    def place_order_button(self) -> Locator:
        return self.tid("place-order")

    def place_order(self) -> None:
        """Place order with what is filled in (e.g. after a refusal: the card is still there)."""
        self.place_order_button().click()

    def pay(self, number: str = TEST_CARD[0], expiry: str = TEST_CARD[1], cvc: str = TEST_CARD[2]) -> None:
        self.fill_card(number, expiry, cvc)
        self.place_order()

    def new_address(self, full_name: str, line1: str, city: str, postal_code: str) -> None:
        self.tid("checkout-address-new").click()
        self.tid("address-full-name").fill(full_name)
        self.tid("address-line1").fill(line1)
        self.tid("address-city").fill(city)
        self.tid("address-postal-code").fill(postal_code)

    def order_number(self) -> str:
        """After place-order: waits for the confirmation page and returns the order number."""
        self.page.wait_for_url("**/order/*")
        expect(self.tid("order-number")).to_be_visible()
        return self.tid("order-number").inner_text()

    def order_total(self) -> Locator:
        """On the confirmation: the total paid."""
        return self.tid("order-total")

    def order_coupon_discount(self) -> Locator:
        return self.tid("order-coupon-discount")

    def order_gift_message(self) -> Locator:
        return self.tid("order-gift-message")

    def order_note(self) -> Locator:
        """On the confirmation, while customer service views the order: the order note."""
        return self.tid("order-note")

    # -- a gift message per line ----------------------------------------------------------------------

    def line_gift_message(self, code: str) -> Locator:
        """The line's own gift message box (at most 200 characters); saved when it is left."""
        return self.page.locator(f'[data-testid="checkout-line-gift-message"][data-code="{code}"]')

    def set_line_gift_message(self, code: str, text: str) -> None:
        box = self.line_gift_message(code)
        box.fill(text)
        box.blur()

    def order_line_gift_message(self, code: str) -> Locator:
        """On the confirmation: that line's own gift message."""
        return self.page.locator(f'[data-testid="order-line-gift-message"][data-code="{code}"]')

    # -- alternate pickup contact (with pickup lines) -------------------------------------------------

    ALT_FIELDS = {
        "first_name": "checkout-alt-first-name",
        "last_name": "checkout-alt-last-name",
        "email": "checkout-alt-email",
        "phone": "checkout-alt-phone",
    }

    def alt_field(self, name: str) -> Locator:
        """`first_name`, `last_name`, `email` or `phone` of the alternate pickup contact."""
        return self.tid(self.ALT_FIELDS[name])

    def alt_save_button(self) -> Locator:
        return self.tid("checkout-alt-save")

    def fill_alt_contact(self, first_name: str, last_name: str, email: str, phone: str = "") -> None:
        for name, value in (("first_name", first_name), ("last_name", last_name), ("email", email)):
            self.alt_field(name).fill(value)
        self.alt_field("phone").fill(phone)

    def save_alt_contact(self) -> None:
        """Save the contact as filled in; see `expect_toast("Pickup contact saved")` or `field_error(...)`
        (`alt_first_name`, `alt_last_name`, `alt_email`, `alt_phone`; `alt_contact` when an order is placed with
        a contact filled in but not saved)."""
        self.alt_save_button().click()

    def order_alt_contact(self) -> Locator:
        """On the confirmation: "Also picked up by: <name>, <email>, <phone>"."""
        return self.tid("order-alt-contact")

    # -- customer service's reductions of the shipping and the order total ----------------------------

    def adjust_shipping_button(self) -> Locator:
        return self.tid("checkout-adjust-shipping")

    def adjust_order_button(self) -> Locator:
        return self.tid("checkout-adjust-order")

    def adjust_amount(self) -> Locator:
        return self.tid("adjust-amount")

    def adjust_reason(self) -> Locator:
        return self.tid("adjust-reason")

    def adjust_error(self) -> Locator:
        """In the open adjust dialog: why the reduction was refused ("Beyond 15% only a supervisor may …")."""
        return self.tid("adjust-error")

    def _adjust(self, button: Locator, amount: str, reason: str, expect_applied: bool) -> None:
        if not self.adjust_amount().is_visible():
            button.click()
            expect(self.adjust_amount()).to_be_visible()
        self.adjust_amount().fill(amount)
        self.adjust_reason().fill(reason)
        self.tid("adjust-submit").click()
        if expect_applied:
            expect(self.adjust_amount()).to_have_count(0)  # applied: the dialog closed

    def adjust_shipping(self, amount: str, reason: str, expect_applied: bool = True) -> None:
        """On behalf, holding the lock: reduce the shipping by `amount` dollars with a reason. With
        `expect_applied=False` it does not wait for the dialog to close (see `adjust_error()`)."""
        self._adjust(self.adjust_shipping_button(), amount, reason, expect_applied)

    def adjust_order(self, amount: str, reason: str, expect_applied: bool = True) -> None:
        """The same for the order total."""
        self._adjust(self.adjust_order_button(), amount, reason, expect_applied)

    def close_adjust(self) -> None:
        self.page.keyboard.press("Escape")
        expect(self.adjust_amount()).to_have_count(0)

    def summary_shipping_adjustment(self) -> Locator:
        return self.tid("checkout-summary-shipping-adjustment")

    def summary_order_adjustment(self) -> Locator:
        return self.tid("checkout-summary-order-adjustment")

    def order_shipping_adjustment(self) -> Locator:
        """On the confirmation: the shipping reduction."""
        return self.tid("order-shipping-adjustment")

    def order_order_adjustment(self) -> Locator:
        """On the confirmation: the order total's reduction."""
        return self.tid("order-order-adjustment")


class OrderPage(Base):
    """/order/<number>: status and its dated history, Cancel, Order again; a supervisor on behalf moves the
    order along."""

    def open(self, number: str) -> None:
        self.goto(f"/order/{number}")

    def status(self) -> Locator:
        """The status badge; its `data-status` is placed, ready_for_pickup, shipped, completed or cancelled."""
        return self.tid("order-status")

    def status_text(self) -> str:
        return self.status().inner_text()

    def history(self) -> Locator:
        """The dated steps, oldest first (each with `data-status`)."""
        return self.tid("order-history-row")

    def history_statuses(self) -> list[str]:
        return self.history().evaluate_all("rows => rows.map(r => r.dataset.status)")

    def thanks(self) -> Locator:
        """The thank-you ("Thank you! Your order is placed."): only right after checkout."""
        return self.tid("order-thanks")

    def cancel_button(self) -> Locator:
        return self.tid("order-cancel")

    def cancel_confirm_button(self) -> Locator:
        return self.tid("order-cancel-confirm")

    def cancel(self) -> None:
        """Cancel order, confirm in the dialog; waits until the page shows it cancelled."""
        self.cancel_button().click()
        self.cancel_confirm_button().click()
        expect(self.status()).to_have_attribute("data-status", "cancelled")

    def reorder_button(self) -> Locator:
        return self.tid("order-reorder")

    def reorder(self) -> None:
        """Order again; the toast says what was added and names what could not be."""
        self.reorder_button().click()
        expect(self.toast()).to_contain_text("Added")

    def advance_button(self, status: str) -> Locator:
        return self.page.locator(f'[data-testid="order-advance"][data-status="{status}"]')

    def advance(self, status: str) -> None:
        """A supervisor on behalf: move the order to `status`; waits until the page shows it."""
        self.advance_button(status).click()
        expect(self.status()).to_have_attribute("data-status", status)


class LoginPage(Base):
    def open(self) -> None:
        self.goto("/login")

    def sign_in(self, email: str, password: str) -> None:
        self.tid("signin-email").fill(email)
        self.tid("signin-password").fill(password)
        self.tid("signin-submit").click()

    def error(self) -> Locator:
        return self.tid("signin-error")

    def register(self, first: str, last: str, email: str, password: str) -> None:
        """Fill in and submit the Register form. A well-formed one is answered by `sent()` for every address
        (a link is mailed; `Store.register` finishes it), a malformed one by `field_error(name)`."""
        self.tid("register-first-name").fill(first)
        self.tid("register-last-name").fill(last)
        self.tid("register-email").fill(email)
        self.tid("register-password").fill(password)
        self.tid("register-submit").click()

    def sent(self) -> Locator:
        """The answer to a registration, the same for every address: "Check your inbox at <email> …"."""
        return self.tid("register-sent")

    def field_error(self, field: str) -> Locator:
        """The message under a form field, e.g. `field_error("email")` (hook `error-<field>`)."""
        return self.tid(f"error-{field}")

    def forgot_password(self) -> None:
        """Follow "Forgot password?" to /forgot-password."""
        self.tid("forgot-password-link").click()
        self.page.wait_for_url(at("/forgot-password"))
        self.ready()


class ForgotPasswordPage(Base):
    """/forgot-password: asks for a link to choose a new password (the same answer for every address)."""

    def open(self) -> None:
        self.goto("/forgot-password")

    def request(self, email: str) -> None:
        self.tid("forgot-email").fill(email)
        self.tid("forgot-submit").click()
        expect(self.sent()).to_be_visible()

    def sent(self) -> Locator:
        return self.tid("forgot-sent")


class SetPasswordPage(Base):
    """/set-password?token=…: the one-time link of a welcome or reset mail (see `mail_outbox`)."""

    def open(self, path: str) -> None:
        """`path` as `Outbox.set_password_link` returns it, e.g. "/set-password?token=…"."""
        self.goto(path)

    def new_password(self) -> Locator:
        return self.tid("set-password-new")

    def request_new_link(self) -> Locator:
        """Request a new link (to /forgot-password), under a link that cannot be used."""
        return self.tid("set-password-request-new")

    def choose(self, password: str, confirm: str | None = None) -> None:
        self.new_password().fill(password)
        self.tid("set-password-confirm").fill(password if confirm is None else confirm)
        self.tid("set-password-submit").click()

    def choose_and_sign_in(self, password: str) -> None:
        """Set the password; the link signs the account in and a customer lands on My Account."""
        self.choose(password)
        self.page.wait_for_url(at("/account"))
        self.ready()

    def error(self) -> Locator:
        """Why the link cannot be used (unknown, used, expired, replaced)."""
        return self.tid("set-password-error")

    def field_error(self, field: str) -> Locator:
        """`password` or `confirm`."""
        return self.tid(f"error-{field}")


class ConfirmEmailPage(Base):
    """/confirm-email?token=…: opening the link mailed to a new address makes it the account's email."""

    def open(self, path: str) -> None:
        """`path` as `Outbox.confirm_email_link` returns it; the page confirms on load."""
        self.goto(path)

    def done(self) -> Locator:
        """The answer when the link worked: "Your email address is now …"."""
        return self.tid("confirm-email-done")

    def error(self) -> Locator:
        """Why the link cannot be used (unknown, used, expired, replaced, the address taken since)."""
        return self.tid("confirm-email-error")


class ConfirmAccountPage(Base):
    """/confirm-account?token=…: the link mailed after registering; the password chosen then finishes it."""

    def open(self, path: str) -> None:
        """`path` as `Outbox.confirm_account_link` returns it."""
        self.goto(path)

    def password(self) -> Locator:
        return self.tid("confirm-account-password")

    def confirm(self, password: str) -> None:
        self.password().fill(password)
        self.tid("confirm-account-submit").click()

    def confirm_and_sign_in(self, password: str) -> None:
        """The account becomes active and this browser signs in to it: it lands on My Account."""
        self.confirm(password)
        self.page.wait_for_url(at("/account"))
        self.ready()

    def error(self) -> Locator:
        """Why the link cannot be used (unknown, used, expired, replaced by a newer registration)."""
        return self.tid("confirm-account-error")

    def field_error(self) -> Locator:
        """The password's error: not the one chosen when registering, or too many tries."""
        return self.tid("error-password")


class AccountPage(Base):
    def open(self) -> None:
        self.goto("/account")

    def send_password_link(self) -> None:
        """On behalf: mail the customer a fresh set-password link."""
        self.tid("send-password-link").click()
        self.expect_toast("A link to set a new password was emailed")

    def change_email(self, email: str) -> None:
        """As the customer: save a new email; it changes once the link mailed to it is opened."""
        self.tid("profile-email").fill(email)
        self.tid("profile-save").click()
        self.expect_toast("open the link we sent to the new address")
        expect(self.tid("profile-email-pending")).to_contain_text(email)

    PHONES = {
        "phone": "profile-phone",
        "phone_home": "profile-phone-home",
        "phone_work": "profile-phone-work",
    }

    def phone(self, kind: str = "phone") -> Locator:
        """A profile phone box: `phone` (mobile), `phone_home` or `phone_work`."""
        return self.tid(self.PHONES[kind])

    def save_phones(self, **phones: str) -> None:
        """Fill the given phones (`phone=`, `phone_home=`, `phone_work=`) and save the profile."""
        unknown = set(phones) - set(self.PHONES)
        if unknown:
            raise TypeError(f"unknown phones {sorted(unknown)}; use {sorted(self.PHONES)}")
        for kind, value in phones.items():
            self.phone(kind).fill(value)
        self.tid("profile-save").click()

    def open_address_form(self) -> None:
        """Add address: the address form opens."""
        self.tid("address-add-open").click()
        expect(self.tid("address-save")).to_be_visible()

    def sign_out_everywhere(self) -> None:
        """Sign out everywhere: the dialog asks first (`confirm_sign_out_everywhere()`)."""
        self.tid("sign-out-everywhere").click()
        expect(self.tid("sign-out-everywhere-confirm")).to_be_visible()

    def confirm_sign_out_everywhere(self) -> None:
        """Every sign-in of the account ends, this browser's too: it lands on the catalog, signed out."""
        self.tid("sign-out-everywhere-confirm").click()
        self.page.wait_for_url("**/")

    def allow_assistance(self) -> None:
        """As the customer: switch on "Allow customer service to shop on my behalf" (opt-in stores)."""
        self.tid("consent-switch").click()
        self.expect_toast("Customer service may shop on your behalf")

    def assist_code_label(self) -> Locator:
        """Where the verification code shows (only on the customer's own page, with assistance allowed)."""
        return self.tid("assist-code")

    def assist_code_expires(self) -> Locator:
        return self.tid("assist-code-expires")

    def assist_code(self) -> str:
        """ASSISTANCE_VERIFY=code, the customer's own My Account: the code to give customer service."""
        expect(self.tid("assist-code")).to_have_text(re.compile(r"^\d{6}$"))
        return self.tid("assist-code").inner_text().strip()

    def next_assist_code(self, previous: str, timeout: float = 20_000) -> str:
        """The code the page shows once `previous` was used or expired, without a reload."""
        expect(self.tid("assist-code")).not_to_have_text(previous, timeout=timeout)
        return self.assist_code()

    def order_rows(self) -> Locator:
        return self.tid("account-order-row")

    def order_row(self, number: str) -> Locator:
        return self.page.locator(f'[data-testid="account-order-row"][data-order-number="{number}"]')

    def order_status(self, number: str) -> str | None:
        """The order row's status (`data-status`)."""
        return self.order_row(number).get_attribute("data-status")

    def order_assisted(self, number: str) -> Locator:
        """The order row's "Placed with help from customer service"."""
        return self.order_row(number).get_by_test_id("order-assisted")


class FindCustomer(Base):
    """The Find customer widget on Customer Service: criteria, results, the Actions menu of a row."""

    FIELDS = {
        "first_name": "find-first-name",
        "last_name": "find-last-name",
        "email": "find-email",
        "phone": "find-phone",
        "customer_number": "find-customer-number",
        "postal_code": "find-postal-code",
        "order_number": "find-order-number",
    }

    def find(self, **criteria: str) -> None:
        """Fill every criterion (the ones not given are cleared) and submit."""
        unknown = set(criteria) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"unknown criteria {sorted(unknown)}; use {sorted(self.FIELDS)}")
        for name, testid in self.FIELDS.items():
            self.tid(testid).fill(criteria.get(name, ""))
        self.tid("find-submit").click()

    def type(self, name: str, text: str, delay_ms: int = 60) -> None:
        """Type into one criterion key by key, as a person does, without submitting: the page searches as
        the CSR types (from 3 characters, 300 ms after the last key)."""
        self.tid(self.FIELDS[name]).press_sequentially(text, delay=delay_ms)

    def rows(self) -> Locator:
        return self.tid("customer-row")

    def row(self, text: str) -> Locator:
        """The row containing `text`, e.g. an email."""
        return self.rows().filter(has_text=text)

    def row_by_number(self, customer_number: str) -> Locator:
        return self.page.locator(f'[data-testid="customer-row"][data-customer-number="{customer_number}"]')

    def refine_message(self) -> Locator:
        return self.tid("results-refine-message")

    def error(self) -> Locator:
        """The form's error (hook `find-error`), e.g. no criterion given; a field's is `field_error(name)`."""
        return self.tid("find-error")

    def empty(self) -> Locator:
        return self.tid("results-empty")

    def open_actions(self, row: Locator) -> None:
        row.get_by_test_id("customer-actions").click()
        expect(self.access_account_item()).to_be_visible()

    def access_account_item(self) -> Locator:
        """Access customer's account, in an open Actions menu (`open_actions(row)` first)."""
        return self.tid("action-access-account")

    def view_cart_item(self) -> Locator:
        """View cart, in an open Actions menu."""
        return self.tid("action-view-cart")

    def access(self, text: str) -> None:
        """Access the account of the row containing `text`; lands on the customer's My Account."""
        self.open_actions(self.row(text))
        self.access_account_item().click()
        self.page.wait_for_url(at("/account"))
        self.ready()

    def ask_for_code(self, text: str) -> None:
        """ASSISTANCE_VERIFY=code: Access on the row containing `text` opens the dialog asking for the
        customer's code (`AccessCodeDialog`)."""
        self.open_actions(self.row(text))
        self.tid("action-access-account").click()
        expect(self.tid("access-code-input")).to_be_visible()

    def view_cart(self, text: str) -> None:
        """Access the account of the row containing `text`, landing on the customer's cart."""
        self.open_actions(self.row(text))
        self.view_cart_item().click()
        self.page.wait_for_url(at("/cart"))
        self.ready()

    def view_360(self, text: str) -> None:
        """Open the Customer 360 page of the row containing `text`."""
        self.row(text).get_by_test_id("action-view-360").click()
        self.page.wait_for_url(re.compile(r".*/customer-service/customer/C\d+/?$"))
        self.ready()


class Customer360Page(Base):
    """/customer-service/customer/<customer number>: one customer as customer service sees them (a deep link
    a CSR can share): profile, cart and its lock, last orders, on-behalf sessions, notes; Access account and
    View cart."""

    PATH = "/customer-service/customer/"

    def open(self, customer_number: str) -> None:
        self.goto(self.PATH + customer_number)
        expect(self.tid("customer-360").or_(self.not_found())).to_be_visible()

    def reload(self) -> None:
        """Load the deep link again from the server."""
        self.page.reload()
        self.ready()

    def view(self) -> Locator:
        return self.tid("customer-360")

    def not_found(self) -> Locator:
        return self.tid("customer-360-not-found")

    def cart_lines(self) -> Locator:
        return self.tid("c360-cart-line")

    def cart_line(self, code: str) -> Locator:
        return self.page.locator(f'[data-testid="c360-cart-line"][data-code="{code}"]')

    def lock(self) -> Locator:
        """The cart's lock: "Unlocked", or "Locked by <CSR> since HH:MM UTC"."""
        return self.tid("c360-cart-lock")

    def order_rows(self) -> Locator:
        return self.tid("c360-order-row")

    def order_row(self, number: str) -> Locator:
        return self.page.locator(f'[data-testid="c360-order-row"][data-order-number="{number}"]')

    def session_rows(self) -> Locator:
        """The customer's on-behalf sessions, newest first: CSR, started, ended, how it ended."""
        return self.tid("c360-session-row")

    def notes(self) -> Locator:
        """CSR notes, newest first."""
        return self.tid("customer-note")

    def note_input(self) -> Locator:
        return self.tid("customer-note-input")

    def note_save_button(self) -> Locator:
        return self.tid("customer-note-save")

    def add_note(self, text: str) -> None:
        """Save a note and wait until it is the newest one shown."""
        self.note_input().fill(text)
        self.note_save_button().click()
        expect(self.notes().first).to_contain_text(text)

    def note_error(self) -> Locator:
        return self.tid("error-body")

    def access(self) -> None:
        """Access account: on behalf of the customer, to their My Account."""
        self.tid("c360-access-account").click()
        self.page.wait_for_url(at("/account"))
        self.ready()

    def view_cart(self) -> None:
        """View cart: on behalf of the customer, to their cart."""
        self.tid("c360-view-cart").click()
        self.page.wait_for_url(at("/cart"))
        self.ready()


class AccessCodeDialog(Base):
    """ASSISTANCE_VERIFY=code: the dialog that asks the CSR for the customer's 6-digit code
    (`FindCustomer.ask_for_code` opens it)."""

    def enter(self, code: str) -> None:
        self.tid("access-code-input").fill(code)
        self.tid("access-code-submit").click()

    def access(self, code: str) -> None:
        """The right code: lands on the customer's My Account, on behalf."""
        self.enter(code)
        self.page.wait_for_url(at("/account"))
        self.ready()

    def error(self) -> Locator:
        """Why the code was refused: wrong, expired, used, or too many wrong codes (a pause)."""
        return self.tid("access-code-error")

    def send(self) -> None:
        """Email the customer a new code (the CSR never sees it; `mail_outbox.assist_code(email)` reads it)."""
        self.tid("access-code-send").click()
        self.expect_toast("A new code was emailed to")


class CreateCustomerDialog(Base):
    """Create customer on Customer Service: for a caller without an account; on behalf of them at once."""

    FIELDS = {
        "first_name": "create-first-name",
        "last_name": "create-last-name",
        "email": "create-email",
        "phone": "create-phone",  # the mobile phone
        "phone_home": "create-phone-home",
        "phone_work": "create-phone-work",
        "line1": "create-address-line1",
        "line2": "create-address-line2",
        "city": "create-city",
        "postal_code": "create-postal-code",
        "country": "create-country",
    }

    def open(self) -> None:
        self.tid("create-customer-open").click()
        expect(self.submit_button()).to_be_visible()

    def fill(self, **fields: str) -> None:
        unknown = set(fields) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"unknown fields {sorted(unknown)}; use {sorted(self.FIELDS)}")
        for name, value in fields.items():
            self.tid(self.FIELDS[name]).fill(value)

    def submit_button(self) -> Locator:
        return self.tid("create-submit")

    def submit(self) -> None:
        self.submit_button().click()

    def create(self, **fields: str) -> None:
        """Open, fill, submit; lands on the new customer's My Account, on behalf of them."""
        if not self.submit_button().is_visible():
            self.open()
        self.fill(**fields)
        self.submit()
        self.page.wait_for_url(at("/account"))
        self.ready()

    def error(self) -> Locator:
        return self.tid("create-error")


class CustomerServicePage(Base):
    """/customer-service: Find customer, your recent sessions and (supervisors) the locked carts."""

    def __init__(self, page: Page):
        super().__init__(page)
        self.find_customer = FindCustomer(page)

    def open(self) -> None:
        self.goto("/customer-service")

    def find(self, **criteria: str) -> None:
        self.find_customer.find(**criteria)

    def rows(self) -> Locator:
        return self.find_customer.rows()

    def access(self, text: str) -> None:
        self.find_customer.access(text)

    def recent_sessions(self) -> Locator:
        return self.tid("recent-session-row")

    def locked_carts(self) -> Locator:
        return self.tid("locked-cart-row")

    def access_denied(self) -> Locator:
        """For a shopper (also on the audit log): "Customer service only"."""
        return self.tid("access-denied")

    def release_button(self, row: Locator) -> Locator:
        """Release, on a row of `locked_carts()` (permission `lock.release_any`)."""
        return row.get_by_test_id("release-lock")

    def release_lock(self, customer_number: str) -> None:
        """Supervisors: release the lock on this customer's cart."""
        self.release_button(
            self.page.locator(f'[data-testid="locked-cart-row"][data-customer-number="{customer_number}"]')
        ).click()
        self.expect_toast("Lock released")


class AuditPage(Base):
    def open(self) -> None:
        self.goto("/customer-service/audit")

    def rows(self, action: str | None = None) -> Locator:
        """Every audit row, or those of one action (e.g. `session_started`, `lock_released`)."""
        if action is None:
            return self.tid("audit-row")
        return self.page.locator(f'[data-testid="audit-row"][data-action="{action}"]')

    def empty(self) -> Locator:
        """Nothing matches the filters."""
        return self.tid("audit-empty")

    def filter(self, csr_email: str = "", customer_number: str = "") -> None:
        self.page.get_by_label("CSR email").fill(csr_email)
        self.page.get_by_label("Customer number").fill(customer_number)
        self.tid("audit-filter").click()


class Store:
    """Every page object for one browser page, and the steps most tests start with."""

    def __init__(self, page: Page):
        self.page = page
        self.header = Header(page)
        self.on_behalf = OnBehalfHeader(page)
        self.end_session = EndSessionDialog(page)
        self.minicart = MiniCart(page)
        self.catalog = CatalogPage(page)
        self.product = ProductPage(page)
        self.cart = CartPage(page)
        self.checkout = CheckoutPage(page)
        self.order = OrderPage(page)
        self.login = LoginPage(page)
        self.forgot_password = ForgotPasswordPage(page)
        self.set_password = SetPasswordPage(page)
        self.confirm_email = ConfirmEmailPage(page)
        self.confirm_account = ConfirmAccountPage(page)
        self.account = AccountPage(page)
        self.customer_service = CustomerServicePage(page)
        self.find_customer = self.customer_service.find_customer
        self.create_customer = CreateCustomerDialog(page)
        self.customer_360 = Customer360Page(page)
        self.access_code = AccessCodeDialog(page)
        self.audit = AuditPage(page)

    def sign_in(self, email: str, password: str) -> None:
        """Sign in on /login and wait for the welcome; a shopper stays where they were sent."""
        self.login.open()
        self.login.sign_in(email, password)
        # Signing in is a password hash and a full page load through the session-cookie endpoint: on a busy
        # machine it takes longer than an assertion's default 5 s, so wait as long as an action would.
        expect(self.page.get_by_test_id("toast")).to_contain_text("Welcome", timeout=SIGN_IN_TIMEOUT_MS)
        self.login.ready()

    def register(self, first: str, last: str, email: str, password: str, outbox) -> None:
        """Register a new shopper and finish through the mailed link (`outbox`: the `mail_outbox` fixture):
        lands signed in on My Account, with the welcome toast; the browser's cart comes along."""
        self.login.open()
        before = outbox.count(email)
        self.login.register(first, last, email, password)
        expect(self.login.sent()).to_contain_text(email.strip().lower())
        self.confirm_account.open(outbox.confirm_account_link(email, after=before))
        self.confirm_account.confirm_and_sign_in(password)
        expect(self.page.get_by_test_id("toast")).to_contain_text("Welcome", timeout=SIGN_IN_TIMEOUT_MS)

    def sign_in_staff(self, email: str, password: str) -> None:
        """Sign in a CSR or supervisor: they land on Customer Service."""
        self.login.open()
        self.login.sign_in(email, password)
        self.page.wait_for_url(at("/customer-service"))
        self.customer_service.ready()

    def open_cart_link(self, path: str, email: str = "", password: str = "") -> None:
        """Open the link of a cart handed back with a link (`mail_outbox.cart_link(email)`). Signed out, it asks
        for sign-in first: give `email` and `password`. Lands on the customer's cart either way."""
        self.page.goto(path)
        if password:
            self.login.ready()
            self.login.sign_in(email, password)
        self.page.wait_for_url(at("/cart"))
        self.cart.ready()

    def shop_on_behalf(self, customer_email: str) -> None:
        """Signed in as staff: find the customer by email and access their account (lands on My Account)."""
        if "/customer-service" not in self.page.url:
            self.customer_service.open()
        self.find_customer.find(email=customer_email)
        self.find_customer.access(customer_email)
