"""Page objects: one small class per page or widget, all through data-testid hooks."""

from __future__ import annotations

from playwright.sync_api import Page, expect

TEST_CARD = ("4242 4242 4242 4242", "12/30", "123")


class Base:
    def __init__(self, page: Page):
        self.page = page

    def tid(self, name: str):
        return self.page.get_by_test_id(name)

    def ready(self) -> None:
        """Wait until the page's on_load events have run (the app-ready hook)."""
        self.page.locator('[data-testid="app-ready"][data-ready="true"]').wait_for(state="attached")

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.ready()

    def expect_toast(self, text: str) -> None:
        expect(self.tid("toast")).to_contain_text(text)


class Header(Base):
    def sign_out(self) -> None:
        if self.tid("header-csr-name").count():
            self.tid("header-csr-name").click()
        else:
            self.tid("header-user-menu").click()
        self.tid("menu-sign-out").click()

    def sign_in_as_yourself(self) -> None:
        self.tid("header-csr-name").click()
        self.tid("menu-sign-in-as-yourself").click()

    def search(self, keyword: str) -> None:
        self.tid("search-input").fill(keyword)
        self.tid("search-input").press("Enter")


class MiniCart(Base):
    def open(self) -> None:
        if not self.tid("minicart-panel").is_visible():
            self.tid("minicart-button").click()
        expect(self.tid("minicart-panel")).to_be_visible()

    def close(self) -> None:
        self.page.keyboard.press("Escape")

    def count(self) -> str:
        return self.tid("minicart-count").inner_text()

    def lock(self) -> None:
        self.open()
        self.tid("minicart-lock").click()
        expect(self.tid("lock-status")).to_have_text("Locked by you")

    def unlock(self) -> None:
        self.open()
        self.tid("minicart-unlock").click()
        expect(self.tid("lock-status")).to_have_text("Unlocked")

    def take_over(self) -> None:
        self.open()
        self.tid("minicart-takeover").click()
        self.tid("lock-takeover-confirm").click()
        expect(self.tid("lock-status")).to_have_text("Locked by you")


class CatalogPage(Base):
    def open(self, query: str = "") -> None:
        self.goto("/" + query)

    def cards(self):
        return self.tid("product-card")

    def open_product(self, code: str) -> None:
        self.page.locator(f'[data-testid="product-card"][data-code="{code}"]').click()
        self.page.wait_for_url(f"**/product/{code}")
        self.ready()


class ProductPage(Base):
    def open(self, code: str) -> None:
        self.goto(f"/product/{code}")

    def price(self) -> str:
        return self.tid("pdp-price").inner_text()

    def add(self, quantity: int | str = 1) -> None:
        self.tid("pdp-qty").fill(str(quantity))
        self.tid("pdp-add-to-cart").click()


class CartPage(Base):
    def open(self) -> None:
        self.goto("/cart")

    def lines(self):
        return self.tid("cart-line")

    def line(self, code: str):
        return self.page.locator(f'[data-testid="cart-line"][data-code="{code}"]')

    def set_quantity(self, code: str, quantity: int | str) -> None:
        box = self.line(code).get_by_test_id("cart-line-qty")
        box.fill(str(quantity))
        box.blur()

    def remove(self, code: str) -> None:
        self.line(code).get_by_test_id("cart-line-remove").click()

    def checkout(self) -> None:
        self.tid("checkout-button").click()
        self.page.wait_for_url("**/checkout")
        self.ready()


class CheckoutPage(Base):
    def pay(self, number: str = TEST_CARD[0], expiry: str = TEST_CARD[1], cvc: str = TEST_CARD[2]) -> None:
        self.tid("checkout-card-number").fill(number)
        self.tid("checkout-card-expiry").fill(expiry)
        self.tid("checkout-card-cvc").fill(cvc)
        self.tid("place-order").click()

    def new_address(self, full_name: str, line1: str, city: str, postal_code: str) -> None:
        self.tid("checkout-address-new").click()
        self.tid("address-full-name").fill(full_name)
        self.tid("address-line1").fill(line1)
        self.tid("address-city").fill(city)
        self.tid("address-postal-code").fill(postal_code)

    def order_number(self) -> str:
        self.page.wait_for_url("**/order/*")
        expect(self.tid("order-number")).to_be_visible()
        return self.tid("order-number").inner_text()


class LoginPage(Base):
    def open(self) -> None:
        self.goto("/login")

    def sign_in(self, email: str, password: str) -> None:
        self.tid("signin-email").fill(email)
        self.tid("signin-password").fill(password)
        self.tid("signin-submit").click()

    def register(self, first: str, last: str, email: str, password: str) -> None:
        self.tid("register-first-name").fill(first)
        self.tid("register-last-name").fill(last)
        self.tid("register-email").fill(email)
        self.tid("register-password").fill(password)
        self.tid("register-submit").click()


class AccountPage(Base):
    def open(self) -> None:
        self.goto("/account")

    def order_rows(self):
        return self.tid("account-order-row")

    def order_row(self, number: str):
        return self.page.locator(f'[data-testid="account-order-row"][data-order-number="{number}"]')


class CustomerServicePage(Base):
    FIELDS = {
        "first_name": "find-first-name",
        "last_name": "find-last-name",
        "email": "find-email",
        "phone": "find-phone",
        "customer_number": "find-customer-number",
        "postal_code": "find-postal-code",
    }

    def open(self) -> None:
        self.goto("/customer-service")

    def find(self, **criteria: str) -> None:
        for name, testid in self.FIELDS.items():
            self.tid(testid).fill(criteria.get(name, ""))
        self.tid("find-submit").click()

    def rows(self):
        return self.tid("customer-row")

    def access(self, email: str) -> None:
        row = self.rows().filter(has_text=email)
        row.get_by_test_id("customer-actions").click()
        self.tid("action-access-account").click()
        self.page.wait_for_url("**/account")
        self.ready()


class AuditPage(Base):
    def open(self) -> None:
        self.goto("/customer-service/audit")

    def rows(self):
        return self.tid("audit-row")


class Store:
    """Every page object for one browser page."""

    def __init__(self, page: Page):
        self.page = page
        self.header = Header(page)
        self.minicart = MiniCart(page)
        self.catalog = CatalogPage(page)
        self.product = ProductPage(page)
        self.cart = CartPage(page)
        self.checkout = CheckoutPage(page)
        self.login = LoginPage(page)
        self.account = AccountPage(page)
        self.customer_service = CustomerServicePage(page)
        self.audit = AuditPage(page)

    def sign_in(self, email: str, password: str) -> None:
        self.login.open()
        self.login.sign_in(email, password)
        expect(self.page.get_by_test_id("toast")).to_contain_text("Welcome")
        self.login.ready()
