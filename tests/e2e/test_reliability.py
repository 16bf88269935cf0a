"""Reliability (the README's "When something fails") on the real services: the production build on PostgreSQL
and Redis with two backend workers, its database reached through a proxy the tests can cut.

When a backend worker dies: in prod mode `reflex run` is itself Granian's supervisor. Reflex 0.10.1 runs
Granian without `respawn_failed_workers`, so one lost worker used to stop every worker and the server
exited; app/serving.py turns the option on (from rxconfig.py). Now Granian starts the dead worker again,
the other worker keeps serving, and the page reconnects with the same client token: sessions and carts are
in PostgreSQL, the page's state in Redis, so nothing is lost.

The database going away is different: the server keeps running; every event that needs the database
refuses with the "temporarily unavailable" message, nothing is half-written, and the same actions work
once the database is back.

Customers: smith28 and smith29 (no other test uses them), in a database of this module's own.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, update
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from models import Account, Cart, Order, OrderLine, Product, Variant
from storefront_qa.demo import CONNECTION_BANNER, cart_lines, smith
from storefront_qa.journeys import three_browsers
from storefront_qa.pages import Store
from storefront_qa.raw_client import run_sync
from storefront_qa.scratch import private_redis, scratch_postgres
from storefront_qa.server import StoreServer
from storefront_qa.tcp_proxy import TcpProxy

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

UNAVAILABLE = "temporarily unavailable"
STACK_TRACE_MARKERS = ("Traceback", "OperationalError", "psycopg", 'File "/')


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(reason + " — required in CI (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def _check_services() -> None:
    if not PG_URL:
        _missing(
            "reliability tests need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as e:
        _missing(f"reliability tests need Redis at $TEST_REDIS_URL ({REDIS_URL}): {e}")
    finally:
        client.close()


@pytest.fixture(scope="module")
def database_url():
    """A fresh PostgreSQL database for this module (`rel_<random>`), dropped at the end."""
    _check_services()
    with scratch_postgres(PG_URL, prefix="rel") as url:
        yield url


@pytest.fixture(scope="module")
def db_proxy(database_url):
    url = make_url(database_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def reliable_store(tmp_path_factory, database_url, db_proxy):
    """The store on PostgreSQL (through `db_proxy`) and a Redis database of its own, two workers."""
    via_proxy = make_url(database_url).set(host="127.0.0.1", port=db_proxy.port)
    with private_redis(REDIS_URL) as redis_url:
        server = StoreServer(
            tmp_path_factory.mktemp("reliability"),
            database_url=via_proxy.render_as_string(hide_password=False),
            redis_url=redis_url,
            workers=2,
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def store_up(reliable_store, db_proxy):
    """Each test starts with the store serving and its database reachable."""
    db_proxy.restore()
    if reliable_store.proc is None or reliable_store.proc.poll() is not None:
        reliable_store.restart()
    return reliable_store


@pytest.fixture(scope="module")
def base_url(reliable_store) -> str:
    return reliable_store.base_url


@pytest.fixture(scope="module")
def direct_db(database_url):
    """Straight to the database (not through the proxy), to check what was really written."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def first_name(db, email: str) -> str:
    with Session(db) as session:
        return session.exec(select(Account.first_name).where(Account.email == email)).one()


def orders(db, email: str) -> list[dict[str, int]]:
    """Every order of the customer, each as product code -> quantity of its lines."""
    with Session(db) as session:
        rows = session.exec(
            select(Order.id, OrderLine.product_code, OrderLine.quantity)
            .join(Account, Account.id == Order.account_id)
            .outerjoin(OrderLine, OrderLine.order_id == Order.id)
            .where(Account.email == email)
            .order_by(Order.id)
        ).all()
    placed: dict[int, dict[str, int]] = {}
    for order_id, code, quantity in rows:
        lines = placed.setdefault(order_id, {})
        if code is not None:
            lines[code] = quantity
    return list(placed.values())


def expect_no_stack_trace(page: Page) -> None:
    body = page.locator("body").inner_text()
    for marker in STACK_TRACE_MARKERS:
        assert marker not in body, f"the page shows {marker!r}:\n{body[:2000]}"


def expect_minicart(s: Store, count: str, codes: list[str]) -> None:
    expect(s.minicart.counter()).to_have_text(count)
    s.minicart.open()
    expect(s.minicart.lines()).to_have_count(len(codes))
    for code in codes:
        expect(s.minicart.line(code)).to_be_visible()
    s.minicart.close()


