"""Checkout: ship or pick up each line, address, shipping method, test-card payment, place order."""

from __future__ import annotations

import dataclasses

import reflex as rx

from app.services import accounts, orders
from app.services.errors import DomainError, FieldErrors
from app.services.stores import SHIP, FulfilmentLine
from app.services.validation import ascii_int, form_values
from app.state import toast
from app.state.account import ADDRESS_FIELDS, OrderState
from app.state.cart import CartState, LiveCart
from app.state.guard import personal, run
from app.state.session import SessionState


@personal
class CheckoutState(rx.State):
    addresses: list[accounts.AddressView] = []
    address_choice: str = ""  # an address id as text, or "new"
    shipping_method: str = "standard"
    shipping_options: list[orders.ShippingOption] = []
    # Field name -> message: a map by nature (the fields erring vary), so it stays a dict.
    errors: dict[str, str] = {}
    placing: bool = False
    coupon_input: str = ""
    coupon_code: str = ""  # the code applied, sent with the order
    coupon_message: str = ""
    coupon_discount: str = ""
    # One entry per cart line, with the choice ("ship" or a store code) and the error refusing it.
    fulfilment_lines: list[FulfilmentLine] = []
    fulfilment_error: str = ""
    # The order summary's shipping and total, recomputed whenever a choice changes them.
    quote_shipping: str = ""
    quote_total: str = ""
    _coupon_cents: int = 0

    async def _quote(self) -> None:
        live = await self.get_state(LiveCart)
        q = orders.quote(live.subtotal_cents, self._coupon_cents, self.shipping_method, self.ships)
        self.quote_shipping, self.quote_total = q.shipping, q.total

    async def _load_fulfilment(self, errors: dict[str, str] | None = None) -> None:
        """Read each line's choices; keep what the caller chose where it is still on offer."""
        before = {l.line_id: l.choice for l in self.fulfilment_lines}
        try:
            options = await run(
                self, lambda db, caller, anon: orders.fulfilment_options(db, caller), activity=False
            )
        except DomainError:
            return  # signed out or the session ended meanwhile; the caller's own refusal says so
        errors = errors or {}
        lines = []
        for line in options:
            offered = {c.value for c in line.choices}
            chosen = before.get(line.line_id, SHIP)
            lines.append(
                dataclasses.replace(
                    line,
                    choice=chosen if chosen in offered else SHIP,
                    error=errors.get(f"fulfilment-{line.line_id}", ""),
                )
            )
        self.fulfilment_lines = lines
        self.fulfilment_error = errors.get("fulfilment", "")

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        if not session.signed_in:
            return rx.redirect("/login?next=/checkout")
        cart = await (await self.get_state(CartState))._reload()
        try:
            self.addresses = await run(
                self, lambda db, caller, anon: accounts.addresses(db, caller), activity=False
            )
        except DomainError as e:
            return [rx.redirect("/customer-service"), toast.error(e.message)]
        default = next(
            (a for a in self.addresses if a.is_default_shipping),
            self.addresses[0] if self.addresses else None,
        )
        self.address_choice = str(default.id) if default else "new"
        self.shipping_options = orders.shipping_options(cart.subtotal_cents)
        self.errors = {}
        self.placing = False
        self.coupon_input = self.coupon_code = self.coupon_message = self.coupon_discount = ""
        if not cart.lines:
            return rx.redirect("/cart")
        self._coupon_cents = 0
        self.fulfilment_lines = []
        await self._load_fulfilment()
        await self._quote()

    @rx.var
    def new_address(self) -> bool:
        return self.address_choice == "new"

    @rx.var
    def ships(self) -> bool:
        """Anything to ship: only then does checkout ask for an address and a shipping method."""
        return not self.fulfilment_lines or any(l.choice == SHIP for l in self.fulfilment_lines)

    @rx.event
    async def set_fulfilment(self, line_id: int, value: str):
        """The browser's choice for one line; anything not offered for that line is ignored."""
        lines = []
        for line in self.fulfilment_lines:
            offered = {c.value for c in line.choices}
            if line.line_id == line_id and isinstance(value, str) and value in offered:
                line = dataclasses.replace(line, choice=value, error="")
            lines.append(line)
        self.fulfilment_lines = lines
        self.fulfilment_error = ""
        await self._quote()

    @rx.event
    def set_address_choice(self, value: str):
        self.address_choice = _choice(value)

    @rx.event
    async def set_shipping_method(self, value: str):
        self.shipping_method = _choice(value)
        await self._quote()

    @rx.event
    def set_coupon_input(self, value: str):
        self.coupon_input = value

    @rx.event
    async def apply_coupon(self):
        self.errors = {k: v for k, v in self.errors.items() if k != "coupon"}
        try:
            applied = await run(
                self,
                lambda db, caller, anon: orders.preview_coupon(
                    db, caller, self.coupon_input, self.router.session.client_ip
                ),
            )
        except DomainError as e:
            self.coupon_code = self.coupon_discount = self.coupon_message = ""
            self._coupon_cents = 0
            self.errors = {**self.errors, "coupon": e.message}
            await self._quote()
            return toast.error(e.message)
        self.coupon_code = applied.code
        self.coupon_discount = applied.discount
        self.coupon_message = applied.message
        self._coupon_cents = applied.discount_cents
        await self._quote()

    @rx.event
    async def remove_coupon(self):
        self.coupon_input = self.coupon_code = self.coupon_message = self.coupon_discount = ""
        self._coupon_cents = 0
        await self._quote()

    @rx.event
    async def place_order(self, form: dict):
        form = form_values(form)
        if self.placing:
            return
        self.errors = {}
        cart_state = await self.get_state(CartState)
        live = await self.get_state(LiveCart)
        version = live.version
        if {l.line_id for l in live.lines} != {l.line_id for l in self.fulfilment_lines}:
            # The cart changed under this page (another tab, customer service): choose again.
            await self._load_fulfilment()
            return toast.error("Your cart has changed. Please check how each item reaches you.")
        fulfilment = {l.line_id: l.choice for l in self.fulfilment_lines}
        new = self.address_choice == "new" and self.ships
        address_id = None if new else ascii_int(self.address_choice)
        fields = {k: form.get(k, "") for k in ADDRESS_FIELDS} if new else None
        self.placing = True
        try:
            number = await run(
                self,
                lambda db, caller, anon: orders.place_order(
                    db,
                    caller,
                    expected_version=version,
                    address_id=address_id,
                    new_address=fields,
                    shipping_method=self.shipping_method,
                    card_number=form.get("card_number", ""),
                    card_expiry=form.get("card_expiry", ""),
                    card_cvc=form.get("card_cvc", ""),
                    gift_message=form.get("gift_message", ""),
                    order_note=form.get("order_note", ""),
                    coupon_code=self.coupon_code,
                    source=self.router.session.client_ip,
                    fulfilment=fulfilment,
                ),
            )
        except FieldErrors as e:
            self.errors = e.errors
            await self._load_fulfilment(e.errors)
            return toast.error(e.message)
        except DomainError as e:
            await cart_state._reload()
            await self._load_fulfilment({e.field: e.message} if e.field else None)
            await self._quote()
            return toast.error(e.message)
        finally:
            # Whatever escaped (the error handler shows a toast), Place order must not spin for ever.
            self.placing = False
        (await self.get_state(OrderState))._placed(number)  # the thank-you shows on this visit only
        return [rx.redirect(f"/order/{number}"), toast.success(f"Thank you! Order {number} is placed.")]


def _choice(value: object) -> str:
    """A choice the browser sent (an address id, "new", a method code): text of a sane length, else none.

    A forged dict or a 5,000-digit string would otherwise sit in a `str` var and break `place_order`.
    """
    return value if isinstance(value, str) and len(value) <= 40 else ""
