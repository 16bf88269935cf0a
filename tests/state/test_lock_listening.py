"""With Redis, a worker hears a state lock's release only while one of its events waits for that lock
(app/serving.py `listen_to_awaited_locks_only`); Reflex's own listener heard every lock of every worker.
Two state managers stand for two workers on one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken

import app.app  # noqa: F401  (registers every state; rxconfig.py has patched the manager)
from app.serving import IDLE_LOCK_CHANNEL, listen_to_awaited_locks_only
from app.state.cart import CartState
from tests.conftest import REQUIRE_SERVICES

URL = "redis://127.0.0.1:6379/9"
# Far longer than any wait here: a waiter that gets the lock soon was woken by the release, not by the timeout.
LOCK_MS = 60_000


@pytest.fixture(autouse=True)
def redis_up():
    import redis

    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if REQUIRE_SERVICES:
            pytest.fail("no Redis on 127.0.0.1:6379 — required in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    listen_to_awaited_locks_only()  # done by rxconfig.py in the store; idempotent


def worker() -> StateManagerRedis:
    return StateManagerRedis(
        redis=Redis.from_url(URL), lock_expiration=LOCK_MS, lock_warning_threshold=LOCK_MS - 1
    )


def token() -> BaseStateToken:
    return BaseStateToken(ident=f"locktest{uuid.uuid4().hex}", cls=CartState)


async def subscribers(channel: bytes) -> int:
    async with Redis.from_url(URL) as r:
        return dict(await r.pubsub_numsub(channel))[channel]


async def listeners(channel_: bytes, expected: int) -> int:
    """How many listen to `channel_` once they are `expected` (subscribing and unsubscribing reach Redis a
    little later), or after 5 s how many they are then."""
    heard = await subscribers(channel_)
    for _ in range(50):
        if heard == expected:
            break
        await asyncio.sleep(0.1)
        heard = await subscribers(channel_)
    return heard


def channel(manager: StateManagerRedis, tok: BaseStateToken) -> bytes:
    return b"__keyspace@9__:" + manager._lock_key(tok)


async def in_turn(holder: StateManagerRedis, waiter: StateManagerRedis, tok: BaseStateToken) -> list:
    """`holder` takes the lock; `waiter` asks for it and waits; `holder` lets go. What happened, in order."""
    seen: list = []
    held = asyncio.Event()

    async def hold():
        async with holder._lock(tok):
            held.set()
            seen.append(("waiting, its lock's channel heard by", await listeners(channel(waiter, tok), 1)))
            seen.append("released")

    async def wait():
        await held.wait()
        async with waiter._lock(tok):
            seen.append("acquired")

    await asyncio.wait_for(asyncio.gather(hold(), wait()), timeout=10)
    return seen


def test_a_waiter_on_another_worker_gets_the_lock_when_it_is_released():
    async def scenario():
        a, b = worker(), worker()
        try:
            tok = token()
            seen = await in_turn(a, b, tok)
            return seen, await listeners(channel(b, tok), 0)
        finally:
            await a.close()
            await b.close()

    seen, after = asyncio.run(scenario())
    assert seen == [("waiting, its lock's channel heard by", 1), "released", "acquired"]
    assert after == 0  # nobody listens to a lock nobody waits for


def test_a_lock_nobody_waits_for_is_sent_to_nobody():
    async def scenario():
        a = worker()
        try:
            tok = token()
            async with a._lock(tok):
                pass
            await a._ensure_lock_task_subscribed()
            async with Redis.from_url(URL) as r:
                patterns = await r.pubsub_numpat()
            return await subscribers(channel(a, tok)), await subscribers(IDLE_LOCK_CHANNEL), patterns
        finally:
            await a.close()

    lock_channel, idle, patterns = asyncio.run(scenario())
    assert lock_channel == 0 and idle >= 1
    assert patterns == 0  # no worker listens to every lock (other stores on this Redis would show here)


def test_many_waiters_in_turn_across_workers():
    """Three workers, each with events queued on one tab's lock: every event gets it, one at a time."""

    async def scenario():
        managers = [worker() for _ in range(3)]
        tok, inside, most, done = token(), 0, 0, []
        try:

            async def event(m: StateManagerRedis, n: int):
                nonlocal inside, most
                async with m._lock(tok):
                    inside += 1
                    most = max(most, inside)
                    await asyncio.sleep(0.01)
                    inside -= 1
                    done.append(n)

            await asyncio.wait_for(
                asyncio.gather(*(event(managers[n % 3], n) for n in range(30))), timeout=20
            )
            return most, sorted(done), await listeners(channel(managers[0], tok), 0)
        finally:
            for m in managers:
                with contextlib.suppress(Exception):
                    await m.close()

    most, done, left = asyncio.run(scenario())
    assert most == 1 and done == list(range(30)) and left == 0


def test_a_waiter_that_gives_up_stops_listening():
    """An event cancelled while it waits (its tab closed, the worker stopping) leaves no subscription behind."""

    async def scenario():
        a, b = worker(), worker()
        tok = token()
        try:
            async with a._lock(tok):

                async def wait():
                    async with b._lock(tok):
                        pass

                waiter = asyncio.create_task(wait())
                heard = await listeners(channel(b, tok), 1)
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
            return heard, await listeners(channel(b, tok), 0)
        finally:
            await a.close()
            await b.close()

    assert asyncio.run(scenario()) == (1, 0)
