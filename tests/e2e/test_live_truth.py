"""Live truth on every path (docs/PRODUCT.md §Live updates, §Cart lock; docs/LIVE.md): the table-driven e2e matrix of
`storefront_qa.live_truth` (rows: the paths that change a cart or its lock; cells: the viewers each row
applies to, each checked live, without a reload, and timed). The per-path p50 and max are printed at the end
and written to test-artifacts/live_truth_times_sqlite.json.

The store: this module starts its own production build on its own seeded SQLite database, with
CART_LOCK_ABANDON_SECONDS=10, and overrides `base_url` (module scope) so `new_context` uses it. It does not
override the plugin's `store_env`: that fixture is session-scoped, like the `store_server` built from it, so
an override in a module changes the server only when that module is the first of the session to start it
(otherwise it is silently ignored), and then every later module of the session runs with these settings.

Also here: a reload after a CSR's sign-out is sent none of their last search (the websocket frames are
read), and a CSR on behalf can open more tabs, each of which loads.

Customers: smith11…smith29, one per row, and smith30 for the tabs; CSRs csr@ (Casey Rep) and csr2@ (Sam
Agent), the supervisor. tests/e2e/test_live_truth_cluster.py runs the session-end and abandonment rows on
PostgreSQL + Redis with two workers.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, update
from sqlmodel import Session, select

from app.services.db import utcnow
from models import Account, AuthSession, OnBehalfSession
from storefront_qa.demo import CSR2, smith
from storefront_qa.journeys import csr_opens_more_tabs, staff
from storefront_qa.live_truth import PATHS, STORE_ENV, Timings, World, run_row
from storefront_qa.pages import FindCustomer, Store, at
from storefront_qa.server import StoreServer

# -- fixtures and tests ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_store(tmp_path_factory, pytestconfig):
    """This module's own store: production build, seeded SQLite, a short abandonment time."""
    if pytestconfig.getoption("--store-url"):
        pytest.skip("needs a fresh store of its own (not --store-url)")
    server = StoreServer(tmp_path_factory.mktemp("live-truth"), env=STORE_ENV)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def base_url(live_store) -> str:
    return live_store.base_url


@pytest.fixture(scope="module")
def engine(live_store):
    eng = create_engine(live_store.db_url, connect_args={"timeout": 30})
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def timings(request):
    table = Timings("SQLite, one worker", "live_truth_times_sqlite.json")
    yield table
    table.report(request.config)


@pytest.mark.parametrize("path", PATHS, ids=[p.id for p in PATHS])
def test_every_viewer_sees_the_new_truth_live(path, new_context, browser, base_url, engine, timings):
    run_row(path, World(new_context, browser, base_url, engine, path.customer), timings)


EMAIL = re.compile(r"[a-z0-9._+-]+@example\.com")


def test_a_reload_after_sign_out_receives_none_of_the_search(new_context):
    """docs/LIVE.md §Nothing outlives its owner: a CSR finds "smith" (20 customers), signs out; reloading that
    tab (and opening Customer Service in it) is sent none of those customers over the websocket."""
    s = staff(new_context, CSR2)
    s.customer_service.find(last_name="smith")
    expect(s.customer_service.rows()).to_have_count(20)
    searched = set(EMAIL.findall(" ".join(s.customer_service.rows().all_inner_texts()).lower()))
    assert len(searched) == 20, f"the rows show {len(searched)} emails: {sorted(searched)}"
    searched.add("smith01@example.com")
    s.header.sign_out()
    s.page.wait_for_url(re.compile(r"^https?://[^/]+/$"))
    s.catalog.ready()
    expect(s.header.signin_link()).to_be_visible()

    frames: list[str] = []

    def listen(ws) -> None:
        ws.on(
            "framereceived",
            lambda payload: frames.append(
                payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            ),
        )

    s.page.on("websocket", listen)
    s.page.reload()
    s.catalog.ready()
    expect(s.header.signin_link()).to_be_visible()
    s.page.wait_for_timeout(1_000)  # let any frame still on its way arrive
    after_reload = list(frames)
    assert after_reload, "no websocket frame arrived after the reload"
    leaked = sorted(e for e in searched if any(e in f for f in after_reload))
    assert not leaked, f"the reload after sign-out was sent customers of the previous search: {leaked}"

    s.page.goto("/customer-service")  # the page that showed them (signed out: it sends to the sign-in page)
    s.customer_service.ready()
    expect(s.customer_service.rows()).to_have_count(0)
    s.page.wait_for_timeout(1_000)
    leaked = sorted(e for e in searched if any(e in f for f in frames))
    assert not leaked, f"Customer Service after sign-out was sent customers of the previous search: {leaked}"


