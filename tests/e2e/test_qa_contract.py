"""The QA contract of docs/QA.md, checked in the browser.

docs/QA.md lists every data-testid hook with the state (section 7) that shows it. Each journey below walks a
few of those states in the right role and, at each, checks that every hook of that state is in the DOM and that
every hook the page carries is documented. Hooks marked `coming` are documented but not checked. The example
test of docs/QA.md runs here too, so it cannot rot.

Customers: smith16, smith20, smith24…smith27 and smith30 (no other test uses them), a Smith created by the
Customer 360 journey, and smith06 of the verification-code store (tests/e2e/conftest.py `verify_store`); Jane is
only read.
"""

from __future__ import annotations

import inspect
import re
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from storefront_qa import journeys
from storefront_qa.demo import CSR, CSR2, JANE, SUPERVISOR, smith
from storefront_qa.pages import Store

QA_MD = Path(__file__).resolve().parents[2] / "docs" / "QA.md"
COMING = "coming"
HOOK_TIMEOUT_MS = 8_000

# The first hooks promised to QA (docs/QA.md §6). The table may grow, never lose one of these.
SPEC_HOOKS = [
    "header-signin",
    "header-user-menu",
    "header-csr-name",
    "header-customer-name",
    "menu-sign-in-as-yourself",
    "menu-sign-out",
    "nav-customer-service",
    "end-session-dialog",
    "end-session-confirm",
    "end-session-cancel",
    "search-input",
    "product-card",
    "pdp-price",
    "pdp-qty",
    "pdp-add-to-cart",
    "minicart-button",
    "minicart-count",
    "minicart-panel",
    "minicart-lock",
    "minicart-unlock",
    "minicart-takeover",
    "lock-status",
    "cart-line",
    "cart-line-qty",
    "cart-line-remove",
    "cart-subtotal",
    "cart-readonly-notice",
    "checkout-button",
    "place-order",
    "order-number",
    "find-first-name",
    "find-last-name",
    "find-email",
    "find-phone",
    "find-customer-number",
    "find-postal-code",
    "find-submit",
    "customer-row",
    "customer-actions",
    "action-access-account",
    "results-refine-message",
    "results-empty",
    "toast",
    "signin-email",
    "signin-password",
    "signin-submit",
    "signin-error",
    "register-first-name",
    "register-last-name",
    "register-email",
    "register-password",
    "register-submit",
    "checkout-card-number",
    "checkout-card-expiry",
    "checkout-card-cvc",
    "account-order-row",
    "session-idle-warning",
    "lock-takeover-confirm",
    "lock-lost-notice",
    "audit-row",
    "recent-session-row",
    "create-customer-open",
    "create-first-name",
    "create-last-name",
    "create-email",
    "create-phone",
    "create-address-line1",
    "create-city",
    "create-postal-code",
    "create-submit",
    "create-error",
    "hand-back-cart",
    "checkout-for-customer",
]


# -- docs/QA.md ---------------------------------------------------------------------------------------


@dataclass
class Contract:
    hooks: dict[str, str]  # hook -> state
    states: list[str]  # the states table
    example: str  # the example test's source

    def hooks_of(self, state: str) -> list[str]:
        return [hook for hook, s in self.hooks.items() if s == state]

    def documents(self, testid: str) -> bool:
        return testid in self.hooks or any(
            "<" in hook and re.fullmatch(re.sub(r"<[^>]+>", "[a-z0-9_]+", hook), testid)
            for hook in self.hooks
        )


def selector(hook: str) -> str:
    """`error-<field>` stands for any `error-…`; every other hook is exact."""
    if "<" in hook:
        return f'[data-testid^="{hook.split("<", 1)[0]}"]'
    return f'[data-testid="{hook}"]'


def _code(cell: str) -> str | None:
    found = re.fullmatch(r"`([^`]+)`", cell.strip())
    return found.group(1) if found else None


