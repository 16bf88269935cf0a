"""The cart the caller is looking at (mini-cart and cart page), its changes and its lock.

Every browser showing a cart is linked to its `LiveCart` (app/state/live.py) once the server resolved
that the caller may see it. Changes go through the guard, which publishes the committed cart to every
viewer; nothing here publishes by hand. The database stays the truth; LiveCart is a view of it.
"""

from __future__ import annotations

import reflex as rx

from app.services import cart_binding, carts, live, locks, onbehalf
from app.services.errors import DomainError
from app.services.validation import form_values
from app.state import toast
from app.state.guard import personal, refresh_identity, run
from app.state.live import LiveCart, add_session_viewer, write_cart
from app.state.session import SessionState
from app.state.toast import event

__all__ = ["CAN_EDIT", "LOCKED_BY_ME", "LOCK_LOST", "SESSION_ENDED", "CartState", "LiveCart"]

# Per-viewer facts, computed in the browser from the shared cart and the viewer's own identity.
LOCKED_BY_ME = (
    LiveCart.locked & (LiveCart.holder_tag == SessionState.staff_tag) & (SessionState.staff_tag != "")
)
CAN_EDIT = rx.cond(SessionState.on_behalf, LOCKED_BY_ME, ~LiveCart.locked)
LOCK_LOST = (
    SessionState.on_behalf
    & (LiveCart.lock_event == "takeover")
    & (LiveCart.previous_holder_tag == SessionState.staff_tag)
    & ~LOCKED_BY_ME
)

# This tab's on-behalf session ended elsewhere (another tab or browser, the idle timeout, a hand back).
SESSION_ENDED = (
    SessionState.on_behalf
    & (SessionState.session_tag != "")
    & LiveCart.ended_sessions.contains(SessionState.session_tag)
)


def link_token(view: carts.CartView, client_token: str) -> str:
    """The cart's shared token; a cartless browser gets a private one (tokens may not contain "_")."""
    if view.id:
        return live.cart_token(view.owner_id, view.id)
    return "solo" + "".join(ch for ch in client_token if ch.isalnum())