def test_a_csr_on_behalf_opens_more_tabs_and_each_one_loads(new_context):
    """A CSR on behalf (the tab that accessed the account stays open) opens more tabs of the store, one after
    another (18, all left open), as people do: every one finishes loading, and the customer can
    still sign in and open the cart.

    Found while building the matrix: such a tab sometimes never finished loading (the hydrate set
    is_hydrated false and nothing followed), and from then on every event touching that cart waited
    forever, the customer's own sign-in included: the tab that accessed the account had linked LiveCart
    before LiveSession, a tab opened later linked them the other way round, and Reflex holds every linked
    shared state of a tab for a whole event, in link order. Now one shared state per tab (app/state/live.py);
    this keeps it so."""
    csr_opens_more_tabs(new_context, smith(30))


def test_customer_service_in_another_tab_follows_the_csr_to_the_customer(new_context):
    """A CSR has Customer Service open in two tabs and accesses a customer in one. The other tab's next search
    finds the person behind it changed (on behalf of the customer now): it says so and goes to the customer's
    account, where the first tab is. Was: that tab forgot its page and showed the loading skeleton for good;
    loading Customer Service again there would have ended the session the first tab began."""
    s = staff(new_context, CSR2)
    other = Store(s.page.context.new_page())
    other.customer_service.open()
    customer = smith(29)
    s.shop_on_behalf(customer.email)
    s.on_behalf.expect_shopping_for("Smith", csr=CSR2.name)
    # The next search: the page searches as the CSR types, 300 ms after the last key, and may send the tab on
    # before a click on Find could land (a whole find() raced it), so the test types and waits.
    other.customer_service.find_customer.tid(FindCustomer.FIELDS["last_name"]).fill("jones")
    other.page.wait_for_url(at("/account"))
    expect(other.header.toast()).to_contain_text("You are shopping for")
    expect(other.header.toast()).to_contain_text("that began in another tab")
    other.on_behalf.expect_shopping_for("Smith", csr=CSR2.name)
    s.page.reload()  # the session the first tab began goes on
    s.catalog.ready()
    s.on_behalf.expect_shopping_for("Smith", csr=CSR2.name)


def test_a_tab_that_finds_its_session_over_itself_says_why_and_leaves(new_context, engine):
    """A CSR's on-behalf session ends and no notice reaches the tab (here the test ends it in the database, as a
    notice lost with a worker would): the tab's next event (a click, or its check-in every 5 s) finds it over,
    says why and leaves the customer's pages for Customer Service. Was: that event showed the CSR as themself,
    which took the band away with the element that asks why, so the tab stayed on the customer's page with
    nothing said (seen in CI as a flaky row of the cluster matrix, where the check-in can beat the notice)."""
    s = staff(new_context, CSR2)
    customer = smith(10)
    s.shop_on_behalf(customer.email)
    s.on_behalf.expect_shopping_for("Smith", csr=CSR2.name)
    s.product.open("BAG-TOTE")
    with Session(engine) as db:
        account_id = db.exec(select(Account.id).where(Account.email == customer.email)).one()
        session_id = db.exec(
            select(OnBehalfSession.id).where(
                OnBehalfSession.customer_id == account_id, OnBehalfSession.ended_at.is_(None)
            )
        ).one()
        db.exec(
            update(OnBehalfSession)
            .where(OnBehalfSession.id == session_id)
            .values(ended_at=utcnow(), end_reason="idle")
        )
        db.exec(update(AuthSession).where(AuthSession.on_behalf_id == session_id).values(on_behalf_id=None))
        db.commit()
    s.product.add_button().click()  # the tab's next event
    s.page.wait_for_url(at("/customer-service"))
    expect(s.header.toast()).to_contain_text("Your session on behalf of")
    expect(s.header.toast()).to_contain_text("ended: Idle timeout.")
    expect(s.on_behalf.band()).to_have_count(0)