def parse(text: str) -> Contract:
    hooks: dict[str, str] = {}
    states: list[str] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif set("".join(cells)) <= set("-: "):
            continue
        elif header[:3] == ["hook", "page / widget", "state"]:
            hook, state = _code(cells[0]), _code(cells[2])
            assert hook and state, f"docs/QA.md: a hook row needs `hook` and `state`: {line}"
            assert hook not in hooks, f"docs/QA.md: {hook} is in the table twice"
            hooks[hook] = state
        elif header[:2] == ["state", "as"]:
            states.append(_code(cells[0]) or cells[0])
    example = re.search(r"## 5\. Example test.*?```python\n(.*?)```", text, re.DOTALL)
    assert example, "docs/QA.md: section 5 needs a python example"
    return Contract(hooks, states, example.group(1))


CONTRACT = parse(QA_MD.read_text())

# Journey (test name) -> the states it reaches, in order.
JOURNEYS: dict[str, tuple[str, ...]] = {}


def covers(*states: str):
    def register(test):
        JOURNEYS[test.__name__] = states
        return test

    return register


class Visit:
    """Checks each state a journey reaches; collects every problem and reports them all at the end."""

    def __init__(self, states: tuple[str, ...]):
        self.states = states
        self.seen: list[str] = []
        self.missing: dict[str, list[str]] = {}
        self.undocumented: dict[str, list[str]] = {}

    def reached(self, state: str, page: Page) -> None:
        assert state in self.states, f"{state} is not declared in this journey's @covers"
        self.seen.append(state)
        for hook in CONTRACT.hooks_of(state):
            try:
                expect(page.locator(selector(hook)).first).to_be_attached(timeout=HOOK_TIMEOUT_MS)
            except AssertionError:
                self.missing.setdefault(state, []).append(hook)
        on_page = page.eval_on_selector_all("[data-testid]", "els => els.map(e => e.dataset.testid)")
        extra = sorted({t for t in on_page if not CONTRACT.documents(t)})
        if extra:
            self.undocumented[state] = extra

    def done(self) -> None:
        problems = [f"state {s}: {', '.join(h)} missing from the page" for s, h in self.missing.items()]
        problems += [
            f"state {s}: {', '.join(h)} on the page but not in docs/QA.md"
            for s, h in self.undocumented.items()
        ]
        if list(self.states) != self.seen:
            problems.append(f"reached {self.seen}, declared {list(self.states)}")
        assert not problems, "QA contract broken:\n" + "\n".join(problems)


@pytest.fixture
def visit(request) -> Visit:
    return Visit(JOURNEYS[request.node.originalname])


def test_the_table_keeps_spec_hooks_and_every_state_is_walked():
    assert not [h for h in SPEC_HOOKS if h not in CONTRACT.hooks], "promised hooks missing from docs/QA.md"
    used = {s for s in CONTRACT.hooks.values() if s != COMING}
    walked = [s for states in JOURNEYS.values() for s in states]
    assert not used - set(CONTRACT.states), "states used by hooks but not explained in section 7"
    assert not set(CONTRACT.states) - used, "states in section 7 that no hook uses"
    assert not used - set(walked), "states no journey reaches"
    assert not set(walked) - used, "journeys reach states the table does not use"
    assert len(walked) == len(set(walked)), "a state is reached by two journeys"


# -- journeys -------------------------------------------------------------------------------------