@personal
class CartState(rx.State):
    panel_open: bool = False
    adjust_line_id: int = 0
    # Why the cart code the CSR entered was refused (the field under the box on the cart page).
    bind_code_error: str = ""
    adjust_error: str = ""  # why the server refused the open adjust dialog's reduction

    async def _live(self, view: carts.CartView) -> LiveCart:
        client_token = self.router.session.client_token
        live_cart = await (await self.get_state(LiveCart))._link_to(link_token(view, client_token))
        session = await self.get_state(SessionState)
        if session.session_tag and view.id:
            add_session_viewer(live_cart, session.session_tag, client_token)
        return live_cart

    async def _show(self, view: carts.CartView) -> LiveCart:
        """Link to the cart `view` shows and write it there. A shared cart newer than the view is a change
        published since the view was read, or a shared state that outlived its database (a restored backup,
        `make seed` under a running store): then read again while this event holds the shared cart, as every
        publisher must, and show what the database says now even if it looks older."""
        live_cart = await self._live(view)
        if not write_cart(live_cart, view):
            view = await self._read()
            live_cart = await self._live(view)
            write_cart(live_cart, view, read_under_lock=True)
        return live_cart

    async def _read(self) -> carts.CartView:
        """The caller's cart as the database has it now (reading is not activity)."""
        return await run(self, lambda db, caller, anon: carts.view(db, caller, anon), activity=False)

    async def _reload(self) -> LiveCart:
        """Read the caller's cart and show it, linked to everyone else viewing it."""
        return await self._show(await self._read())

    async def _follow(self) -> None:
        """The person behind the tab changed (app/state/guard.py `forget`): show the new person's cart."""
        await self._reload()

    @event
    async def load(self):
        """Every page's first on_load: who is calling (the header) and their cart (the mini-cart), in one
        unit of work. Moving around counts as activity. Panels and dialogs do not outlive their page."""
        self.panel_open = False
        self.adjust_line_id = 0
        self.bind_code_error = ""
        session = await self.get_state(SessionState)
        was_on_behalf = session._arriving()
        caller, view = await run(self, lambda db, caller, anon: (caller, carts.view(db, caller, anon)))
        session.changed_unsaid = False  # this page loads for whoever the tab is now
        await self._show(view)
        return session._arrived(caller, was_on_behalf)

    @event
    def set_panel_open(self, value: bool):
        self.panel_open = bool(value)

    async def _change(self, action, success: str | None = None):
        """Run a cart change; the guard publishes the changed cart. On a refusal, say why and show the
        fresh cart."""
        try:
            result = await run(self, action)
        except DomainError as e:
            await self._reload()
            return toast.error(e.message)
        live_cart = await self.get_state(LiveCart)
        if not live_cart.cart_id or live_cart.moved:
            await self._reload()  # the change created this browser's (new) cart: follow it from now on
        if success:
            added = isinstance(result, carts.AddedToCart)
            return toast.success(success.format(name=result.name) if added else success)

    async def _version(self) -> int | None:
        live_cart = await self.get_state(LiveCart)
        return live_cart.version if live_cart.cart_id else None

    @event
    async def add(self, sku: str, quantity: str | int):
        version = await self._version()
        return await self._change(
            lambda db, caller, anon: carts.add(db, caller, anon, sku, quantity, version),
            "Added {name} to the cart.",
        )

    @event
    async def set_quantity(self, line_id: int, quantity: str):
        version = await self._version()
        return await self._change(
            lambda db, caller, anon: carts.set_quantity(db, caller, anon, line_id, quantity, version)
        )

    @event
    async def remove(self, line_id: int):
        version = await self._version()
        return await self._change(
            lambda db, caller, anon: carts.remove(db, caller, anon, line_id, version), "Item removed."
        )

    @event
    def set_adjust_line(self, line_id: int):
        """The line whose adjust-price dialog is open; only a choice, the service authorizes it."""
        self.adjust_line_id = line_id if type(line_id) is int else 0
        self.adjust_error = ""

    @event
    async def adjust_price(self, form: dict):
        """A CSR on behalf reduces one line's price; the service checks the permission and the lock."""
        form = form_values(form)
        version = await self._version()
        line_id = self.adjust_line_id
        self.adjust_error = ""
        try:
            await run(
                self,
                lambda db, caller, anon: carts.adjust_price(
                    db, caller, line_id, form.get("amount", ""), form.get("reason", ""), version
                ),
            )
        except DomainError as e:
            self.adjust_error = e.message  # shown in the dialog, which stays open to fix it
            await self._reload()
            return toast.error(e.message)
        return toast.success("Price adjusted.")

    # -- lock (CSR on behalf) ------------------------------------------------------------------

    @event
    async def lock(self):
        return await self._change(
            lambda db, caller, anon: locks.lock(db, caller) and None, "Cart locked. You can change it now."
        )

    @event
    async def unlock(self):
        return await self._change(lambda db, caller, anon: locks.unlock(db, caller), "Cart unlocked.")

    @event
    async def take_over(self, expected_lock: str | None = None):
        """Take over the lock the CSR saw and confirmed (its `lock_ref`); refused if it changed hands."""
        return await self._change(
            lambda db, caller, anon: locks.take_over(db, caller, expected_lock), "You took over the lock."
        )

    @event
    async def bind_cart_code(self, form: dict):
        """A CSR on behalf, holding the lock, moves an anonymous shopper's cart into the customer's with the
        code the shopper reads out (app/services/cart_binding.py decides everything)."""
        typed = form_values(form).get("cart_code", "")
        self.bind_code_error = ""
        try:
            bound = await run(self, lambda db, caller, anon: cart_binding.bind(db, caller, typed))
        except DomainError as e:
            if e.field == cart_binding.FIELD:
                self.bind_code_error = e.message
                return None
            await self._reload()
            return toast.error(e.message)
        lines = f"{bound.lines} line{'s' if bound.lines != 1 else ''}"
        return toast.success(f"Moved the shopper's cart ({lines}) into {bound.customer}'s cart.")

    # -- finishing on behalf ---------------------------------------------------------------------

    @event
    async def hand_back(self):
        """Unlock, end the session; the customer checks out later and is told who prepared the cart."""
        return await self._hand_back(mail_link=False)

    @event
    async def hand_back_with_link(self):
        """As hand_back, and the customer is mailed a link to their cart (docs/PRODUCT.md §Checkout on
        behalf)."""
        return await self._hand_back(mail_link=True)

    async def _hand_back(self, *, mail_link: bool):
        try:
            name, _ = await run(
                self,
                lambda db, caller, anon: onbehalf.hand_back(db, caller, mail_link=mail_link),
                activity=False,
            )
        except DomainError as e:
            return toast.error(e.message)
        await refresh_identity(self)
        said = " and emailed them a link to it" if mail_link else ""
        return [
            rx.redirect("/customer-service"),
            toast.success(f"Cart handed back to {name}{said}. They can check out when ready."),
        ]
