"""Live views shared by every open page that shows the same thing, and the one way to publish to them.

`LiveCart` is shared by every browser showing one cart (the customer's, the CSRs'), and says too when an
on-behalf session for that customer ended, so the session's tabs find out on whatever page they are. A tab
links to it only after the server resolved that its caller may see that cart. One shared state per tab:
Reflex holds every linked state of a tab for a whole event, so two would deadlock tabs that linked them
in different orders. What is published comes from app/services/live.py, read inside the unit of
work that changed it; `publish` writes it after the commit, from an event (app/state/guard.py) or from
work that runs outside any event (the sweeper below). Holds nothing secret: linked clients see every var.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import reflex as rx

from app.services import carts, live
from app.services.errors import DomainError

log = logging.getLogger("store")
T = TypeVar("T")

VIEW_FIELDS = (
    "version",
    "lines",
    "count",
    "subtotal",
    "subtotal_cents",
    "list_subtotal",
    "discount",
    "adjustment",
    "has_adjustment",
    "locked",
    "lock_holder",
    "lock_since",
    "lock_ref",
    "prepared_by",
    "code",
    "moved",
)
# Copied by name from the published view: a name it lacks fails at import, not on the first publish.
if _missing := set(VIEW_FIELDS) - {f.name for f in dataclasses.fields(carts.CartView)}:
    raise TypeError(f"CartView has no {sorted(_missing)}")


class LiveCart(rx.SharedState):
    """What every viewer of one cart sees. Staff appear by name and by an opaque tag, never by id."""

    cart_id: int = 0
    version: int = 0
    lines: list[carts.CartLineView] = []
    count: int = 0
    subtotal: str = "$0.00"
    subtotal_cents: int = 0
    list_subtotal: str = "$0.00"
    discount: str = "$0.00"
    has_discount: bool = False
    adjustment: str = "$0.00"
    has_adjustment: bool = False
    locked: bool = False
    holder_tag: str = ""
    lock_holder: str = ""
    lock_since: str = ""
    lock_ref: str = ""
    prepared_by: str = ""
    # An anonymous cart's code to read out to customer service (app/services/cart_codes.py); only that
    # browser's tabs are linked to an anonymous cart. `moved`: customer service moved this cart into a
    # customer's account (lock_event "moved"), so its page says where the lines went.
    code: str = ""
    moved: bool = False
    # The last lock event and whom it displaced, so the displaced CSR's page can say so.
    lock_event: str = ""
    previous_holder_tag: str = ""
    # On-behalf sessions for this customer that ended lately (session tag -> why), so each of their
    # tabs, on whatever page, finds out and leaves the customer's pages.
    ended_sessions: dict[str, str] = {}
    # The tabs of each on-behalf session viewing this cart (session tag -> client tokens): unlinked from
    # the cart when the session ends, so a page that ignores the redirect stops receiving it.
    _session_viewers: dict[str, list[str]] = {}


ENDED_KEPT = 20


def write_cart(
    live_cart: LiveCart,
    view: carts.CartView,
    lock_event: str = "",
    previous_holder_tag: str = "",
    *,
    read_under_lock: bool = False,
) -> bool:
    """Write a fresh view of the cart into the shared state its viewers are linked to; False when the shared
    cart is newer and was left as it is. `read_under_lock`: the view was read while this event held the shared
    cart, so it is the truth even if it looks older."""
    if live_cart.cart_id == view.id and view.version < live_cart.version and not read_under_lock:
        return False  # someone already published a newer state of this cart
    if live_cart.cart_id != view.id:
        live_cart.cart_id = view.id
    for name in VIEW_FIELDS:
        if getattr(live_cart, name) != getattr(view, name):
            setattr(live_cart, name, getattr(view, name))
    has_discount = view.discount_cents > 0
    if live_cart.has_discount != has_discount:
        live_cart.has_discount = has_discount
    if live_cart.holder_tag != view.lock_holder_tag:
        live_cart.holder_tag = view.lock_holder_tag
    if lock_event:
        live_cart.lock_event = lock_event
        live_cart.previous_holder_tag = previous_holder_tag
    return True


def add_session_viewer(live_cart: LiveCart, session_tag: str, client_token: str) -> None:
    viewers = live_cart._session_viewers.get(session_tag, [])
    if client_token not in viewers:
        live_cart._session_viewers = {**live_cart._session_viewers, session_tag: [*viewers, client_token]}


def _write_session_end(live_cart: LiveCart, end: live.SessionEnd) -> None:
    kept = list(live_cart.ended_sessions.items())[-(ENDED_KEPT - 1) :]
    live_cart.ended_sessions = {**dict(kept), end.tag: end.reason}


def linked_token(state: rx.State, cls: type[rx.State]) -> str | None:
    """The shared token this tab's `cls` is linked to, if any (without loading it)."""
    links = state._get_root_state()._reflex_internal_links or {}
    return links.get(cls.get_full_name())


