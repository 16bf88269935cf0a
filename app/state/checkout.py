"""Checkout: address, shipping method, test-card payment, place order."""

from __future__ import annotations

import reflex as rx

from app.services import accounts, orders
from app.services.errors import DomainError, FieldErrors
from app.state import toast
from app.state.account import ADDRESS_FIELDS
from app.state.cart import CartState, LiveCart
from app.state.guard import run
from app.state.session import SessionState


class CheckoutState(rx.State):
    addresses: list[dict] = []
    address_choice: str = ""  # an address id as text, or "new"
    shipping_method: str = "standard"
    shipping_options: list[dict] = []
    errors: dict[str, str] = {}
    placing: bool = False
    coupon_input: str = ""
    coupon_code: str = ""  # the code applied, sent with the order
    coupon_message: str = ""
    coupon_discount: str = ""

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
            (a for a in self.addresses if a["is_default_shipping"]),
            self.addresses[0] if self.addresses else None,
        )
        self.address_choice = str(default["id"]) if default else "new"
        self.shipping_options = orders.shipping_options(cart.subtotal_cents)
        self.errors = {}
        self.placing = False
        self.coupon_input = self.coupon_code = self.coupon_message = self.coupon_discount = ""
        if not cart.lines:
            return rx.redirect("/cart")

    @rx.var
    def new_address(self) -> bool:
        return self.address_choice == "new"

    @rx.event
    def set_address_choice(self, value: str):
        self.address_choice = value

    @rx.event
    def set_shipping_method(self, value: str):
        self.shipping_method = value

    @rx.event
    def set_coupon_input(self, value: str):
        self.coupon_input = value

    @rx.event
    async def apply_coupon(self):
        self.errors = {k: v for k, v in self.errors.items() if k != "coupon"}
        try:
            applied = await run(
                self, lambda db, caller, anon: orders.preview_coupon(db, caller, self.coupon_input)
            )
        except DomainError as e:
            self.coupon_code = self.coupon_discount = self.coupon_message = ""
            self.errors = {**self.errors, "coupon": e.message}
            return toast.error(e.message)
        self.coupon_code = applied["code"]
        self.coupon_discount = applied["discount"]
        self.coupon_message = applied["message"]

    @rx.event
    def remove_coupon(self):
        self.coupon_input = self.coupon_code = self.coupon_message = self.coupon_discount = ""

    @rx.event
    async def place_order(self, form: dict):
        if self.placing:
            return
        self.errors = {}
        cart_state = await self.get_state(CartState)
        version = (await self.get_state(LiveCart)).version
        new = self.address_choice == "new"
        address_id = None if new else (int(self.address_choice) if self.address_choice.isdigit() else None)
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
                ),
            )
        except FieldErrors as e:
            self.errors, self.placing = e.errors, False
            return toast.error(e.message)
        except DomainError as e:
            self.placing = False
            await cart_state._reload()
            return toast.error(e.message)
        await cart_state._reload()
        self.placing = False
        return [rx.redirect(f"/order/{number}"), toast.success(f"Thank you! Order {number} is placed.")]