@covers(
    "cart-empty",
    "catalog",
    "catalog-no-results",
    "product",
    "product-bad-qty",
    "product-promo",
    "minicart-open",
    "cart",
    "not-found",
    "login",
    "login-failed",
)
def test_anonymous_pages(store: Store, visit: Visit):
    s, page = store, store.page
    s.cart.open()
    visit.reached("cart-empty", page)
    s.catalog.open("?q=tote")
    visit.reached("catalog", page)
    s.catalog.open("?q=zzzz")
    visit.reached("catalog-no-results", page)
    s.product.open("JKT-RAIN")
    visit.reached("product", page)
    s.product.add(0)
    visit.reached("product-bad-qty", page)
    s.product.open("BAG-TOTE")
    visit.reached("product-promo", page)
    s.product.add(1)
    expect(s.minicart.counter()).not_to_have_text("0")
    s.minicart.open()
    visit.reached("minicart-open", page)
    s.minicart.close()
    s.cart.open()
    visit.reached("cart", page)
    s.product.open("NO-SUCH-THING")
    visit.reached("not-found", page)
    s.login.open()
    visit.reached("login", page)
    s.login.sign_in("nobody@example.com", "not-a-password")
    expect(s.login.error()).to_be_visible()
    s.login.register("", "", "", "")
    expect(s.login.field_error("first_name")).to_be_visible()
    visit.reached("login-failed", page)
    visit.done()


@covers("signed-in", "user-menu", "account", "account-address-form", "access-denied", "checkout")
def test_shopper_pages(store: Store, visit: Visit):
    s, page, me = store, store.page, smith(20)
    s.sign_in(me.email, me.password)
    visit.reached("signed-in", page)
    s.header.open_user_menu()
    visit.reached("user-menu", page)
    page.keyboard.press("Escape")
    s.account.open()
    visit.reached("account", page)
    s.account.open_address_form()
    visit.reached("account-address-form", page)
    s.customer_service.open()
    visit.reached("access-denied", page)
    s.product.open("BAG-TOTE")
    s.product.add(1)
    expect(s.minicart.counter()).not_to_have_text("0")
    s.checkout.open()
    visit.reached("checkout", page)
    visit.done()


@covers("account-orders", "order")
def test_jane_reads_her_orders(store: Store, visit: Visit):
    store.sign_in(JANE.email, JANE.password)
    store.account.open()
    visit.reached("account-orders", store.page)
    store.account.order_rows().first.get_by_role("link").click()
    store.page.wait_for_url("**/order/*")
    store.account.ready()
    visit.reached("order", store.page)
    visit.done()


@covers(
    "customer-service",
    "find-no-criteria",
    "find-no-results",
    "find-results",
    "find-actions",
    "create-customer",
    "on-behalf",
    "on-behalf-menu",
    "end-session",
    "on-behalf-minicart",
    "on-behalf-locked",
    "on-behalf-cart",
    "bind-cart-refused",
    "cart-moved",
    "on-behalf-checkout",
    "checkout-adjusted",
    "order-adjusted",
    "on-behalf-order",
    "recent-sessions",
    "cs-changes",
)
def test_csr_on_behalf_pages(store: Store, new_context, visit: Visit):
    s, page, customer = store, store.page, smith(25)
    s.sign_in_staff(CSR.email, CSR.password)
    visit.reached("customer-service", page)
    finder = s.find_customer
    finder.find()
    visit.reached("find-no-criteria", page)
    finder.find(last_name="zzzz")
    expect(finder.empty()).to_be_visible()
    visit.reached("find-no-results", page)
    finder.find(last_name="smith")
    expect(finder.rows()).to_have_count(20)
    visit.reached("find-results", page)
    finder.open_actions(finder.rows().first)
    visit.reached("find-actions", page)
    page.keyboard.press("Escape")
    s.create_customer.open()
    s.create_customer.submit()
    expect(s.create_customer.error()).to_be_visible()
    visit.reached("create-customer", page)
    page.keyboard.press("Escape")
    expect(s.create_customer.submit_button()).to_have_count(0)

    s.shop_on_behalf(customer.email)
    visit.reached("on-behalf", page)
    s.on_behalf.open_menu()
    visit.reached("on-behalf-menu", page)
    page.keyboard.press("Escape")
    s.end_session.open()
    visit.reached("end-session", page)
    s.end_session.cancel()
    s.minicart.open()
    visit.reached("on-behalf-minicart", page)
    s.minicart.lock()
    visit.reached("on-behalf-locked", page)
    s.minicart.close()
    s.product.open("BAG-TOTE")
    s.product.add(1)
    expect(s.minicart.counter()).not_to_have_text("0")
    s.cart.open()
    visit.reached("on-behalf-cart", page)
    s.cart.bind_code("ZZZZ-ZZZZ")
    expect(s.cart.bind_error()).to_be_visible()
    visit.reached("bind-cart-refused", page)
    anonymous = Store(new_context().new_page())
    anonymous.product.open("BAG-TOTE")
    anonymous.product.add(1)
    expect(anonymous.minicart.counter()).to_have_text("1")
    anonymous.cart.open()
    s.cart.bind_code(anonymous.cart.code())
    expect(anonymous.cart.moved_notice()).to_be_visible()
    anonymous.minicart.open()
    visit.reached("cart-moved", anonymous.page)
    s.cart.checkout_for_customer()
    visit.reached("on-behalf-checkout", page)
    s.checkout.adjust_shipping("0.50", "Late parcel")  # BAG-TOTE ships at $5.99: 15% is $0.89
    s.checkout.adjust_order("1.00", "Goodwill")
    expect(s.checkout.summary_order_adjustment()).to_have_text("−$1.00")
    visit.reached("checkout-adjusted", page)
    s.checkout.pay()
    s.checkout.order_number()
    expect(s.checkout.order_shipping_adjustment()).to_have_text("−$0.50")
    visit.reached("order-adjusted", page)
    s.account.open()
    visit.reached("on-behalf-order", page)
    s.on_behalf.sign_in_as_yourself()
    visit.reached("recent-sessions", page)

    shopper = Store(new_context().new_page())
    shopper.sign_in(customer.email, customer.password)
    shopper.account.open()
    visit.reached("cs-changes", shopper.page)
    visit.done()


