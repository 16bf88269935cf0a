"""The store's Prometheus metrics and `GET /metrics` (docs/OPERATIONS.md).

Counted where things happen once for every path: the guard's unit of work (app/state/guard.py `run`) counts
events and their latency by handler, refusals, and the cart-lock changes its publications carry (the sweeper's
too); an ASGI middleware counts open websockets. With several backend workers the figures add up through
prometheus-client's multiprocess folder (PROMETHEUS_MULTIPROC_DIR, prepared by app/serving.py
`metrics_folder`). Live on-behalf sessions are read from the database at scrape time.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import FrameType

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import values as _values
from prometheus_client.core import GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.services.errors import DomainError, LockConflict, Unavailable

EVENTS = Counter(
    "store_events_total",
    "Units of work of events (app/state/guard.py run), by handler and outcome (ok, refused, unavailable, error)",
    ["handler", "outcome"],
)
EVENT_SECONDS = Histogram(
    "store_event_seconds",
    "Time of an event's unit of work (database work, commit, publishing), by handler",
    ["handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
LOCK_CONFLICTS = Counter(
    "store_cart_lock_conflicts_total",
    "Cart-lock requests refused because another representative holds or just changed the lock",
)
LOCK_CHANGES = Counter(
    "store_cart_lock_changes_total",
    "Cart locks granted and given up: lock, unlock, takeover, released (by a supervisor), expired, abandoned, "
    "ended (with the on-behalf session)",
    ["event"],
)
CLIENTS = Gauge(
    "store_connected_clients",
    "Open websocket connections to Reflex's event endpoint: one per open page (tab) of the store",
    multiprocess_mode="livesum",
)

_APP_DIR = str(Path(__file__).resolve().parent)
_GUARD_FILE = str(Path(__file__).resolve().parent / "state" / "guard.py")


def handler_name(frame: FrameType | None) -> str:
    """The event handler that called the guard, from the calling frame: past the guard's own helpers and a
    state's private helpers (`_signed_in`) to the public handler, as `State.method`."""
    best = frame
    for _ in range(6):
        if frame is None or not frame.f_code.co_filename.startswith(_APP_DIR):
            break
        best = frame
        code = frame.f_code
        if code.co_filename != _GUARD_FILE and not code.co_name.startswith("_"):
            break
        frame = frame.f_back
    return best.f_code.co_qualname if best is not None else "unknown"


def event_done(handler: str, started: float, error: BaseException | None) -> None:
    if error is None:
        outcome = "ok"
    elif isinstance(error, Unavailable):
        outcome = "unavailable"
    elif isinstance(error, DomainError):
        outcome = "refused"
        if isinstance(error, LockConflict):
            LOCK_CONFLICTS.inc()
    else:
        outcome = "error"
    EVENTS.labels(handler, outcome).inc()
    EVENT_SECONDS.labels(handler).observe(time.perf_counter() - started)


def published(publications) -> None:
    """Count the lock changes among what a unit of work publishes (app/services/live.py)."""
    for cart in publications.carts:
        if cart.event:
            LOCK_CHANGES.labels(cart.event).inc()


class ConnectedClients:
    """`api_transformer` entry: counts the open websockets of Reflex's event endpoint (every open page holds
    one; a reconnecting page counts once it is back)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        CLIENTS.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENTS.dec()


def _open_on_behalf_sessions() -> int:
    from app.services import health
    from app.services.db import session_scope

    with session_scope() as db:
        return health.open_on_behalf_sessions(db)


class _Gauge:
    """A figure read at scrape time, once for the whole server (not per worker)."""

    def __init__(self, name: str, documentation: str, value: float | None):
        self.name, self.documentation, self.value = name, documentation, value

    def collect(self):
        if self.value is None:  # unknown (the database is away): say nothing rather than a wrong zero
            return
        family = GaugeMetricFamily(self.name, self.documentation)
        family.add_metric([], self.value)
        yield family


def multiprocess() -> bool:
    """Whether this process counts in the shared folder (the variable was set before prometheus-client loaded)."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR")) and _values.ValueClass is not _values.MutexValue


def _forget_dead_workers(folder: str) -> None:
    """A worker that died (Granian starts another) leaves its live gauges' files: drop them."""
    from prometheus_client import multiprocess as mp

    for path in Path(folder).glob("gauge_live*_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            mp.mark_process_dead(int(pid), folder)


def scrape(on_behalf_sessions: float | None = None) -> bytes:
    if multiprocess():
        from prometheus_client import multiprocess as mp

        folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
        _forget_dead_workers(folder)
        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry, path=folder)
    else:
        from prometheus_client import REGISTRY as registry  # one process (tests, a single worker)
    out = CollectorRegistry()
    out.register(
        _Gauge("store_on_behalf_sessions", "On-behalf sessions open now (database)", on_behalf_sessions)
    )
    return generate_latest(registry) + generate_latest(out)


async def metrics_endpoint(request: Request) -> Response:
    import asyncio

    from app.health import bounded

    try:  # time-bounded like /health: a hanging database leaves the figure out, not the scrape
        sessions = await bounded("on-behalf sessions", _open_on_behalf_sessions)
    except Exception:  # noqa: BLE001
        sessions = None
    body = await asyncio.to_thread(scrape, sessions)  # reads the workers' files: off the event loop
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
