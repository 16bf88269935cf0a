"""The live-truth matrix (docs/PRODUCT.md §Live updates; docs/LIVE.md): this repository's table-driven check
that every viewer of a cart sees each change to it, or to its lock, without a reload — and how fast.

Rows (`PATHS`) are the paths that change a cart or its lock: a cart edit (add, quantity, remove — by the CSR
holding the lock, and by the customer), lock, unlock, take over, supervisor release, expiry, abandonment, each
way an on-behalf session ends (Sign in as yourself, Sign out, the Customer Service tab, the idle timeout, a
second session of the same CSR in another browser, hand back) and an order placed (by the CSR, by the
customer). Cells are the viewers a row applies to: the customer on /cart, the customer on another page (the
catalog, through the header's mini-cart count), the CSR holding the lock, the displaced CSR — and, where a
row has one, a CSR watching on behalf without the lock. Each cell asserts with Playwright that the viewer's
page shows the new truth without a reload (a marker set in the page before the action must still be there),
and times it: from the action — the click that causes it, as the acting page saw it; the database change for
expiry and the idle timeout; the close of the holder's browser for abandonment — to the moment the viewer's
DOM first showed all of it. A MutationObserver armed in each viewer's page takes that time, so viewers
checked one after another are timed independently of each other and of Playwright's polling.

`run_row(path, World(...), timings)` runs one row; `Timings` prints the per-path p50 and max and writes them
to the artifacts folder. The store must run with `STORE_ENV`. It reads and changes the store's database
directly (`models`, `app.services.onbehalf`), so it needs this project importable. Used by
tests/e2e/test_live_truth.py (SQLite, one worker) and tests/e2e/test_live_truth_cluster.py (PostgreSQL +
Redis, two workers).
"""

from __future__ import annotations

import json
import re
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path as FilePath

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import update
from sqlmodel import Session, select

from app.services.onbehalf import END_REASONS
from models import Account, AuditEvent, Cart, OnBehalfSession
from storefront_qa.browser import VIEWPORT
from storefront_qa.demo import CSR, CSR2, SUPERVISOR, Identity, smith
from storefront_qa.pages import Store
from storefront_qa.plugin import artifacts_dir

ABANDON_SECONDS = 10  # more than twice the CSR tab's 5 s check-in, so a slow check-in never looks abandoned
IDLE_MINUTES = 30  # the default, passed explicitly: the idle rows move the last activity back past it
WAIT = 15_000  # ms Playwright waits for each fact (2 cores, and other engineers' tests run too)
ATTEMPTS = 30  # new tabs opened to place a viewer on a worker other than the acting page's (World.tab)
ABANDON_WAIT = (ABANDON_SECONDS + 25) * 1000
STORE_ENV = {
    "CART_LOCK_ABANDON_SECONDS": str(ABANDON_SECONDS),
    "CSR_SESSION_IDLE_MINUTES": str(IDLE_MINUTES),
}

# -- the hooks (docs/QA.md §6) ------------------------------------------------------------------------

COUNT = '[data-testid="minicart-count"]'
NOTICE = '[data-testid="cart-readonly-notice"]'
LOCK_STATUS = '[data-testid="lock-status"]'
LOCK_LOST = '[data-testid="lock-lost-notice"]'
BAND = '[data-testid="on-behalf-band"]'
TOAST = '[data-testid="toast"]'
CHECKOUT = '[data-testid="checkout-button"]'
CART_EMPTY = '[data-testid="cart-empty"]'
ANY_LINE = '[data-testid="cart-line"]'
PREPARED_MINICART = '[data-testid="minicart-prepared-notice"]'
PREPARED_CART = '[data-testid="cart-prepared-notice"]'
UNLOCK = '[data-testid="minicart-unlock"]'
SIGN_IN_LINK = '[data-testid="header-signin"]'


def line(code: str) -> str:
    return f'[data-testid="cart-line"][data-code="{code}"]'


def qty(code: str) -> str:
    return line(code) + ' [data-testid="cart-line-qty"]'


def remove(code: str) -> str:
    return line(code) + ' [data-testid="cart-line-remove"]'


# -- facts: what a viewer's page must show, as a DOM predicate (timed in the page) and as a Playwright
# assertion (the verdict). Both look at the first element matching the selector.


@dataclass(frozen=True)
class Fact:
    what: str
    js: str
    verify: Callable[[Page, int], None]


def _first(css: str) -> str:
    return f"document.querySelector({json.dumps(css)})"


def text_is(css: str, value: str) -> Fact:
    return Fact(
        f"{css} reads {value!r}",
        f"(e => !!e && e.textContent.trim() === {json.dumps(value)})({_first(css)})",
        lambda page, t: expect(page.locator(css).first).to_have_text(value, timeout=t),
    )


