"""The cart the caller is looking at (mini-cart and cart page), its changes and its lock."""

from __future__ import annotations

import reflex as rx

from app.services import carts, locks
from app.services.errors import Conflict, DomainError
from app.state import toast
from app.state.guard import run


class CartState(rx.State):
    cart_id: int = 0
    version: int = 0
    lines: list[dict] = []
    count: int = 0
    subtotal: str = "$0.00"
    subtotal_cents: int = 0
    list_subtotal: str = "$0.00"
    discount: str = "$0.00"
    has_discount: bool = False
    locked: bool = False
    locked_by_me: bool = False
    lock_holder: str = ""
    lock_since: str = ""
    can_edit: bool = True
    prepared_by: str = ""
    lock_lost: str = ""  # "your lock was taken over by …" for the CSR who lost it
    panel_open: bool = False

    async def _reload(self) -> None:
        had_lock = self.locked_by_me
        view = await run(self, lambda db, caller, anon: carts.view(db, caller, anon), activity=False)
        self._apply(view, had_lock)

    def _apply(self, view: dict, had_lock: bool = False) -> None:
        self.cart_id = view["id"]
        self.version = view["version"]
        self.lines = view["lines"]
        self.count = view["count"]
        self.subtotal = view["subtotal"]
        self.subtotal_cents = view["subtotal_cents"]
        self.list_subtotal = view["list_subtotal"]
        self.discount = view["discount"]
        self.has_discount = view["discount_cents"] > 0
        self.locked = view["locked"]
        self.locked_by_me = view["locked_by_me"]
        self.lock_holder = view["lock_holder"]
        self.lock_since = view["lock_since"]
        self.can_edit = view["can_edit"]
        self.prepared_by = view["prepared_by"]
        if had_lock and not self.locked_by_me and self.locked:
            self.lock_lost = f"Your lock was taken over by {self.lock_holder}."
        elif self.locked_by_me:
            self.lock_lost = ""

    @rx.event
    async def load(self):
        await self._reload()

    @rx.event
    def set_panel_open(self, value: bool):
        self.panel_open = bool(value)

    async def _change(self, action, success: str | None = None):
        """Run a cart change; on any refusal show why and the fresh cart."""
        try:
            result = await run(self, action)
        except Conflict as e:
            await self._reload()
            return toast.error(e.message)
        except DomainError as e:
            await self._reload()
            return toast.error(e.message)
        await self._reload()
        if success:
            return toast.success(success.format(**result) if isinstance(result, dict) else success)

    @rx.event
    async def add(self, sku: str, quantity: str | int):
        version = self.version if self.cart_id else None
        return await self._change(
            lambda db, caller, anon: carts.add(db, caller, anon, sku, quantity, version),
            "Added {name} to the cart.",
        )

    @rx.event
    async def set_quantity(self, line_id: int, quantity: str):
        version = self.version
        return await self._change(
            lambda db, caller, anon: carts.set_quantity(db, caller, anon, line_id, quantity, version)
        )

    @rx.event
    async def remove(self, line_id: int):
        version = self.version
        return await self._change(
            lambda db, caller, anon: carts.remove(db, caller, anon, line_id, version), "Item removed."
        )

    # -- lock (CSR on behalf) ------------------------------------------------------------------

    @rx.event
    async def lock(self):
        return await self._change(
            lambda db, caller, anon: locks.lock(db, caller) and None, "Cart locked. You can change it now."
        )

    @rx.event
    async def unlock(self):
        return await self._change(lambda db, caller, anon: locks.unlock(db, caller), "Cart unlocked.")

    @rx.event
    async def take_over(self):
        return await self._change(
            lambda db, caller, anon: locks.take_over(db, caller), "You took over the lock."
        )