@covers(
    "cart-read-only",
    "takeover",
    "lock-lost",
    "supervisor-locks",
    "audit",
    "audit-no-results",
    "cart-handed-back",
)
def test_two_csrs_a_supervisor_and_the_customer(new_context, visit: Visit):
    customer = smith(26)
    shopper = journeys.shopper(new_context, customer)
    shopper.cart.open()

    a = journeys.on_behalf_of(new_context, CSR, customer.email)
    a.minicart.lock()
    a.minicart.close()
    a.product.open("BAG-TOTE")
    a.product.add(1)
    expect(shopper.cart.line("BAG-TOTE")).to_be_visible()
    visit.reached("cart-read-only", shopper.page)
    a.cart.open()

    b = journeys.on_behalf_of(new_context, CSR2, customer.email)
    b.minicart.open()
    b.minicart.takeover_button().click()
    visit.reached("takeover", b.page)
    b.minicart.takeover_confirm_button().click()
    expect(b.minicart.status()).to_have_text("Locked by you")
    visit.reached("lock-lost", a.page)

    boss = journeys.staff(new_context, SUPERVISOR)
    visit.reached("supervisor-locks", boss.page)
    boss.audit.open()
    visit.reached("audit", boss.page)
    boss.audit.filter(customer_number="C0000000")
    expect(boss.audit.empty()).to_be_visible()
    visit.reached("audit-no-results", boss.page)

    b.minicart.close()
    b.cart.open()
    b.cart.hand_back()
    shopper.cart.open()
    shopper.minicart.open()
    visit.reached("cart-handed-back", shopper.page)
    visit.done()


