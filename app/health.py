"""`GET /health` (docs/OPERATIONS.md): is this server able to serve? The database answers a query and, when
REDIS_URL is set, Redis answers a PING, each within HEALTH_TIMEOUT_SECONDS: 200, else 503 naming the part.

A check runs in a small thread pool of its own and at most one at a time per part: while the database hangs,
every probe answers 503 after the timeout and no threads pile up.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from starlette.requests import Request
from starlette.responses import JSONResponse

from app import config

_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="health")
_running: dict[str, Future] = {}


async def bounded(part: str, check: Callable[[], object]) -> object:
    """`check()` in the pool, the one already running for `part` if any; TimeoutError after the timeout."""
    future = _running.get(part)
    if future is None or future.done():
        future = _running[part] = _POOL.submit(check)
    return await asyncio.wait_for(asyncio.wrap_future(future), config.HEALTH_TIMEOUT_SECONDS)


def _database() -> None:
    from app.services import health
    from app.services.db import session_scope

    with session_scope() as db:
        health.ping(db)


def _redis() -> None:
    import redis

    timeout = config.HEALTH_TIMEOUT_SECONDS
    client = redis.Redis.from_url(config.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


async def _state(part: str, check: Callable[[], object]) -> str:
    try:
        await bounded(part, check)
    except TimeoutError:
        return "timeout"
    except Exception:  # noqa: BLE001 - any failure of the part is its being down
        return "down"
    return "ok"


def instance() -> str:
    return config.INSTANCE or f"{socket.gethostname()}:{config.BACKEND_PORT}"


async def health_endpoint(request: Request) -> JSONResponse:
    database, redis_state = await asyncio.gather(
        _state("database", _database),
        _state("redis", _redis) if config.REDIS_URL else asyncio.sleep(0, "not used"),
    )
    healthy = database == "ok" and redis_state in ("ok", "not used")
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": database,
        "redis": redis_state,
        "instance": instance(),
    }
    return JSONResponse(body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"})