def contains(css: str, value: str) -> Fact:
    return Fact(
        f"{css} says {value!r}",
        f"(e => !!e && e.textContent.includes({json.dumps(value)}))({_first(css)})",
        lambda page, t: expect(page.locator(css).first).to_contain_text(value, timeout=t),
    )


def count(css: str, n: int) -> Fact:
    return Fact(
        f"{n} × {css}",
        f"document.querySelectorAll({json.dumps(css)}).length === {n}",
        lambda page, t: expect(page.locator(css)).to_have_count(n, timeout=t),
    )


def editable(css: str, yes: bool = True) -> Fact:
    if yes:
        return Fact(
            f"{css} editable",
            f"(e => !!e && !e.readOnly && !e.disabled)({_first(css)})",
            lambda page, t: expect(page.locator(css).first).to_be_editable(timeout=t),
        )
    return Fact(
        f"{css} read-only",
        f"(e => !!e && (e.readOnly || e.disabled))({_first(css)})",
        lambda page, t: expect(page.locator(css).first).not_to_be_editable(timeout=t),
    )


def enabled(css: str, yes: bool = True) -> Fact:
    if yes:
        return Fact(
            f"{css} enabled",
            f"(e => !!e && !e.disabled)({_first(css)})",
            lambda page, t: expect(page.locator(css).first).to_be_enabled(timeout=t),
        )
    return Fact(
        f"{css} disabled",
        f"(e => !!e && e.disabled)({_first(css)})",
        lambda page, t: expect(page.locator(css).first).to_be_disabled(timeout=t),
    )


def value_is(css: str, value: str) -> Fact:
    return Fact(
        f"{css} holds {value!r}",
        f"(e => !!e && e.value === {json.dumps(value)})({_first(css)})",
        lambda page, t: expect(page.locator(css).first).to_have_value(value, timeout=t),
    )


def at_path(path: str) -> Fact:
    pattern = re.compile(r"^https?://[^/]+" + re.escape(path) + r"([?#].*)?$")
    return Fact(
        f"at {path}",
        f"window.location.pathname === {json.dumps(path)}",
        lambda page, t: expect(page).to_have_url(pattern, timeout=t),
    )


def toast(message: str) -> Fact:
    return contains(TOAST, message)


def session_ended_toast(name: str, reason: str) -> Fact:
    return toast(f"Your session on behalf of {name} ended: {END_REASONS[reason]}.")


# -- timing in the viewer's page -----------------------------------------------------------------------


def _arm_source(key: str, predicate: str) -> str:
    """Page script: note Date.now() the first time `predicate` holds. True when it holds already."""
    return f"""() => {{
  const w = window.__liveTruth = window.__liveTruth || {{ seen: {{}}, armed: {{}} }};
  const key = {json.dumps(key)};
  const holds = () => {{ try {{ return !!({predicate}); }} catch (e) {{ return false; }} }};
  if (holds()) return true;
  w.armed[key] = true;
  let observer = null, timer = null;
  const check = () => {{
    if (w.seen[key] !== undefined || !holds()) return;
    w.seen[key] = Date.now();
    observer.disconnect();
    clearInterval(timer);
  }};
  observer = new MutationObserver(check);
  observer.observe(document, {{ subtree: true, childList: true, attributes: true, characterData: true }});
  timer = setInterval(check, 20);
  return false;
}}"""


SEEN_JS = """key => {
  const w = window.__liveTruth;
  if (!w || !w.armed[key]) return "reloaded";
  return w.seen[key] === undefined ? null : w.seen[key];
}"""


def now_ms() -> float:
    return time.time() * 1000


@dataclass
class Watch:
    """One cell: a viewer's page and the facts it must come to show, armed before the action."""

    viewer: str
    page: Page
    facts: tuple[Fact, ...]
    timeout: int = WAIT
    # The acting page itself when the action is a page load (signing out goes through the session-cookie
    # endpoint): its facts are checked after the load; no marker survives it, so it is not timed.
    navigates: bool = False
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    def arm(self) -> None:
        predicate = " && ".join(f"({f.js})" for f in self.facts)
        already = self.page.evaluate(_arm_source(self.key, predicate))
        assert not already, (
            f"{self.viewer}: the page shows the new truth before the action ({self.describe()}): "
            "the row's setup is wrong"
        )

    def describe(self) -> str:
        return "; ".join(f.what for f in self.facts)

    def verdict(self, t0: float) -> float | None:
        """Assert every fact on the page; return ms from the action until the page first showed them all
        (None for an acting page that loaded a new page)."""
        for fact in self.facts:
            fact.verify(self.page, self.timeout)
        if self.navigates:
            return None
        seen = self.page.evaluate(SEEN_JS, self.key)
        if seen is None:  # all true now, one after another; the page's watcher polls every 20 ms
            self.page.wait_for_function(
                "key => window.__liveTruth.seen[key] !== undefined", arg=self.key, timeout=2_000
            )
            seen = self.page.evaluate(SEEN_JS, self.key)
        assert seen != "reloaded", (
            f"{self.viewer}: the page was reloaded (the marker set before the action is gone)"
        )
        assert seen >= t0 - 5, (
            f"{self.viewer}: the page showed it {t0 - seen:.0f} ms before the action: the row's setup is wrong"
        )
        return max(0.0, seen - t0)