async def publish(state: rx.State | None, publications: live.Publications) -> None:
    """Show every open page what was committed. From an event, what this tab is linked to is written in
    the event's own state (Reflex fans it out to the other linked tabs); everything else, and everything
    from outside an event, is written to the shared state directly."""
    for pub in publications.carts:
        if state is not None and linked_token(state, LiveCart) == pub.token:
            write_cart(await state.get_state(LiveCart), pub.view, pub.event, pub.previous_holder_tag)
        else:
            _spawn(_publish_cart_out_of_band(pub))
    for end in publications.sessions:
        if state is not None and linked_token(state, LiveCart) == end.token:
            _write_session_end(await state.get_state(LiveCart), end)
            _spawn(_unlink_session_viewers(end))  # runs once this event let go of the cart
        else:
            _spawn(_publish_session_out_of_band(end))


_TASKS: set[asyncio.Task] = set()


def _spawn(coro) -> None:
    """Out of band, in a task of its own: the event publishing it may hold the lock of a state it writes."""
    try:
        task = asyncio.get_running_loop().create_task(coro)
    except RuntimeError:
        coro.close()
        return
    _TASKS.add(task)
    task.add_done_callback(_done)


def _done(task: asyncio.Task) -> None:
    _TASKS.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("publishing a live change failed", exc_info=task.exception())


def _app():
    from reflex_base.registry import RegistrationContext

    try:
        return RegistrationContext.get().app
    except LookupError:
        from reflex.utils.prerequisites import get_and_validate_app

        return get_and_validate_app().app


def _modify_shared(token: str, cls: type[rx.State]):
    from reflex.istate.manager.token import BaseStateToken

    return _app().modify_state(BaseStateToken(ident=token, cls=cls))


async def _publish_cart_out_of_band(pub: live.CartPublication) -> None:
    async with _modify_shared(pub.token, LiveCart) as root:
        write_cart(await root.get_state(LiveCart), pub.view, pub.event, pub.previous_holder_tag)


async def _publish_session_out_of_band(end: live.SessionEnd) -> None:
    async with _modify_shared(end.token, LiveCart) as root:
        _write_session_end(await root.get_state(LiveCart), end)
    await _unlink_session_viewers(end)


async def _unlink_session_viewers(end: live.SessionEnd) -> None:
    """After the session's tabs were told it ended (that fan-out has left), unlink each of them from the
    customer's cart: even a page that ignores the redirect receives the cart no more. (Removing a tab
    from the cart's viewers alone is not enough: the next fan-out to the tab would link it again.)"""
    async with _modify_shared(end.token, LiveCart) as root:
        live_cart = await root.get_state(LiveCart)
        viewers = list(live_cart._session_viewers.get(end.tag, []))
        if viewers:
            live_cart._session_viewers = {k: v for k, v in live_cart._session_viewers.items() if k != end.tag}
    for client_token in viewers:
        async with _modify_shared(client_token, LiveCart) as tab:
            if linked_token(tab, LiveCart) != end.token:
                continue  # the tab moved on by itself (an honest page left the customer's pages)
            await (await tab.get_state(LiveCart))._unlink()


async def connected(client_token: str) -> bool:
    """Whether this tab's websocket is connected on any worker."""
    namespace = _app().event_namespace
    if namespace is None:
        return True
    return await namespace._token_manager.is_token_connected(client_token)


async def keep_reading(state: rx.State, seconds: float, again: Callable[[], Awaitable[bool]]) -> None:
    """The loop of a page that is not linked to a shared state but keeps up with what it shows by reading it
    again (Customer 360, an order): every `seconds`, while the tab is connected, `again()` runs inside
    `async with state` and reads; it returns False once the tab no longer shows that thing (or may not), and
    the loop ends. A tab that reconnects loads its page again, which starts a new loop. Call it from a
    background event."""
    token = state.router.session.client_token
    while True:
        await asyncio.sleep(seconds)
        if not await connected(token):
            return
        async with state:
            if not await again():
                return


async def read_again(
    shows: Callable[[], bool], read: Callable[[], Awaitable[T]], show: Callable[[T], bool]
) -> bool:
    """One tick of `keep_reading`: if the tab `shows()` the thing still, `read()` it (a unit of work, as the
    tab's caller) and `show(it)`, which says whether to go on. False without showing anything when the tab
    shows something else, the read is refused (signed out, the right gone, the database away: the next page
    load starts again), or the person behind the tab changed during the read (`guard.forget` reset the page,
    so `shows()` is False now)."""
    if not shows():
        return False
    try:
        fresh = await read()
    except DomainError:
        return False
    return shows() and show(fresh)
