"""`GET /metrics` after real events (app/metrics.py, docs/OPERATIONS.md): events and their latency by handler,
cart-lock conflicts and takeovers, live on-behalf sessions; the text is valid Prometheus exposition."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session
from starlette.testclient import TestClient

from app.endpoints import api
from app.state.cart import CartState
from app.state.customer_service import CustomerServiceState
from app.state.session import SessionState
from tests.conftest import make_account, make_product


@pytest.fixture
def people(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com"),
            "csr": make_account(db, "Casey", "Rep", "csr@example.com", role="csr"),
            "csr2": make_account(db, "Sam", "Agent", "csr2@example.com", role="csr"),
            "product": make_product(db, "TEE-1", stock=10),
        }


def scrape() -> dict[tuple[str, tuple], float]:
    response = TestClient(api).get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):  # raises on text that does not parse
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_counters_move_with_events(client, people):
    before = scrape()
    a, b = client(people["csr"]), client(people["csr2"])
    for c in (a, b):
        c.call(CustomerServiceState, "access", people["jane"].id)
    a.call(CartState, "lock")
    b.call(CartState, "lock")  # refused: Casey holds it
    b.call(CartState, "take_over")
    after = scrape()

    def moved(name: str, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # Units of work are counted: accessing runs two (the access, then the new identity), a refused lock one
    # more (the fresh cart it shows), and each one's time is observed.
    assert moved("store_events_total", handler="CustomerServiceState.access", outcome="ok") == 4
    assert moved("store_events_total", handler="CartState.lock", outcome="refused") == 1
    assert moved("store_events_total", handler="CartState.take_over", outcome="ok") >= 1
    lock_units = sum(
        moved("store_events_total", handler="CartState.lock", outcome=o) for o in ("ok", "refused")
    )
    assert lock_units >= 2 and moved("store_event_seconds_count", handler="CartState.lock") == lock_units
    assert moved("store_event_seconds_sum", handler="CartState.lock") > 0
    assert moved("store_cart_lock_conflicts_total") == 1
    assert moved("store_cart_lock_changes_total", event="lock") == 1
    assert moved("store_cart_lock_changes_total", event="takeover") == 1
    assert value(after, "store_on_behalf_sessions") == 2  # read from the database at scrape time
    assert ("store_connected_clients", ()) in after


def test_handler_names_reach_past_private_helpers(client, people):
    """Signing in runs the guard from `_signed_in`: counted under the public handler that was called."""
    before = scrape()
    tab = client()
    tab.call(SessionState, "sign_in", {"email": "csr@example.com", "password": "shop-pass-123"})
    assert tab.session.signed_in
    after = scrape()
    key = ("store_events_total", (("handler", "SessionState.sign_in"), ("outcome", "ok")))
    assert after.get(key, 0) - before.get(key, 0) >= 2  # the sign-in and the hand-off
    assert not any(dict(labels).get("handler") == "SessionState._signed_in" for _, labels in after)
