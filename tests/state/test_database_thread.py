"""On PostgreSQL a worker's units of work run in its one database thread (app/state/guard.py): one at a time,
off the event loop, with the event's context."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

from app.state import guard

PROBE = contextvars.ContextVar("probe", default="no context")


def test_units_of_work_run_one_at_a_time_in_one_thread_off_the_loop_with_the_events_context():
    running, seen = [0], []

    def unit_of_work(i: int) -> int:
        running[0] += 1
        try:
            assert running[0] == 1, "two units of work ran at once"
            seen.append((threading.get_ident(), PROBE.get()))
            time.sleep(0.01)  # waits as on the database server: the others queue, none starts
            return i * 10
        finally:
            running[0] -= 1

    async def events():
        PROBE.set("the event's")
        return threading.get_ident(), await asyncio.gather(
            *(guard._in_database_thread(unit_of_work, i) for i in range(6))
        )

    loop_thread, results = asyncio.run(events())
    assert results == [0, 10, 20, 30, 40, 50]
    threads = {ident for ident, _ in seen}
    assert len(threads) == 1 and loop_thread not in threads
    assert {probe for _, probe in seen} == {"the event's"}


def test_the_loop_goes_on_while_a_unit_of_work_waits():
    async def events():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        task = asyncio.create_task(ticker())
        await guard._in_database_thread(time.sleep, 0.2)
        task.cancel()
        return ticks

    assert asyncio.run(events()) >= 5
