"""The cart the caller is looking at (mini-cart and cart page), its changes and its lock.

`LiveCart` is shared by every browser showing the same cart (linked to "cart<id>" only after the
server resolved that this caller may see that cart). Any change re-reads the cart from the database
and publishes it there, so the customer, the CSR holding the lock and a CSR who lost it all see it
within a moment. The database stays the truth; LiveCart is a view of it.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from app.services import carts, locks, onbehalf
from app.services.db import session_scope, utcnow
from app.services.errors import DomainError
from app.services.validation import form_values
from app.state import toast
from app.state.guard import run
from app.state.session import SessionState

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
    "prepared_by",
)


class LiveCart(rx.SharedState):
    """What every viewer of one cart sees. Holds nothing secret: linked clients see every var."""

    cart_id: int = 0
    version: int = 0
    lines: list[dict] = []
    count: int = 0
    subtotal: str = "$0.00"
    subtotal_cents: int = 0
    list_subtotal: str = "$0.00"
    discount: str = "$0.00"
    has_discount: bool = False
    adjustment: str = "$0.00"
    has_adjustment: bool = False
    locked: bool = False
    holder_id: int = 0
    lock_holder: str = ""
    lock_since: str = ""
    prepared_by: str = ""
    # The last lock event and whom it displaced, so the displaced CSR's page can say so.
    lock_event: str = ""
    previous_holder_id: int = 0


# Per-viewer facts, computed in the browser from the shared cart and the viewer's own identity.
LOCKED_BY_ME = (
    LiveCart.locked & (LiveCart.holder_id == SessionState.account_id) & (SessionState.account_id != 0)
)
CAN_EDIT = rx.cond(SessionState.on_behalf, LOCKED_BY_ME, ~LiveCart.locked)
LOCK_LOST = (
    SessionState.on_behalf
    & (LiveCart.lock_event == "takeover")
    & (LiveCart.previous_holder_id == SessionState.account_id)
    & ~LOCKED_BY_ME
)


def link_token(cart_id: int, client_token: str) -> str:
    """Shared-state tokens may not contain underscores; a cartless browser gets a private one."""
    if cart_id:
        return f"cart{cart_id}"
    return "solo" + "".join(ch for ch in client_token if ch.isalnum())


def publish(live: LiveCart, view: dict, lock_event: str = "", previous_holder_id: int = 0) -> None:
    """Write a fresh view of the cart into the shared state its viewers are linked to."""
    if live.cart_id == view["id"] and view["version"] < live.version and not lock_event:
        return  # someone already published a newer state of this cart
    live.cart_id = view["id"]
    for name in VIEW_FIELDS:
        if getattr(live, name) != view[name]:
            setattr(live, name, view[name])
    live.has_discount = view["discount_cents"] > 0
    live.holder_id = view["lock_holder_id"]
    if lock_event:
        live.lock_event = lock_event
        live.previous_holder_id = previous_holder_id


async def publish_cart(
    state: rx.State, cart_id: int, lock_event: str = "", previous_holder_id: int = 0
) -> None:
    """Publish a cart the caller is not viewing (e.g. a supervisor released its lock)."""
    with session_scope() as db:
        view = carts.owner_view(db, cart_id)
    if view is None:
        return
    live = await (await state.get_state(LiveCart))._link_to(link_token(cart_id, ""))
    publish(live, view, lock_event, previous_holder_id)


# A browser showing a locked cart re-checks the lock at least this often, so a lock that runs out
# (CART_LOCK_MINUTES after the holder's last change) shows as unlocked everywhere within seconds.
LOCK_WATCH_SECONDS = 10


class CartState(rx.State):
    panel_open: bool = False
    adjust_line_id: int = 0
    _watching_lock: bool = False

    async def _live(self, cart_id: int) -> LiveCart:
        live = await self.get_state(LiveCart)
        return await live._link_to(link_token(cart_id, self.router.session.client_token))

    async def _reload(self, lock_event: str = "", previous_holder_id: int = 0) -> LiveCart:
        """Read the caller's cart from the database and publish it to everyone viewing it."""
        view = await run(self, lambda db, caller, anon: carts.view(db, caller, anon), activity=False)
        live = await self._live(view["id"])
        publish(live, view, lock_event, previous_holder_id)
        return live

    @rx.event
    async def load(self):
        live = await self._reload()
        if live.locked and not self._watching_lock:
            return CartState.watch_lock

    @rx.event(background=True)
    async def watch_lock(self):
        """While this browser shows a locked cart: once the lock has run out, show every viewer the cart
        unlocked, without waiting for somebody's next change (SPEC §5: unlock by expiry)."""
        async with self:
            if self._watching_lock:
                return
            self._watching_lock = True
        try:
            while True:
                async with self:
                    live = await self.get_state(LiveCart)
                    cart_id, locked = live.cart_id, live.locked
                if not cart_id or not locked:
                    return
                with session_scope() as db:
                    expires = locks.lock_expires_at(db, cart_id)
                if expires is None:
                    async with self:
                        await publish_cart(self, cart_id, "expired")
                    return
                left = (expires - utcnow()).total_seconds()
                await asyncio.sleep(min(LOCK_WATCH_SECONDS, max(0.5, left + 0.5)))
        finally:
            async with self:
                self._watching_lock = False

    @rx.event
    def set_panel_open(self, value: bool):
        self.panel_open = bool(value)

    async def _change(self, action, success: str | None = None, lock_event: str = ""):
        """Run a cart change and read the changed cart in the same transaction (one caller lookup, one
        commit: the event's cost halves); on any refusal show why and the fresh cart."""
        try:
            result, view = await run(
                self, lambda db, caller, anon: (action(db, caller, anon), carts.view(db, caller, anon))
            )
        except DomainError as e:
            await self._reload()
            return toast.error(e.message)
        previous = result if lock_event == "takeover" and isinstance(result, int) else 0
        live = await self._live(view["id"])
        publish(live, view, lock_event, previous)
        events = [CartState.watch_lock] if live.locked and not self._watching_lock else []
        if success:
            events.append(toast.success(success.format(**result) if isinstance(result, dict) else success))
        return events

    async def _version(self) -> int | None:
        live = await self.get_state(LiveCart)
        return live.version if live.cart_id else None

    @rx.event
    async def add(self, sku: str, quantity: str | int):
        version = await self._version()
        return await self._change(
            lambda db, caller, anon: carts.add(db, caller, anon, sku, quantity, version),
            "Added {name} to the cart.",
        )

    @rx.event
    async def set_quantity(self, line_id: int, quantity: str):
        version = await self._version()
        return await self._change(
            lambda db, caller, anon: carts.set_quantity(db, caller, anon, line_id, quantity, version)
        )

    @rx.event
    async def remove(self, line_id: int):
        version = await self._version()
        return await self._change(
            lambda db, caller, anon: carts.remove(db, caller, anon, line_id, version), "Item removed."
        )

    @rx.event
    def set_adjust_line(self, line_id: int):
        """The line whose adjust-price dialog is open; only a choice, the service authorizes it."""
        self.adjust_line_id = line_id if type(line_id) is int else 0

    @rx.event
    async def adjust_price(self, form: dict):
        """A CSR on behalf reduces one line's price; the service checks the permission and the lock."""
        form = form_values(form)
        version = await self._version()
        line_id = self.adjust_line_id
        return await self._change(
            lambda db, caller, anon: carts.adjust_price(
                db, caller, line_id, form.get("amount", ""), form.get("reason", ""), version
            ),
            "Price adjusted.",
        )

    # -- lock (CSR on behalf) ------------------------------------------------------------------

    @rx.event
    async def lock(self):
        return await self._change(
            lambda db, caller, anon: locks.lock(db, caller) and None,
            "Cart locked. You can change it now.",
            "lock",
        )

    @rx.event
    async def unlock(self):
        return await self._change(
            lambda db, caller, anon: locks.unlock(db, caller), "Cart unlocked.", "unlock"
        )

    @rx.event
    async def take_over(self):
        return await self._change(
            lambda db, caller, anon: locks.take_over(db, caller), "You took over the lock.", "takeover"
        )

    # -- finishing on behalf (seeds 000-003) --------------------------------------------------

    @rx.event
    async def hand_back(self):
        """Unlock, end the session; the customer checks out later and is told who prepared the cart."""
        try:
            name, cart_id = await run(
                self, lambda db, caller, anon: onbehalf.hand_back(db, caller), activity=False
            )
        except DomainError as e:
            return toast.error(e.message)
        if cart_id:
            await publish_cart(self, cart_id, "unlock")  # the customer's browser shows it unlocked at once
        await self._reload()
        session = await self.get_state(SessionState)
        session._refresh()
        return [
            rx.redirect("/customer-service"),
            toast.success(f"Cart handed back to {name}. They can check out when ready."),
        ]
