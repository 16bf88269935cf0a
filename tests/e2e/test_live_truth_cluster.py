"""Live truth across workers (issue 11): the session-end and abandonment rows of the matrix in
tests/e2e/test_live_truth.py (`storefront_qa.live_truth`) on PostgreSQL + Redis with two backend workers, the customer's page and the
CSR's acting page served by different workers.

Which worker serves a page is read, not assumed: Reflex's Redis token manager records, for each page's
client token (the tab's sessionStorage "token"), the instance (worker) holding its websocket
(`token_manager_socket_record_<token>`). Viewer tabs are opened until their websocket is on a worker other
than the acting page's (as test_reliability spreads browsers over workers, but per page), they move only
client-side from then on (a full navigation may reconnect elsewhere), and the placement is checked again
just before the action. The timing table goes to test-artifacts/live_truth_times_cluster.json.

Needs TEST_DATABASE_URL (a PostgreSQL server; this module creates and drops a database of its own) and
Redis at $TEST_REDIS_URL (default redis://127.0.0.1:6379; a logical database of its own); skips without
them unless REQUIRE_SERVICES=1. Customers smith21…smith26 and smith30, in this module's own database.
"""

from __future__ import annotations

import os
import pickle
import time

import pytest
from sqlalchemy import create_engine

from storefront_qa.demo import smith
from storefront_qa.journeys import csr_opens_more_tabs
from storefront_qa.live_truth import (
    STORE_ENV,
    Path,
    Timings,
    World,
    abandonment,
    run_row,
    session_idle,
    session_second,
    session_sign_in_as_yourself,
    session_sign_out,
    session_tab,
)
from storefront_qa.scratch import private_redis, scratch_postgres
from storefront_qa.server import StoreServer

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
SOCKET_RECORD = "token_manager_socket_record_"  # reflex.utils.token_manager.RedisTokenManager

CLUSTER_PATHS = [
    Path("end-sign-in-as-yourself", "session end: sign in as yourself", 21, session_sign_in_as_yourself),
    Path("end-sign-out", "session end: sign out", 22, session_sign_out),
    Path("end-customer-service-tab", "session end: Customer Service tab", 23, session_tab),
    Path("end-idle", "session end: idle timeout", 24, session_idle),
    Path("end-second-session", "session end: second session elsewhere", 25, session_second),
    Path("abandonment", "abandonment", 26, abandonment),
]


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(reason + " — required in CI (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def _check_services() -> None:
    if not PG_URL:
        _missing(
            "the cluster matrix needs TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as e:
        _missing(f"the cluster matrix needs Redis at $TEST_REDIS_URL ({REDIS_URL}): {e}")
    finally:
        client.close()


class Placer:
    """Which backend worker holds a page's websocket, from Reflex's socket records in Redis."""

    def __init__(self, redis_url: str):
        import redis

        self.client = redis.Redis.from_url(redis_url)
        self.names: dict[str, str] = {}

    def worker(self, page, timeout: float = 10.0) -> str:
        token = page.evaluate("() => window.sessionStorage.getItem('token')")
        assert token, "the page has no client token yet"
        deadline = time.monotonic() + timeout
        while True:
            raw = self.client.get(SOCKET_RECORD + token)
            if raw is not None:
                instance = pickle.loads(raw).instance_id
                return self.names.setdefault(instance, f"worker {len(self.names) + 1}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no socket record in Redis for the page's token {token}")
            time.sleep(0.1)

    def close(self) -> None:
        self.client.close()


@pytest.fixture(scope="module")
def database_url():
    """A fresh PostgreSQL database for this module (`live_<random>`), dropped at the end."""
    _check_services()
    with scratch_postgres(PG_URL, prefix="live") as url:
        yield url


@pytest.fixture(scope="module")
def redis_url():
    with private_redis(REDIS_URL) as url:
        yield url


@pytest.fixture(scope="module")
def cluster_store(tmp_path_factory, database_url, redis_url, pytestconfig):
    if pytestconfig.getoption("--store-url"):
        pytest.skip("needs a fresh store of its own (not --store-url)")
    server = StoreServer(
        tmp_path_factory.mktemp("live-truth-cluster"),
        env=STORE_ENV,
        database_url=database_url,
        redis_url=redis_url,
        workers=2,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def base_url(cluster_store) -> str:
    return cluster_store.base_url


@pytest.fixture(scope="module")
def engine(database_url):
    """Straight to the database, to move time (the idle timeout) and read what was written."""
    eng = create_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def placer(redis_url):
    p = Placer(redis_url)
    yield p
    p.close()


@pytest.fixture(scope="module")
def cluster_timings(request):
    table = Timings("PostgreSQL + Redis, two workers", "live_truth_times_cluster.json")
    yield table
    table.report(request.config)


@pytest.mark.parametrize("path", CLUSTER_PATHS, ids=[p.id for p in CLUSTER_PATHS])
def test_every_viewer_sees_the_new_truth_across_workers(
    path, new_context, browser, base_url, engine, placer, cluster_store, cluster_timings
):
    assert len(cluster_store.worker_pids()) == 2, f"workers: {cluster_store.worker_pids()}"
    world = World(new_context, browser, base_url, engine, path.customer, placer=placer)
    run_row(path, world, cluster_timings)


def test_a_csr_on_behalf_opens_more_tabs_and_each_one_loads_on_two_workers(new_context, cluster_store):
    """test_live_truth's test of a CSR on behalf opening more tabs, with Reflex's state and locks in Redis."""
    csr_opens_more_tabs(new_context, smith(30))