@covers(
    "adjust-price",
    "adjust-refused",
    "cart-adjusted",
    "coupon-refused",
    "coupon-applied",
    "pickup-only",
    "pickup-refused",
    "on-behalf-order-extras",
)
def test_csr_adjusts_picks_up_and_places_an_order_with_extras(store: Store, visit: Visit):
    """Casey Rep (CSRs have `order.adjust_price`) on behalf of smith30: a price adjustment, coupons, pickup
    in store (one store refused), a gift message and a note, then the confirmation as customer service sees it.
    Only CANDLE-CEDAR and SCARF-CASH leave a store's shelf (Downtown): MUG-STONE's shelves are
    test_fulfilment's."""
    s, page, customer = store, store.page, smith(30)
    s.sign_in_staff(CSR.email, CSR.password)
    s.shop_on_behalf(customer.email)
    s.minicart.lock()
    s.minicart.close()
    s.product.open("SCARF-CASH")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")
    s.product.open("CANDLE-CEDAR")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("2")
    s.cart.open()
    s.cart.open_adjust("SCARF-CASH")
    visit.reached("adjust-price", page)
    s.cart.adjust_amount().fill("20.00")  # beyond 15% of $69.00: only a supervisor may
    s.cart.adjust_reason().fill("Pulled thread")
    s.cart.apply_adjustment()
    expect(s.cart.adjust_error()).to_contain_text("only a supervisor")
    visit.reached("adjust-refused", page)
    s.cart.adjust_price("SCARF-CASH", "5.00", "Pulled thread")
    expect(s.cart.adjustment("SCARF-CASH")).to_contain_text("Pulled thread")
    visit.reached("cart-adjusted", page)

    s.cart.checkout_for_customer()
    s.checkout.apply_coupon("summer5")
    expect(s.checkout.coupon_error()).to_contain_text("not valid")
    visit.reached("coupon-refused", page)
    s.checkout.apply_coupon("welcome10")
    expect(s.checkout.coupon_discount()).to_be_visible()
    expect(s.checkout.coupon_error()).to_have_count(0)
    visit.reached("coupon-applied", page)
    s.checkout.choose_fulfilment("SCARF-CASH", "DTN")
    s.checkout.choose_fulfilment("CANDLE-CEDAR", "DTN")
    expect(s.checkout.pickup_only_notice()).to_be_visible()
    visit.reached("pickup-only", page)
    # Airport Mall has no candle: its option is disabled; enabled in the page anyway, the server refuses it.
    s.checkout.fulfilment("CANDLE-CEDAR").evaluate(
        "sel => sel.querySelector('option[value=APT]').removeAttribute('disabled')"
    )
    s.checkout.choose_fulfilment("CANDLE-CEDAR", "APT")
    s.checkout.pay()
    expect(s.checkout.fulfilment_error("CANDLE-CEDAR")).to_contain_text(
        "out of stock at the Airport Mall store"
    )
    visit.reached("pickup-refused", page)

    s.checkout.choose_fulfilment("CANDLE-CEDAR", "DTN")
    expect(s.checkout.fulfilment_error("CANDLE-CEDAR")).to_have_count(0)
    s.checkout.gift_message().fill("Happy birthday!")
    s.checkout.set_line_gift_message("SCARF-CASH", "Keep warm")
    s.checkout.fill_alt_contact("Sam", "Roe", "sam.roe@example.com")
    s.checkout.save_alt_contact()
    s.checkout.expect_toast("Pickup contact saved")
    s.checkout.order_note_box().fill("Customer called in")
    s.checkout.place_order()  # the card is still filled in
    s.checkout.order_number()
    expect(s.checkout.order_note()).to_contain_text("Customer called in")
    expect(s.checkout.order_alt_contact()).to_contain_text("Sam Roe")
    expect(s.checkout.order_line_gift_message("SCARF-CASH")).to_contain_text("Keep warm")
    visit.reached("on-behalf-order-extras", page)
    visit.done()


@covers("customer-360", "customer-360-note", "customer-360-not-found")
def test_customer_360_pages(new_context, visit: Visit):
    """A Smith of the journey's own (created at the desk by Sam Agent, with an order, a past session and a
    locked cart); Casey Rep opens their Customer 360 from the results."""
    _sam, email, _order = journeys.customer_with_history(new_context)
    s = Store(new_context().new_page())
    s.sign_in_staff(CSR.email, CSR.password)
    s.find_customer.find(email=email)
    s.find_customer.view_360(email)
    expect(s.customer_360.cart_lines()).to_have_count(1)
    visit.reached("customer-360", s.page)
    s.customer_360.add_note("Prefers a call after 5 pm.")
    visit.reached("customer-360-note", s.page)
    s.customer_360.open("C9999999")
    visit.reached("customer-360-not-found", s.page)