def exited_within(server: StoreServer, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            return True
        time.sleep(0.2)
    return False


def test_worker_killed_mid_session_loses_nothing(store_up, new_context, direct_db):
    """SIGKILL the workers holding the shopper's connections (the websocket among them): the store stays
    up, the page reconnects by itself, and the session and cart are intact."""
    server, shopper = store_up, smith(28)
    page = new_context().new_page()
    s = Store(page)
    s.sign_in(shopper.email, shopper.password)
    s.product.open("BAG-TOTE")
    s.product.add(2)
    expect(s.minicart.counter()).to_have_text("2")
    s.product.open("LAMP-ARC")
    s.product.add(1)
    expect_minicart(s, "3", ["BAG-TOTE", "LAMP-ARC"])

    victims = server.workers_with_clients()
    assert victims, f"no worker holds the page's connections (workers: {server.worker_pids()})"
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    for pid in victims:
        os.kill(pid, signal.SIGKILL)

    # The store stays up: Granian replaces the killed workers (see the module docstring); the page is not
    # reloaded, it opens a new websocket by itself (so quickly that Reflex's banner may never show).
    assert not exited_within(server, 10), server.log.read_text(errors="replace")[-3000:]
    deadline = time.monotonic() + 60
    while not sockets and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert sockets, "the page did not reconnect"
    expect(page.get_by_text(CONNECTION_BANNER)).to_be_hidden(timeout=60_000)
    respawned = [pid for pid in server.worker_pids() if pid not in victims]
    assert len(respawned) >= len(victims), f"workers now {server.worker_pids()}, killed {victims}"
    expect_minicart(s, "3", ["BAG-TOTE", "LAMP-ARC"])

    s.product.add(1)  # the page still shows LAMP-ARC: the same event, served by the new worker
    s.product.expect_toast("Added")
    expect(s.minicart.counter()).to_have_text("4")

    page.reload()
    s.product.ready()
    expect(s.header.user_menu()).to_contain_text(first_name(direct_db, shopper.email))
    expect_minicart(s, "4", ["BAG-TOTE", "LAMP-ARC"])
    assert cart_lines(direct_db, shopper.email) == {"BAG-TOTE": 2, "LAMP-ARC": 2}
    expect_no_stack_trace(page)


def test_database_outage_refuses_clearly_and_writes_nothing_half(store_up, db_proxy, new_context, direct_db):
    """PostgreSQL unreachable for a moment: adding to the cart, loading the catalog and placing the order
    each say the store is temporarily unavailable (no stack trace); with the database back they work, and
    the database holds exactly the order that was placed."""
    shopper = smith(29)
    page = new_context().new_page()
    s = Store(page)
    s.sign_in(shopper.email, shopper.password)
    s.product.open("BAG-TOTE")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")

    db_proxy.cut()
    try:
        s.product.add_button().click()
        s.product.expect_toast(UNAVAILABLE)
        expect(s.minicart.counter()).to_have_text("1")
        expect_no_stack_trace(page)

        page.goto("/")
        s.catalog.expect_toast(UNAVAILABLE)
        expect_no_stack_trace(page)

        page.goto("/product/LAMP-ARC")
        s.product.expect_toast(UNAVAILABLE)
        expect(s.product.not_found()).to_have_count(0)  # unreachable is not "no such product"
        expect_no_stack_trace(page)
        assert cart_lines(direct_db, shopper.email) == {"BAG-TOTE": 1}
    finally:
        db_proxy.restore()

    s.catalog.open()
    expect(s.catalog.cards()).to_have_count(12)
    s.product.open("LAMP-ARC")
    expect(s.product.price_label()).to_be_visible()
    s.product.open("BAG-TOTE")
    s.product.add(1)
    s.product.expect_toast("Added")
    expect(s.minicart.counter()).to_have_text("2")

    s.cart.open()
    s.cart.checkout()
    s.checkout.fill_card("4242 4242 4242 4242", "12/30", "123")
    db_proxy.cut()
    try:
        s.checkout.place_order()
        s.checkout.expect_toast(UNAVAILABLE)
        expect_no_stack_trace(page)
        assert "/checkout" in page.url
        assert orders(direct_db, shopper.email) == []
        assert cart_lines(direct_db, shopper.email) == {"BAG-TOTE": 2}
    finally:
        db_proxy.restore()

    s.checkout.place_order()
    s.checkout.order_number()
    assert orders(direct_db, shopper.email) == [{"BAG-TOTE": 2}]
    assert cart_lines(direct_db, shopper.email) == {}
    expect(s.minicart.counter()).to_have_text("0")


def test_three_browsers_on_two_workers(store_up, new_context):
    """The live lock journey of test_cart_lock (two CSRs and the customer, each in their own browser) on
    PostgreSQL + Redis with two workers. The customer has more browsers on the cart page, opened until
    both workers hold connections of theirs, and every one of them sees each change live: changes cross
    workers through Redis."""
    customer = smith(27)
    browsers: list[Store] = []
    while len(browsers) < 2 or (len(store_up.workers_with_clients()) < 2 and len(browsers) < 8):
        b = Store(new_context().new_page())
        b.sign_in(customer.email, customer.password)
        b.cart.open()
        browsers.append(b)
    assert len(store_up.workers_with_clients()) == 2, "the customer's browsers all landed on one worker"
    three_browsers(new_context, customer, customer_view=browsers[0], viewers=browsers[1:])


def test_csr_and_customer_served_by_different_workers_see_each_other_live(store_up, direct_db):
    """A CSR whose websocket one worker serves and the customer whose websocket the other worker
    serves (checked through /proc, not assumed) see each other's cart changes at once, through Redis."""
    run_sync(_across_workers(store_up, direct_db))


async def _across_workers(server: StoreServer, db) -> None:
    from app.state.cart import CartState, LiveCart
    from app.state.customer_service import CustomerServiceState
    from storefront_qa.demo import CSR
    from storefront_qa.raw_client import RawClient, changed, signed_in

    customer = smith(26)
    with Session(db) as session:
        customer_id = session.exec(select(Account.id).where(Account.email == customer.email)).one()
        sku = session.exec(
            select(Variant.sku)
            .join(Product, Product.id == Variant.product_id)
            .where(Product.code == "BAG-TOTE")
        ).first()
    shopper = await signed_in(server.base_url, customer, "/cart")
    shopper_worker = server.worker_serving(shopper.local_port)
    assert shopper_worker, "no worker serves the customer's websocket"
    login = await signed_in(server.base_url, CSR, "/customer-service")
    csr = login
    for _ in range(20):  # a new tab of the same CSR browser, until the other worker serves it
        if server.worker_serving(csr.local_port) not in (None, shopper_worker):
            break
        if csr is not login:
            await csr.close()
        csr = RawClient(server.base_url, "/customer-service", cookies=login.cookies)
        await csr.connect()
    csr_worker = server.worker_serving(csr.local_port)
    assert csr_worker and csr_worker != shopper_worker, f"both served by {shopper_worker}"

    cart, live = CartState.get_full_name(), LiveCart
    try:
        await csr.emit(CustomerServiceState.get_full_name() + ".access", {"customer_id": customer_id})
        shopper.discard()
        await csr.emit(cart + ".lock")
        seen = await shopper.drain(quiet=15, timeout=15, until=lambda f: True in changed(f, live, "locked"))
        assert True in changed(seen, live, "locked"), "the lock did not reach the customer's worker"

        await csr.emit(cart + ".add", {"sku": sku, "quantity": 2})
        seen = await shopper.drain(quiet=15, timeout=15, until=lambda f: changed(f, live, "lines"))
        lines = changed(seen, live, "lines")[-1]
        assert [(line["code"], line["quantity"]) for line in lines] == [("BAG-TOTE", 2)]

        await csr.emit(cart + ".unlock")
        csr.discard()
        await shopper.emit(cart + ".set_quantity", {"line_id": lines[0]["line_id"], "quantity": "3"})
        seen = await csr.drain(quiet=15, timeout=15, until=lambda f: changed(f, live, "lines"))
        assert [line["quantity"] for line in changed(seen, live, "lines")[-1]] == [3]

        # A lock that runs out is shown unlocked by the server's own watcher (a background task on the CSR's
        # worker), on the customer's worker too.
        await csr.emit(cart + ".lock")
        seen = await shopper.drain(quiet=15, timeout=15, until=lambda f: True in changed(f, live, "locked"))
        assert True in changed(seen, live, "locked")
        with Session(db) as session:
            session.exec(
                update(Cart)
                .where(Cart.account_id == customer_id, Cart.status == "active")
                .values(lock_expires_at=datetime.now(UTC) + timedelta(seconds=2))
            )
            session.commit()
        seen = await shopper.drain(quiet=30, timeout=30, until=lambda f: False in changed(f, live, "locked"))
        assert False in changed(seen, live, "locked"), "the expired lock was not shown unlocked"
    finally:
        for client in {shopper, login, csr}:
            await client.close()
