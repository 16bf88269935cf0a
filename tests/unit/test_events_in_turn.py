"""A worker handles at most EVENTS_AT_ONCE events at a time; the rest wait before their state lock
(app/serving.py `admit_events_in_turn`)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from app.serving import admit_events_in_turn


def _processor():
    class Processor:
        running = 0
        most = 0
        order: list[int] = []

        async def _execute_event(self, *, entry, registered_handler):
            type(self).running += 1
            type(self).most = max(type(self).most, type(self).running)
            await asyncio.sleep(0.01)  # holds its tab's lock meanwhile
            type(self).order.append(entry)
            type(self).running -= 1

    return Processor


def _handler(background=False):
    return SimpleNamespace(handler=SimpleNamespace(is_background=background))


def test_at_most_the_limit_run_at_once_and_every_event_runs():
    cls = _processor()
    admit_events_in_turn(cls, limit=3)
    admit_events_in_turn(cls, limit=3)  # patching twice changes nothing
    processor = cls()

    async def rush():
        await asyncio.gather(
            *(processor._execute_event(entry=i, registered_handler=_handler()) for i in range(20))
        )

    asyncio.run(rush())
    assert cls.most == 3
    assert sorted(cls.order) == list(range(20))


def test_background_tasks_do_not_wait_for_a_turn():
    cls = _processor()
    admit_events_in_turn(cls, limit=1)
    processor = cls()

    async def rush():
        await asyncio.gather(
            *(processor._execute_event(entry=i, registered_handler=_handler(True)) for i in range(5))
        )

    asyncio.run(rush())
    assert cls.most == 5


def test_the_store_patches_reflex_processor():
    from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

    admit_events_in_turn()
    assert getattr(BaseStateEventProcessor._execute_event, "in_turn", False)