@covers("order-supervisor", "order-cancel")
def test_supervisor_order_pages(store: Store, visit: Visit):
    """A supervisor creates a customer (nobody else's data changes), checks out for them, and cancels."""
    s, page = store, store.page
    s.sign_in_staff(SUPERVISOR.email, SUPERVISOR.password)
    journeys.order_for_new_customer(
        s,
        "PILLOW-LINEN",
        first_name="Quinn",
        last_name="Contract",
        email=f"qa-order-{uuid.uuid4().hex[:8]}@example.com",
        phone="555-0101",
        line1="3 Hook Street",
        city="Springfield",
        postal_code="62701",
    )
    expect(s.order.thanks()).to_be_visible()
    visit.reached("order-supervisor", page)
    s.order.cancel_button().click()
    expect(s.order.cancel_confirm_button()).to_be_visible()
    visit.reached("order-cancel", page)
    s.order.cancel_confirm_button().click()
    expect(s.order.status()).to_have_attribute("data-status", "cancelled")
    visit.done()


@covers("forgot-password", "forgot-sent", "set-password", "set-password-invalid")
def test_password_pages(store: Store, mail_outbox, visit: Visit):
    s, page, me = store, store.page, smith(16)
    s.login.open()
    s.login.forgot_password()
    visit.reached("forgot-password", page)
    s.forgot_password.request(me.email)
    visit.reached("forgot-sent", page)
    s.set_password.open(mail_outbox.set_password_link(me.email))
    expect(s.set_password.new_password()).to_be_visible()
    visit.reached("set-password", page)
    s.set_password.open("/set-password?token=not-a-real-token")
    expect(s.set_password.error()).to_be_visible()
    visit.reached("set-password-invalid", page)
    visit.done()


@covers("register-sent", "confirm-account", "confirm-account-invalid")
def test_register_pages(store: Store, mail_outbox, visit: Visit):
    """A new shopper registers (a new address, so no seeded customer is touched) and opens the mailed link."""
    s, page = store, store.page
    email = f"qa-register-{uuid.uuid4().hex[:8]}@example.com"
    s.login.open()
    s.login.register("Reg", "Istered", email, "shop-pass-123")
    expect(s.login.sent()).to_contain_text(email)
    visit.reached("register-sent", page)
    s.confirm_account.open(mail_outbox.confirm_account_link(email))
    expect(s.confirm_account.password()).to_be_visible()
    visit.reached("confirm-account", page)
    s.confirm_account.open("/confirm-account?token=not-a-real-token")
    expect(s.confirm_account.error()).to_be_visible()
    visit.reached("confirm-account-invalid", page)
    visit.done()


@covers("account-email-pending", "confirm-email", "confirm-email-invalid")
def test_email_change_pages(store: Store, mail_outbox, visit: Visit):
    """A customer of their own (registered here, so no seeded customer's email changes) changes their email."""
    s, page = store, store.page
    old, new = (f"qa-email-{uuid.uuid4().hex[:8]}{n}@example.com" for n in (1, 2))
    s.register("Eve", "Changer", old, "shop-pass-123", mail_outbox)  # lands on My Account, signed in
    s.account.change_email(new)
    visit.reached("account-email-pending", page)
    s.confirm_email.open(mail_outbox.confirm_email_link(new))
    expect(s.confirm_email.done()).to_contain_text(new)
    visit.reached("confirm-email", page)
    s.confirm_email.open("/confirm-email?token=not-a-real-token")
    expect(s.confirm_email.error()).to_be_visible()
    visit.reached("confirm-email-invalid", page)
    visit.done()