# -- one row's browsers ---------------------------------------------------------------------------------


class World:
    """The browsers of one row (the customer's, the CSRs', the supervisor's), its watches and its action.

    `placer` (the cluster module) puts every viewer page opened with `tab` on a backend worker other than
    the one serving the `anchor` page (the page that acts, or the CSR's page for the idle timeout)."""

    def __init__(self, new_context, browser, base_url: str, engine, number: int, placer=None):
        self.new_context = new_context
        self.browser = browser
        self.base_url = base_url
        self.engine = engine
        self.customer: Identity = smith(number)
        with Session(engine) as session:
            account = session.exec(select(Account).where(Account.email == self.customer.email)).one()
            self.customer_id = account.id
            self.name = f"{account.first_name} {account.last_name}"
        self.placer = placer
        self.anchor_page: Page | None = None
        self.placed: list[tuple[str, Page]] = []
        self.placement: dict[str, str] = {}
        self.watches: list[Watch] = []
        self.t0: float | None = None
        self._own: list = []

    # browsers

    def _context(self, own: bool):
        if not own:
            return self.new_context()
        # Not traced by the plugin: this one is closed by the row itself (abandonment).
        ctx = self.browser.new_context(base_url=self.base_url, viewport=VIEWPORT)
        ctx.set_default_timeout(15_000)
        self._own.append(ctx)
        return ctx

    def shopper(self, items: dict[str, int]) -> Store:
        """The customer, signed in, with these items in the cart (added while nobody holds the lock)."""
        s = Store(self.new_context().new_page())
        s.sign_in(self.customer.email, self.customer.password)
        total = 0
        for code, quantity in items.items():
            s.product.open(code)
            s.product.add(quantity)
            total += quantity
            expect(s.minicart.counter()).to_have_text(str(total))
        return s

    def staff(self, who: Identity, own: bool = False) -> Store:
        s = Store(self._context(own).new_page())
        s.sign_in_staff(who.email, who.password)
        return s

    def on_behalf(self, who: Identity = CSR, lock: bool = False, own: bool = False) -> Store:
        s = self.staff(who, own)
        s.shop_on_behalf(self.customer.email)
        if lock:
            s.minicart.lock()
            s.minicart.close()
        return s

    def anchor(self, s: Store) -> None:
        """The page whose worker the viewers must avoid (when placing). Set it after its last navigation."""
        self.anchor_page = s.page
        if self.placer:
            self.placement["acting page"] = self.placer.worker(s.page)

    def tab(self, of: Store, path: str, viewer: str) -> Store:
        """A new tab of `of`'s browser at `path`; with a placer, on a worker other than the anchor's."""
        ctx = of.page.context
        # Which worker accepts a connection is the kernel's choice, and it favours the worker that was just
        # busy (seen: 12 tabs in a row on the acting page's worker, once in three runs). Try longer.
        for attempt in range(ATTEMPTS):
            if attempt:
                time.sleep(0.2)
            s = Store(ctx.new_page())
            s.catalog.goto(path)
            if self.placer is None:
                return s
            assert self.anchor_page is not None, "set the anchor before opening placed viewers"
            worker = self.placer.worker(s.page)
            if worker != self.placer.worker(self.anchor_page):
                self.placed.append((viewer, s.page))
                self.placement[viewer] = worker
                return s
            s.page.close()
        raise AssertionError(f"{viewer}: {ATTEMPTS} new tabs all landed on the acting page's worker")

    def note(self, viewer: str, s: Store) -> None:
        """Record which worker serves a viewer that is not placed (for the table)."""
        if self.placer:
            self.placement[viewer] = self.placer.worker(s.page)

    def watch(
        self, viewer: str, s: Store, *facts: Fact, timeout: int = WAIT, navigates: bool = False
    ) -> None:
        w = Watch(viewer, s.page, facts, timeout, navigates)
        w.arm()
        self.watches.append(w)

    # the action: each helper checks the placement first and notes when the action happened

    def _before_action(self) -> None:
        if self.placer is None:
            return
        anchor = self.placer.worker(self.anchor_page)
        for viewer, page in self.placed:
            worker = self.placer.worker(page)
            assert worker != anchor, f"{viewer} moved to the acting page's worker {anchor} before the action"

    def click(self, target: Locator) -> None:
        """Click; the action's time is the click as the acting page saw it."""
        self._before_action()
        page = target.page
        page.evaluate(
            """() => {
              window.__liveTruthClick = undefined;
              if (!window.__liveTruthClickHook) {
                window.__liveTruthClickHook = true;
                document.addEventListener("click", () => {
                  window.__liveTruthClick = window.__liveTruthClick ?? Date.now();
                }, true);
              }
            }"""
        )
        before = now_ms()
        target.click()
        clicked = None
        try:
            clicked = page.evaluate("() => window.__liveTruthClick ?? null")
        except PlaywrightError:
            pass  # the click loaded another page (signing out goes through the session-cookie endpoint)
        self.t0 = clicked or before

    def blur(self, s: Store, css: str) -> None:
        """Leave a field (a quantity box sends its change on blur); the action's time is the blur."""
        self._before_action()
        self.t0 = s.page.evaluate(
            "css => { const e = document.querySelector(css); const t = Date.now(); e.blur(); return t; }", css
        )

    def in_database(self, statement) -> None:
        """A change made straight in the database (time shifted), as nothing in the store would make it."""
        self._before_action()
        with Session(self.engine) as session:
            changed = session.exec(statement).rowcount
            session.commit()
        self.t0 = now_ms()
        assert changed == 1, f"{statement} changed {changed} rows"

    def close_browser(self, s: Store) -> None:
        self._before_action()
        s.page.context.close()
        self.t0 = now_ms()

    def close(self) -> None:
        for ctx in self._own:
            try:
                ctx.close()
            except PlaywrightError:
                pass


