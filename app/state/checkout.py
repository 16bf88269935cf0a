"""Checkout: ship or pick up each line, address, shipping method, test-card payment, place order."""

from __future__ import annotations

import dataclasses

import reflex as rx

from app.services import accounts, adjustments, order_extras, orders
from app.services.errors import DomainError, FieldErrors
from app.services.stores import SHIP, FulfilmentLine
from app.services.validation import ascii_int, form_values
from app.state import toast
from app.state.account import ADDRESS_FIELDS, OrderState
from app.state.cart import CartState, LiveCart
from app.state.guard import personal, run
from app.state.session import SessionState
from app.state.toast import event


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
    # Customer service's shipping and order reductions saved on the cart, and what they take off now.
    cart_adjustments: adjustments.CartAdjustments = adjustments.CartAdjustments()
    quote_shipping_adjustment: str = ""
    quote_order_adjustment: str = ""
    adjust_kind: str = ""  # the adjust dialog open: "shipping" or "order"
    adjust_error: str = ""  # why the server refused that dialog's reduction
    # The alternate pickup contact form (controlled: Save sends what it holds).
    alt_first_name: str = ""
    alt_last_name: str = ""
    alt_email: str = ""
    alt_phone: str = ""
    alt_saved: bool = False  # what the form holds is what the cart has saved

    async def _quote(self) -> None:
        live = await self.get_state(LiveCart)
        q = orders.quote(
            live.subtotal_cents, self._coupon_cents, self.shipping_method, self.ships, self.cart_adjustments
        )
        self.quote_shipping, self.quote_total = q.shipping, q.total
        self.quote_shipping_adjustment, self.quote_order_adjustment = (
            q.shipping_adjustment,
            q.order_adjustment,
        )

    async def _load_extras(self) -> None:
        """The alternate pickup contact and the reductions saved on the cart."""

        def read(db, caller, anon):
            return order_extras.pickup_contact(db, caller), orders.checkout_adjustments(db, caller)

        try:
            contact, self.cart_adjustments = await run(self, read, activity=False)
        except DomainError:
            return
        self._show_contact(contact)

    def _show_contact(self, contact: order_extras.PickupContact) -> None:
        self.alt_first_name, self.alt_last_name = contact.first_name, contact.last_name
        self.alt_email, self.alt_phone = contact.email, contact.phone
        self.alt_saved = True

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

    @event
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
        self.adjust_kind = self.adjust_error = ""
        await self._load_fulfilment()
        await self._load_extras()
        await self._quote()

    @rx.var
    def new_address(self) -> bool:
        return self.address_choice == "new"

    @rx.var
    def picks_up(self) -> bool:
        """Some line is picked up in a store: only then may the order name an alternate pickup contact."""
        return any(l.choice != SHIP for l in self.fulfilment_lines)

    @rx.var
    def ships(self) -> bool:
        """Anything to ship: only then does checkout ask for an address and a shipping method."""
        return not self.fulfilment_lines or any(l.choice == SHIP for l in self.fulfilment_lines)

    @event
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

    @event
    def set_address_choice(self, value: str):
        self.address_choice = _choice(value)

    @event
    async def set_shipping_method(self, value: str):
        self.shipping_method = _choice(value)
        await self._quote()

    @event
    def set_coupon_input(self, value: str):
        self.coupon_input = value

    @event
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

    @event
    async def remove_coupon(self):
        self.coupon_input = self.coupon_code = self.coupon_message = self.coupon_discount = ""
        self._coupon_cents = 0
        await self._quote()

    # -- alternate pickup contact and line gift messages (app/services/order_extras.py) ---------------

    @event
    def set_alt_first_name(self, value: str):
        self.alt_first_name, self.alt_saved = _text(value, 60), False

    @event
    def set_alt_last_name(self, value: str):
        self.alt_last_name, self.alt_saved = _text(value, 60), False

    @event
    def set_alt_email(self, value: str):
        self.alt_email, self.alt_saved = _text(value, 254), False

    @event
    def set_alt_phone(self, value: str):
        self.alt_phone, self.alt_saved = _text(value, 30), False

    @event
    async def save_alt_contact(self):
        """Validate and save the alternate pickup contact on the cart; field errors write nothing."""
        fields = {
            "alt_first_name": self.alt_first_name,
            "alt_last_name": self.alt_last_name,
            "alt_email": self.alt_email,
            "alt_phone": self.alt_phone,
        }
        version = (await self.get_state(LiveCart)).version
        self.errors = {k: v for k, v in self.errors.items() if k not in (*fields, "alt_contact")}
        try:
            contact = await run(
                self, lambda db, caller, anon: order_extras.save_contact(db, caller, fields, version)
            )
        except FieldErrors as e:
            self.errors = {**self.errors, **e.errors}
            return toast.error(e.message)
        except DomainError as e:
            await (await self.get_state(CartState))._reload()
            return toast.error(e.message)
        self._show_contact(contact)
        return toast.success("Pickup contact saved." if contact.named else "Pickup contact removed.")

    @event
    async def set_line_gift_message(self, line_id: int, value: str):
        """One line's own gift message, saved as it is left (on blur)."""
        version = (await self.get_state(LiveCart)).version
        self.errors = {k: v for k, v in self.errors.items() if k != "line_gift_message"}
        try:
            await run(
                self,
                lambda db, caller, anon: order_extras.set_line_gift_message(
                    db, caller, line_id, value, version
                ),
            )
        except DomainError as e:
            if e.field:
                self.errors = {**self.errors, e.field: e.message}
            await (await self.get_state(CartState))._reload()
            return toast.error(e.message)

    # -- customer service's reductions of the shipping and the order total (app/services/adjustments.py)

    @event
    def set_adjust_kind(self, kind: str):
        """Which adjust dialog is open; only a choice, the service authorizes the reduction."""
        self.adjust_kind = kind if kind in adjustments.KINDS else ""
        self.adjust_error = ""

    @event
    async def adjust(self, form: dict):
        form = form_values(form)
        kind = self.adjust_kind
        version = (await self.get_state(LiveCart)).version
        fulfilment = {l.line_id: l.choice for l in self.fulfilment_lines}
        self.adjust_error = ""
        try:
            self.cart_adjustments = await run(
                self,
                lambda db, caller, anon: orders.adjust_checkout(
                    db,
                    caller,
                    kind,
                    form.get("amount", ""),
                    form.get("reason", ""),
                    version,
                    shipping_method=self.shipping_method,
                    fulfilment=fulfilment,
                    coupon_code=self.coupon_code,
                    source=self.router.session.client_ip,
                ),
            )
        except DomainError as e:
            self.adjust_error = e.message
            await self._quote()
            return toast.error(e.message)
        self.adjust_kind = ""
        await self._quote()
        return toast.success("Shipping adjusted." if kind == "shipping" else "Order total adjusted.")

    @event
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
                    alt_contact={k: form.get(k, "") for k in order_extras.CONTACT_FIELDS},
                ),
            )
        except FieldErrors as e:
            self.errors = e.errors
            await self._load_fulfilment(e.errors)
            return toast.error(e.message)
        except DomainError as e:
            await cart_state._reload()
            await self._load_fulfilment({e.field: e.message} if e.field else None)
            await self._load_extras()
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


def _text(value: object, max_len: int) -> str:
    """A form field's text as typed, of a sane length (the service validates it)."""
    return value[:max_len] if isinstance(value, str) else ""