def _age_on_behalf_session(db_url: str, customer_email: str, idle_minutes: int, left: timedelta) -> None:
    """Move the live session's last activity back so that only `left` remains before the idle timeout."""
    last = datetime.now(UTC) - timedelta(minutes=idle_minutes) + left
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
        changed = db.execute(
            "UPDATE onbehalfsession SET last_activity_at = ? WHERE ended_at IS NULL"
            " AND customer_id = (SELECT id FROM account WHERE email = ?)",
            (last.strftime("%Y-%m-%d %H:%M:%S.%f"), customer_email),
        ).rowcount
    assert changed == 1, f"expected one live on-behalf session for {customer_email}, found {changed}"


@covers("idle-warning")
def test_idle_warning(store: Store, store_server, visit: Visit):
    customer = smith(27)
    store.sign_in_staff(CSR2.email, CSR2.password)
    store.shop_on_behalf(customer.email)
    idle_minutes = int(store_server.env.get("CSR_SESSION_IDLE_MINUTES", "30"))
    # The landing page's last events may still note activity after we age the session: age it again then.
    for _attempt in range(3):
        _age_on_behalf_session(store_server.db_url, customer.email, idle_minutes, left=timedelta(seconds=45))
        try:
            expect(store.on_behalf.idle_warning()).to_be_visible(timeout=8_000)  # polled every 5 s
            break
        except AssertionError:
            continue
    visit.reached("idle-warning", store.page)
    store.on_behalf.stay()
    store.on_behalf.expect_shopping_for("Smith", csr=CSR2.name)
    visit.done()


@covers("sign-out-everywhere")
def test_sign_out_everywhere(store: Store, new_context, visit: Visit):
    """A customer signed in on two browsers ends every sign-in from My Account: the other browser is signed
    out too, at its next page."""
    me = smith(24)
    other = Store(new_context().new_page())
    other.sign_in(me.email, me.password)
    store.sign_in(me.email, me.password)
    store.account.open()
    store.account.sign_out_everywhere()
    visit.reached("sign-out-everywhere", store.page)
    store.account.confirm_sign_out_everywhere()
    expect(store.header.signin_link()).to_be_visible()
    other.page.goto("/account")
    other.page.wait_for_url("**/login**")
    expect(other.header.signin_link()).to_be_visible()
    visit.done()


@covers("assist-code", "access-code", "access-code-wrong")
def test_verification_code_pages(browser, verify_store, visit: Visit):
    """On the store that asks for the customer's code (tests/e2e/conftest.py `verify_store`: opt-in consent,
    ASSISTANCE_VERIFY=code). Customer: smith06 of that store."""
    customer = smith(6)
    contexts = [browser.new_context(base_url=verify_store.base_url, viewport={"width": 1280, "height": 900})]
    contexts.append(
        browser.new_context(base_url=verify_store.base_url, viewport={"width": 1280, "height": 900})
    )
    try:
        for ctx in contexts:
            ctx.set_default_timeout(15_000)
        shopper, csr = (Store(ctx.new_page()) for ctx in contexts)
        shopper.catalog.open()  # the fresh store's first page is slow on a busy machine
        shopper.sign_in(customer.email, customer.password)
        shopper.account.open()
        shopper.account.allow_assistance()
        code = shopper.account.assist_code()
        visit.reached("assist-code", shopper.page)

        csr.sign_in_staff(CSR.email, CSR.password)
        csr.find_customer.find(email=customer.email)
        csr.find_customer.ask_for_code(customer.email)
        visit.reached("access-code", csr.page)
        csr.access_code.enter(f"{(int(code) + 1) % 10**6:06d}")
        expect(csr.access_code.error()).to_be_visible()
        visit.reached("access-code-wrong", csr.page)
    finally:
        for ctx in contexts:
            ctx.close()
    visit.done()


def test_the_example_in_qa_md_runs(request):
    namespace: dict = {}
    exec(compile(CONTRACT.example, f"{QA_MD} (section 5)", "exec"), namespace)  # noqa: S102 - our own docs
    (example,) = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
    example(**{name: request.getfixturevalue(name) for name in inspect.signature(example).parameters})