# -- the rows ----------------------------------------------------------------------------------------

V_CART = "customer on /cart"
V_CATALOG = "customer on / (mini-cart count)"
V_HOLDER = "CSR holding the lock"
V_HOLDER_TAB = "CSR holding the lock, other tab"
V_DISPLACED = "displaced CSR"
V_NEW_HOLDER = "CSR taking over"
V_WATCHING = "other CSR on behalf (watching)"

Then = Callable[[], None] | None


def _unlocked_for_customer() -> tuple[Fact, ...]:
    return (count(NOTICE, 0), editable(qty("BAG-TOTE")), enabled(CHECKOUT))


def _customer_views(w: World, shopper: Store, catalog: bool = True) -> tuple[Store, Store | None]:
    """The customer's viewers: new tabs of their browser on /cart and (optionally) the catalog."""
    cart = w.tab(shopper, "/cart", V_CART)
    shop = w.tab(shopper, "/", V_CATALOG) if catalog else None
    return cart, shop


def edit_add(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf(lock=True)
    a.product.open("MUG-STONE")
    w.anchor(a)
    cart, shop = _customer_views(w, shopper)
    expect(cart.page.locator(NOTICE)).to_contain_text("Casey Rep")
    w.watch(V_CART, cart, count(line("MUG-STONE"), 1), contains(NOTICE, "Casey Rep"))
    w.watch(V_CATALOG, shop, text_is(COUNT, "3"))
    w.watch(V_HOLDER, a, text_is(COUNT, "3"))
    a.product.quantity().fill("2")
    w.click(a.product.add_button())
    return None


def edit_quantity(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf(lock=True)
    a.cart.open()
    w.anchor(a)
    cart, shop = _customer_views(w, shopper)
    w.watch(V_CART, cart, value_is(qty("BAG-TOTE"), "4"), editable(qty("BAG-TOTE"), False))
    w.watch(V_CATALOG, shop, text_is(COUNT, "4"))
    w.watch(V_HOLDER, a, text_is(COUNT, "4"))
    a.page.locator(qty("BAG-TOTE")).fill("4")
    w.blur(a, qty("BAG-TOTE"))
    return None


def edit_remove(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1, "MUG-STONE": 1})
    a = w.on_behalf(lock=True)
    a.cart.open()
    w.anchor(a)
    cart, shop = _customer_views(w, shopper)
    w.watch(V_CART, cart, count(line("MUG-STONE"), 0), count(line("BAG-TOTE"), 1))
    w.watch(V_CATALOG, shop, text_is(COUNT, "1"))
    w.watch(V_HOLDER, a, text_is(COUNT, "1"), count(line("MUG-STONE"), 0))
    w.click(a.page.locator(remove("MUG-STONE")))
    return None


def edit_by_customer(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    shopper.cart.open()
    w.anchor(shopper)
    a = w.on_behalf()  # on behalf, without the lock: watching
    a.cart.open()
    shop = w.tab(shopper, "/", V_CATALOG)
    w.watch(V_CATALOG, shop, text_is(COUNT, "3"))
    w.watch(V_WATCHING, a, value_is(qty("BAG-TOTE"), "3"), text_is(COUNT, "3"))
    shopper.page.locator(qty("BAG-TOTE")).fill("3")
    w.blur(shopper, qty("BAG-TOTE"))
    return None


def lock(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    b = w.on_behalf(CSR2)
    b.cart.open()
    a = w.on_behalf()
    w.anchor(a)
    cart, _ = _customer_views(w, shopper, catalog=False)
    a.minicart.open()
    w.watch(
        V_CART,
        cart,
        contains(NOTICE, "Customer service (Casey Rep)"),
        editable(qty("BAG-TOTE"), False),
        enabled(CHECKOUT, False),
    )
    w.watch(V_HOLDER, a, text_is(LOCK_STATUS, "Locked by you"), count(UNLOCK, 1))
    w.watch(V_WATCHING, b, contains(LOCK_STATUS, "Locked by Casey Rep since"))
    w.click(a.minicart.lock_button())
    return None


def unlock(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf()
    a.minicart.lock()  # the panel stays open
    w.anchor(a)
    cart, _ = _customer_views(w, shopper, catalog=False)
    expect(cart.page.locator(NOTICE)).to_contain_text("Casey Rep")
    w.watch(V_CART, cart, *_unlocked_for_customer())
    w.watch(V_HOLDER, a, text_is(LOCK_STATUS, "Unlocked"))
    w.click(a.minicart.unlock_button())
    return None


LOST = "Your lock was taken over by Sam Agent."


def _take_over(w: World, displaced_on: str) -> Then:
    """CSR A holds the lock and is on `displaced_on`; CSR B takes it over (confirmed against A's lock)."""
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf(lock=True)
    a.catalog.goto(displaced_on)
    b = w.on_behalf(CSR2)
    w.anchor(b)
    cart, _ = _customer_views(w, shopper, catalog=False)
    b.minicart.open()
    expect(b.minicart.status()).to_contain_text("Locked by Casey Rep since")
    b.minicart.takeover_button().click()
    w.watch(V_CART, cart, contains(NOTICE, "Customer service (Sam Agent)"), editable(qty("BAG-TOTE"), False))
    if displaced_on == "/cart":
        expect(a.page.locator(remove("BAG-TOTE"))).to_be_enabled()
        w.watch(
            f"{V_DISPLACED} on /cart",
            a,
            count(LOCK_LOST, 1),
            contains(LOCK_LOST, LOST),
            contains(LOCK_STATUS, "Locked by Sam Agent"),
            enabled(remove("BAG-TOTE"), False),
            editable(qty("BAG-TOTE"), False),
        )
    else:
        w.watch(f"{V_DISPLACED} on a product page", a, count(LOCK_LOST, 1), contains(LOCK_LOST, LOST))
    w.watch(V_NEW_HOLDER, b, text_is(LOCK_STATUS, "Locked by you"))
    w.click(b.minicart.takeover_confirm_button())
    return None


def take_over_on_product_page(w: World) -> Then:
    return _take_over(w, "/product/JKT-RAIN")


def take_over_on_cart(w: World) -> Then:
    return _take_over(w, "/cart")


def supervisor_release(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf(lock=True)
    a.cart.open()
    boss = w.staff(SUPERVISOR)
    row = boss.customer_service.locked_carts().filter(has_text=w.name)
    expect(row).to_have_count(1)
    w.anchor(boss)
    cart, _ = _customer_views(w, shopper, catalog=False)
    expect(cart.page.locator(NOTICE)).to_contain_text("Casey Rep")
    w.watch(V_CART, cart, *_unlocked_for_customer())
    w.watch(V_HOLDER, a, text_is(LOCK_STATUS, "Unlocked"), enabled(remove("BAG-TOTE"), False))
    w.click(boss.customer_service.release_button(row))
    return lambda: boss.customer_service.expect_toast("Lock released")


def expiry(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf(lock=True)
    a.cart.open()
    w.anchor(a)
    cart, _ = _customer_views(w, shopper, catalog=False)
    expect(cart.page.locator(NOTICE)).to_contain_text("Casey Rep")
    w.watch(V_CART, cart, *_unlocked_for_customer())
    w.watch(V_HOLDER, a, text_is(LOCK_STATUS, "Unlocked"), enabled(remove("BAG-TOTE"), False))
    # The lock runs out now instead of CART_LOCK_MINUTES after the last change; the sweeper releases it.
    w.in_database(
        update(Cart)
        .where(Cart.account_id == w.customer_id, Cart.status == "active", Cart.locked_by_id.is_not(None))
        .values(lock_expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    return None


def abandonment(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    b = w.on_behalf(CSR2)  # watching, without the lock
    b.cart.open()
    a = w.on_behalf(lock=True, own=True)  # the holder's browser, closed below
    w.anchor(a)
    cart, _ = _customer_views(w, shopper, catalog=False)
    expect(cart.page.locator(NOTICE)).to_contain_text("Casey Rep")
    # While a page of the holder is open, the lock stays, however long past CART_LOCK_ABANDON_SECONDS.
    cart.page.wait_for_timeout((ABANDON_SECONDS + 6) * 1000)
    expect(cart.page.locator(NOTICE)).to_contain_text("Casey Rep")
    expect(b.page.locator(LOCK_STATUS).first).to_contain_text("Locked by Casey Rep since")
    assert lock_holder(w) is not None, "the lock was released while its holder's page was open"
    w.note(V_WATCHING, b)
    w.watch(V_CART, cart, *_unlocked_for_customer(), timeout=ABANDON_WAIT)
    w.watch(V_WATCHING, b, text_is(LOCK_STATUS, "Unlocked"), timeout=ABANDON_WAIT)
    w.close_browser(a)

    def audited() -> None:
        with Session(w.engine) as session:
            rows = session.exec(
                select(AuditEvent.details).where(
                    AuditEvent.customer_id == w.customer_id, AuditEvent.action == "lock_abandoned"
                )
            ).all()
        assert len(rows) == 1, f"lock_abandoned audited {len(rows)} times for {w.name}"

    return audited


def lock_holder(w: World) -> int | None:
    with Session(w.engine) as session:
        return session.exec(
            select(Cart.locked_by_id).where(Cart.account_id == w.customer_id, Cart.status == "active")
        ).first()


def _session_end_setup(w: World) -> tuple[Store, Store, Store]:
    """The customer on /cart, read-only; the CSR holding the lock, with another tab on the catalog."""
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf(lock=True)
    w.anchor(a)
    other = w.tab(a, "/product/JKT-RAIN", V_HOLDER_TAB)
    cart, _ = _customer_views(w, shopper, catalog=False)
    expect(cart.page.locator(NOTICE)).to_contain_text("Casey Rep")
    return a, other, cart


def _ended_elsewhere(w: World, other: Store, reason: str, lands: str = "/customer-service") -> None:
    w.watch(V_HOLDER_TAB, other, session_ended_toast(w.name, reason), count(BAND, 0), at_path(lands))


def session_sign_in_as_yourself(w: World) -> Then:
    a, other, cart = _session_end_setup(w)
    _ended_elsewhere(w, other, "signed_in_as_self")
    w.watch(V_HOLDER, a, count(BAND, 0), at_path("/customer-service"))
    w.watch(V_CART, cart, *_unlocked_for_customer())
    a.on_behalf.open_menu()
    w.click(a.on_behalf.sign_in_as_yourself_item())
    return None


def session_sign_out(w: World) -> Then:
    a, other, cart = _session_end_setup(w)
    # The other tab shares the browser's sign-in, which is gone: it lands on the sign-in page.
    _ended_elsewhere(w, other, "csr_signed_out", lands="/login")
    w.watch(V_HOLDER, a, count(BAND, 0), count(SIGN_IN_LINK, 1), at_path("/"), navigates=True)
    w.watch(V_CART, cart, *_unlocked_for_customer())
    a.on_behalf.open_menu()
    w.click(a.on_behalf.sign_out_item())
    return None


def session_tab(w: World) -> Then:
    a, other, cart = _session_end_setup(w)
    _ended_elsewhere(w, other, "customer_service_tab")
    w.watch(V_HOLDER, a, count(BAND, 0), at_path("/customer-service"))
    w.watch(V_CART, cart, *_unlocked_for_customer())
    a.end_session.open()
    w.click(a.end_session.confirm_button())
    return None


def session_idle(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf(lock=True)
    a.product.open("JKT-RAIN")
    w.anchor(a)
    cart, _ = _customer_views(w, shopper, catalog=False)
    expect(cart.page.locator(NOTICE)).to_contain_text("Casey Rep")
    w.watch(V_HOLDER, a, session_ended_toast(w.name, "idle"), count(BAND, 0), at_path("/customer-service"))
    w.watch(V_CART, cart, *_unlocked_for_customer())
    # Idle for longer than CSR_SESSION_IDLE_MINUTES, as far as the store knows; the sweeper ends it.
    w.in_database(
        update(OnBehalfSession)
        .where(OnBehalfSession.customer_id == w.customer_id, OnBehalfSession.ended_at.is_(None))
        .values(last_activity_at=datetime.now(UTC) - timedelta(minutes=IDLE_MINUTES + 1))
    )
    return None


def session_second(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf(lock=True)
    a.product.open("JKT-RAIN")
    again = w.staff(CSR)  # the same CSR, another browser
    again.find_customer.find(email=w.customer.email)
    expect(again.find_customer.row(w.customer.email)).to_have_count(1)
    w.anchor(again)
    cart, _ = _customer_views(w, shopper, catalog=False)
    expect(cart.page.locator(NOTICE)).to_contain_text("Casey Rep")
    w.note(V_HOLDER + ", first browser", a)
    w.watch(
        V_HOLDER + ", first browser",
        a,
        session_ended_toast(w.name, "switched_customer"),
        count(BAND, 0),
        at_path("/customer-service"),
    )
    w.watch(V_CART, cart, *_unlocked_for_customer())
    again.find_customer.open_actions(again.find_customer.row(w.customer.email))
    w.click(again.find_customer.access_account_item())
    return lambda: again.on_behalf.expect_shopping_for(w.name, csr="Casey Rep")


def hand_back(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf(lock=True)
    a.cart.open()
    w.anchor(a)
    other = w.tab(a, "/product/JKT-RAIN", V_HOLDER_TAB)
    cart, shop = _customer_views(w, shopper)
    expect(cart.page.locator(NOTICE)).to_contain_text("Casey Rep")
    shop.minicart.open()  # the customer looks into the mini-cart on the catalog
    _ended_elsewhere(w, other, "handed_back")
    w.watch(V_HOLDER, a, count(BAND, 0), at_path("/customer-service"))
    w.watch(V_CART, cart, *_unlocked_for_customer(), contains(PREPARED_CART, "Casey Rep"))
    w.watch(V_CATALOG + ", mini-cart open", shop, contains(PREPARED_MINICART, "Casey Rep"))
    w.click(a.cart.hand_back_button())
    return None


def order_by_csr(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf(lock=True)
    a.cart.open()
    a.cart.checkout_for_customer()
    a.checkout.fill_card()
    w.anchor(a)
    cart, shop = _customer_views(w, shopper)
    w.watch(V_CART, cart, count(CART_EMPTY, 1), count(ANY_LINE, 0), count(NOTICE, 0))
    w.watch(V_CATALOG, shop, text_is(COUNT, "0"))
    w.watch(V_HOLDER, a, text_is(COUNT, "0"))
    w.click(a.checkout.place_order_button())
    return lambda: a.checkout.order_number()


def order_by_customer(w: World) -> Then:
    shopper = w.shopper({"BAG-TOTE": 1})
    a = w.on_behalf()  # watching, without the lock
    a.cart.open()
    shopper.cart.open()
    shopper.cart.checkout()
    shopper.checkout.fill_card()
    w.anchor(shopper)
    cart, shop = _customer_views(w, shopper)
    w.watch(V_CART + " (another tab)", cart, count(CART_EMPTY, 1), count(ANY_LINE, 0))
    w.watch(V_CATALOG, shop, text_is(COUNT, "0"))
    w.watch(V_WATCHING, a, text_is(COUNT, "0"), count(ANY_LINE, 0))
    w.click(shopper.checkout.place_order_button())
    return lambda: shopper.checkout.order_number()


@dataclass(frozen=True)
class Path:
    id: str
    label: str
    customer: int  # smith<n>
    scenario: Callable[[World], Then]


PATHS = [
    Path("edit-add", "edit: add (CSR)", 11, edit_add),
    Path("edit-quantity", "edit: quantity (CSR)", 12, edit_quantity),
    Path("edit-remove", "edit: remove (CSR)", 13, edit_remove),
    Path("edit-customer", "edit: quantity (customer)", 14, edit_by_customer),
    Path("lock", "lock", 15, lock),
    Path("unlock", "unlock", 16, unlock),
    Path("take-over-product-page", "take over (displaced on a product page)", 17, take_over_on_product_page),
    Path("take-over-cart", "take over (displaced on /cart)", 29, take_over_on_cart),
    Path("supervisor-release", "supervisor release", 18, supervisor_release),
    Path("expiry", "expiry", 19, expiry),
    Path("abandonment", "abandonment", 20, abandonment),
    Path("end-sign-in-as-yourself", "session end: sign in as yourself", 21, session_sign_in_as_yourself),
    Path("end-sign-out", "session end: sign out", 22, session_sign_out),
    Path("end-customer-service-tab", "session end: Customer Service tab", 23, session_tab),
    Path("end-idle", "session end: idle timeout", 24, session_idle),
    Path("end-second-session", "session end: second session elsewhere", 25, session_second),
    Path("hand-back", "session end: hand back", 26, hand_back),
    Path("order-by-csr", "order placed (CSR)", 27, order_by_csr),
    Path("order-by-customer", "order placed (customer)", 28, order_by_customer),
]


def run_row(path: Path, w: World, timings: Timings) -> None:
    """Set the row up, act, then judge every cell; a cell that fails does not hide the others."""
    try:
        try:
            then = path.scenario(w)
        except (AssertionError, PlaywrightError) as e:
            if w.t0 is None:
                timings.setup_failed(path.label, str(e).strip().splitlines()[0])
            raise
        assert w.t0 is not None, f"{path.id}: the scenario never acted"
        failures = []
        for cell in w.watches:
            try:
                ms = cell.verdict(w.t0)
                if ms is not None:
                    timings.record(path.label, cell.viewer, ms)
            except (AssertionError, PlaywrightError) as e:
                timings.failed(path.label, cell.viewer, str(e).strip().splitlines()[0])
                failures.append(f"- {cell.viewer} [{cell.describe()}]:\n{e}")
        if w.placement:
            timings.placement[path.label] = dict(w.placement)
        if failures:
            raise AssertionError(
                f"{path.label}: {len(failures)} of {len(w.watches)} viewers did not show the new truth\n"
                + "\n".join(failures)
            )
        if then is not None:
            then()
    finally:
        w.close()


# -- the timing table ------------------------------------------------------------------------------------


class Timings:
    """Per path and viewer: ms from the action to the viewer's page showing it."""

    def __init__(self, setup: str, filename: str):
        self.setup = setup
        self.filename = filename
        self.cells: dict[str, dict[str, float | None]] = {}
        self.failures: dict[str, dict[str, str]] = {}
        self.placement: dict[str, dict[str, str]] = {}
        self.setup_failures: dict[str, str] = {}

    def record(self, path: str, viewer: str, ms: float) -> None:
        self.cells.setdefault(path, {})[viewer] = round(ms, 1)

    def failed(self, path: str, viewer: str, why: str) -> None:
        self.cells.setdefault(path, {})[viewer] = None
        self.failures.setdefault(path, {})[viewer] = why

    def setup_failed(self, path: str, why: str) -> None:
        """The row failed before its action: no cell was judged."""
        self.cells.setdefault(path, {})
        self.setup_failures[path] = why

    def summary(self) -> dict:
        paths = {}
        for path, cells in self.cells.items():
            times = [ms for ms in cells.values() if ms is not None]
            paths[path] = {
                "p50_ms": round(statistics.median(times), 1) if times else None,
                "max_ms": max(times) if times else None,
                "cells": cells,
                "failed": self.failures.get(path, {}),
                **({"setup_failed": self.setup_failures[path]} if path in self.setup_failures else {}),
                **({"workers": self.placement[path]} if path in self.placement else {}),
            }
        return {
            "setup": self.setup,
            "abandon_seconds": ABANDON_SECONDS,
            "measured": "ms from the action to the viewer's DOM first showing the new truth",
            "paths": paths,
        }

    def table(self) -> str:
        rows = [f"live truth — {self.setup}: ms from the action to the viewer's page showing it"]
        rows.append(f"{'path':40} {'cells':>5} {'p50 ms':>8} {'max ms':>8}  viewers")
        for path, s in self.summary()["paths"].items():
            cells = " · ".join(
                f"{viewer} {'FAILED' if ms is None else f'{ms:.0f}'}" for viewer, ms in s["cells"].items()
            )
            p50 = "-" if s["p50_ms"] is None else f"{s['p50_ms']:.0f}"
            top = "-" if s["max_ms"] is None else f"{s['max_ms']:.0f}"
            if "setup_failed" in s:
                cells = f"SETUP FAILED before the action: {s['setup_failed'][:150]}"
            rows.append(f"{path:40} {len(s['cells']):>5} {p50:>8} {top:>8}  {cells}")
        return "\n".join(rows)

    def report(self, config: pytest.Config) -> None:
        if not self.cells:
            return
        folder = artifacts_dir(config)
        folder.mkdir(parents=True, exist_ok=True)
        target: FilePath = folder / self.filename
        target.write_text(json.dumps(self.summary(), indent=2) + "\n")
        capture = config.pluginmanager.getplugin("capturemanager")
        text = f"\n{self.table()}\n(written to {target})\n"
        if capture is not None:
            with capture.global_and_fixture_disabled():
                print(text)
        else:
            print(text)
