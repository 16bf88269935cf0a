"""axe-core on every page, signed out, as a shopper and as a CSR on behalf: no serious or critical
violations (docs/PRODUCT.md §Quality bars). axe comes from the npm registry (scripts/bootstrap.sh installs
it in .tools/).

Customers: smith17 (forgot password) and smith21…smith23."""

import functools
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from storefront_qa.demo import CSR, CSR2, SUPERVISOR, smith
from storefront_qa.journeys import on_behalf_of, shopper, staff
from storefront_qa.pages import Store

AXE = Path(__file__).resolve().parents[2] / ".tools/node_modules/axe-core/axe.min.js"


@pytest.fixture
def new_context(new_context):
    """Browsers whose pages take axe-core as an injected script: they bypass the store's Content-Security-Policy
    (which tests/e2e/test_headers.py checks); what axe examines is the page as the store renders it."""
    return functools.partial(new_context, bypass_csp=True)


def violations(page: Page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}; run `make setup`")
    # A panel or dialog that has just opened may still be fading in: axe would judge the contrast of its
    # half-transparent colours. Wait for every finite animation to end first.
    page.evaluate(
        "() => Promise.all(document.getAnimations()"
        ".filter(a => a.effect && a.effect.getTiming().iterations !== Infinity).map(a => a.finished.catch(() => null)))"
    )
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def check(store: Store, path: str | None, label: str, problems: dict) -> None:
    if path is not None:
        store.catalog.goto(path)
    found = violations(store.page)
    if found:
        problems[label] = found


def test_no_serious_violations_signed_out_as_shopper_and_on_behalf(new_context, mail_outbox):
    problems: dict[str, list[str]] = {}
    anon = Store(new_context().new_page())
    for path in [
        "/",
        "/?category=outerwear",
        "/product/JKT-RAIN",
        "/product/NOPE",
        "/cart",
        "/login",
        "/forgot-password",
        "/set-password?token=made-up",
        "/confirm-account?token=made-up",
        "/no/such/page",
    ]:
        check(anon, path, f"anonymous {path}", problems)
    anon.minicart.open()
    check(anon, None, "anonymous mini-cart", problems)
    anon.minicart.close()
    anon.forgot_password.open()
    anon.forgot_password.request("smith17@example.com")
    check(anon, None, "forgot password: link sent", problems)
    anon.set_password.open(mail_outbox.set_password_link("smith17@example.com"))
    anon.set_password.choose("short", "other")
    expect(anon.set_password.field_error("password")).to_be_visible()
    check(anon, None, "set password with a field error", problems)
    new = f"a11y-{uuid.uuid4().hex[:8]}@example.com"
    anon.login.open()
    anon.login.register("Ally", "Axe", new, "ally-pass-123")
    expect(anon.login.sent()).to_be_visible()
    check(anon, None, "register: check your inbox", problems)
    anon.confirm_account.open(mail_outbox.confirm_account_link(new))
    anon.confirm_account.confirm("not-the-password-1")
    expect(anon.confirm_account.field_error()).to_be_visible()
    check(anon, None, "finish registering with a field error", problems)

    me = shopper(new_context, smith(21))
    me.product.open("HAT-CAP")
    me.product.add(1)
    expect(me.minicart.counter()).to_have_text("1")
    for path in ["/account", "/cart", "/checkout"]:
        check(me, path, f"shopper {path}", problems)

    csr = on_behalf_of(new_context, CSR2, smith(22).email)
    check(csr, None, "on behalf /account", problems)
    for path in ["/", "/product/JKT-RAIN", "/cart"]:
        check(csr, path, f"on behalf {path}", problems)
    csr.minicart.open()
    check(csr, None, "on behalf mini-cart", problems)
    csr.minicart.close()
    csr.end_session.open()
    check(csr, None, "end-session dialog", problems)
    csr.end_session.confirm()
    csr.customer_service.find(last_name="smith")
    expect(csr.customer_service.rows()).to_have_count(20)
    check(csr, None, "Customer Service with results", problems)
    csr.create_customer.open()
    check(csr, None, "create-customer dialog", problems)
    csr.page.keyboard.press("Escape")
    boss = staff(new_context, SUPERVISOR)
    check(boss, "/customer-service", "Customer Service as supervisor", problems)
    check(boss, "/customer-service/audit", "audit log", problems)
    check(boss, "/customer-service/customer/C0100004", "Customer 360 (Jane, read only)", problems)
    boss.page.get_by_test_id("customer-note-save").click()  # an empty note: the field's error
    expect(boss.page.get_by_test_id("error-body")).to_be_visible()
    check(boss, None, "Customer 360 note error", problems)
    check(boss, "/customer-service/customer/C9999999", "Customer 360 not found", problems)
    assert problems == {}


def test_dialogs_work_by_keyboard(new_context):
    s = on_behalf_of(new_context, CSR, smith(23).email)
    tab = s.end_session.tab()
    tab.focus()
    s.page.keyboard.press("Enter")
    dialog = s.end_session.dialog()
    expect(dialog).to_be_visible()
    # Focus is trapped in the dialog, and Escape closes it, keeping the session.
    for _ in range(4):
        s.page.keyboard.press("Tab")
        assert s.page.evaluate("document.activeElement.closest('[data-testid=end-session-dialog]') !== null")
    s.page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(s.on_behalf.customer_name()).to_be_visible()
