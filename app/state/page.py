"""A page's one on-load event, and which page has finished loading (the `app-ready` QA hook's `data-path`)."""

from __future__ import annotations

import inspect

import reflex as rx
from reflex.event import EventHandler

from app.state.cart import CartState
from app.state.toast import backend_exception_handler, event

# Each page's own on-load handlers, by route (components/shell.py `page` registers them).
_PAGE_LOADS: dict[str, tuple[EventHandler, ...]] = {}


def arriving(route: str, handlers: list[EventHandler]) -> list:
    """What Reflex runs when `route` loads: one event, `PageState.arrive`, instead of one per handler."""
    _PAGE_LOADS[route] = tuple(handlers)
    return [PageState.arrive(route)]


class PageState(rx.State):
    # Reflex's is_hydrated stays true from the previous page until the next page's on-load events start,
    # so after a client-side navigation "ready" alone can describe the page being left. `arrive` records
    # the page's path last; the page is ready when that path is the one in the address bar.
    loaded_path: str = ""

    @event
    async def arrive(self, route: str):
        """Load the page at `route`: the header and mini-cart (`CartState.load`), then the page's own
        handlers, in this one event. As separate on-load events each took the tab's state lock, fetched its
        states and sent its own delta (the catalog's page ran three, and Redis fetched the tab for each):
        bench/RESULTS.md, "One on-load event". In the same order as before, and as before a handler that
        fails says so (a toast) without keeping the next from running."""
        events: list = []
        for handler in (CartState.load, *_PAGE_LOADS.get(route, ())):
            events.extend(await _run_part(self, handler))
        self.loaded_path = self.router.url.path
        return events


async def _run_part(state: rx.State, handler: EventHandler) -> list:
    """`handler` run on its own state in this event, as Reflex would: what it returns, as a list."""
    owner = await state.get_state(handler.state)
    try:
        result = handler.fn(owner)
        if inspect.isawaitable(result):
            result = await result
    except Exception as failure:  # noqa: BLE001 - what Reflex does with an event's failure, then go on
        result = backend_exception_handler(failure)
    if result is None:
        return []
    return list(result) if isinstance(result, list | tuple) else [result]
