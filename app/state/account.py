"""My Account: profile, addresses, order history, consent, and what customer service changed."""

from __future__ import annotations

import reflex as rx

from app.services import accounts, assistcodes, audit, consent, order_status, orders, passwords
from app.services.audit import AuditRow
from app.services.errors import DomainError, FieldErrors
from app.services.validation import form_values
from app.state import toast
from app.state.guard import last_path_segment, on_page, personal, refresh_identity, run
from app.state.live import keep_reading, read_again
from app.state.session import SessionState
from app.state.toast import event

ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postal_code", "country", "phone")


@personal
class AccountState(rx.State):
    profile: accounts.Profile = accounts.Profile()
    # Field name -> message (as CheckoutState.errors): a map by nature, so these stay dicts.
    profile_errors: dict[str, str] = {}
    addresses: list[accounts.AddressView] = []
    address_errors: dict[str, str] = {}
    address_form_open: bool = False
    orders: list[accounts.OrderSummary] = []
    cs_changes: list[AuditRow] = []
    allow_assistance: bool = True
    # The store's consent policy (app/services/consent.py): "always" shows no switch, "opt-in" says so.
    consent_policy: str = consent.OPT_OUT
    loaded: bool = False
    denied: bool = False
    # ASSISTANCE_VERIFY=code: the customer's own verification code for customer service (never on behalf).
    # Only its digits while shown are here; the server keeps an HMAC. `_code_id` is the row the page shows.
    assist_code: str = ""
    assist_code_until: str = ""
    assist_code_replaced: bool = False
    shows_assist_code: bool = False
    _code_id: int = 0

    @event
    async def load(self):
        session = await self.get_state(SessionState)
        self.address_form_open = False  # a panel does not outlive the page it was opened on
        try:
            data = await run(
                self,
                lambda db, caller, anon: (
                    accounts.profile(db, caller),
                    accounts.addresses(db, caller),
                    accounts.order_history(db, caller),
                    audit.for_customer(db, caller),
                    assistcodes.for_page(db, caller),
                ),
                activity=False,
            )
        except DomainError:
            self.denied, self.loaded = True, True
            if not session.signed_in:
                return rx.redirect("/login?next=/account")
            return rx.redirect("/customer-service")
        self.profile, self.addresses, self.orders, self.cs_changes, code = data
        self._show_code(code)
        self.allow_assistance = self.profile.allow_assistance
        self.consent_policy = consent.policy()
        self.profile_errors, self.address_errors, self.denied, self.loaded = {}, {}, False, True

    def _show_code(self, code: assistcodes.Issued | str | None) -> None:
        if code is None:
            self.shows_assist_code, self.assist_code, self.assist_code_until, self._code_id = False, "", "", 0
            self.assist_code_replaced = False
        elif code == assistcodes.REPLACED:
            self.assist_code, self.assist_code_until, self.assist_code_replaced = "", "", True
        elif isinstance(code, assistcodes.Issued):
            self.shows_assist_code, self.assist_code_replaced = True, False
            self.assist_code, self._code_id = code.code, code.id
            self.assist_code_until = code.expires_at.strftime("%H:%M UTC")

    @event
    async def tick_code(self, _now: str = ""):
        """While My Account shows a code (a few seconds apart, from the page): a new code once it was used or
        expired, so the page always shows one that works. Costs one row read while the code still works."""
        if not self.shows_assist_code or self.assist_code_replaced:
            return
        shown = self._code_id
        try:
            code = await run(
                self, lambda db, caller, anon: assistcodes.for_page(db, caller, shown), activity=False
            )
        except DomainError:
            return
        self._show_code(code)

    @event
    async def save_profile(self, form: dict):
        form = form_values(form)
        self.profile_errors = {}
        try:
            changed = await run(
                self,
                lambda db, caller, anon: accounts.update_profile(
                    db,
                    caller,
                    form.get("first_name"),
                    form.get("last_name"),
                    form.get("email"),
                    form.get("phone"),
                    form.get("phone_home"),
                    form.get("phone_work"),
                ),
            )
        except FieldErrors as e:
            self.profile_errors = e.errors
            return toast.error(e.message)
        except DomainError as e:
            return toast.error(e.message)
        await self.load()
        await refresh_identity(self)  # the header shows the new name
        if accounts.EMAIL_PENDING in changed:
            return toast.success(
                ("Profile saved. " if len(changed) > 1 else "")
                + "To change your email, open the link we sent to the new address; until then it stays "
                + "as it is."
            )
        return toast.success("Profile saved." if changed else "Nothing to change.")

    @event
    def toggle_address_form(self):
        self.address_form_open = not self.address_form_open
        self.address_errors = {}

    @event
    async def add_address(self, form: dict):
        form = form_values(form)
        self.address_errors = {}
        fields = {k: form.get(k, "") for k in ADDRESS_FIELDS}
        try:
            await run(
                self,
                lambda db, caller, anon: accounts.add_address(
                    db, caller, fields, default_shipping=bool(form.get("default_shipping"))
                ),
            )
        except FieldErrors as e:
            self.address_errors = e.errors
            return toast.error(e.message)
        except DomainError as e:
            return toast.error(e.message)
        self.address_form_open = False
        await self.load()
        return toast.success("Address saved.")

    @event
    async def set_default(self, address_id: int, kind: str):
        try:
            await run(
                self, lambda db, caller, anon: accounts.set_default_address(db, caller, address_id, kind)
            )
        except DomainError as e:
            return toast.error(e.message)
        await self.load()
        return toast.success(f"Default {kind} address updated.")

    @event
    async def delete_address(self, address_id: int):
        try:
            await run(self, lambda db, caller, anon: accounts.delete_address(db, caller, address_id))
        except DomainError as e:
            return toast.error(e.message)
        await self.load()
        return toast.success("Address removed.")

    @event
    async def set_assistance(self, allowed: bool):
        try:
            await run(self, lambda db, caller, anon: accounts.set_assistance(db, caller, allowed))
        except DomainError as e:
            return toast.error(e.message)
        self.allow_assistance = allowed
        self._show_code(
            await run(self, lambda db, caller, anon: assistcodes.for_page(db, caller), activity=False)
        )
        return toast.success(
            "Customer service may shop on your behalf."
            if allowed
            else "Customer service can no longer shop on your behalf."
        )

    @event
    async def send_password_link(self):
        """On behalf: mail the customer a fresh set-password link (the CSR never sees it)."""
        try:
            email = await run(self, lambda db, caller, anon: passwords.send_link_for_customer(db, caller))
        except DomainError as e:
            return toast.error(e.message)
        return toast.success(f"A link to set a new password was emailed to {email}.")


ORDER_PATH = "/order/"
ORDER_WATCH_SECONDS = 5.0  # an open order page reads its order again this often (docs/LIVE.md)


@personal
class OrderState(rx.State):
    order: orders.OrderDetail = orders.OrderDetail()
    progress: order_status.OrderProgress = order_status.OrderProgress()
    # The thank-you shows only on the page checkout sent the customer to, not when the order is reopened.
    thanks: bool = False
    found: bool = True
    loaded: bool = False
    _just_placed: str = ""
    _watch: int = 0  # which load of the page the running `watch` follows; a new load ends the old one

    def _placed(self, number: str) -> None:
        """Checkout (app/state/checkout.py) tells the order page which order was just placed."""
        self._just_placed = number

    @event
    async def load(self):
        number = last_path_segment(self)
        self.thanks, self._just_placed = self._just_placed == number != "", ""
        try:
            await self._refresh(number)
            self.found = True
        except DomainError:
            self.order, self.progress, self.found = orders.OrderDetail(), order_status.OrderProgress(), False
        self.loaded = True
        self._watch += 1
        return OrderState.watch if self.found and self.progress.status not in order_status.FINAL else None

    async def _read(self, number: str) -> tuple[orders.OrderDetail, order_status.OrderProgress]:
        return await run(
            self,
            lambda db, caller, anon: (
                orders.order_detail(db, caller, number),
                order_status.progress(db, caller, number),
            ),
            activity=False,
        )

    async def _refresh(self, number: str) -> None:
        self.order, self.progress = await self._read(number)

    async def _again(self, generation: int, number: str) -> bool:
        """One tick of `watch`: read the order this tab shows again and show what changed (the store moved it
        along, customer service cancelled it); False once the tab no longer shows it or may not see it, and
        once the order is completed or cancelled (a page showing such an order does not watch it at all)."""

        def shows() -> bool:
            return self._watch == generation and self.found and on_page(self, ORDER_PATH, number)

        def show(fresh: tuple[orders.OrderDetail, order_status.OrderProgress]) -> bool:
            order, progress = fresh
            if order != self.order:
                self.order = order
            if progress != self.progress:
                self.progress = progress
            return progress.status not in order_status.FINAL  # shown; nothing more will happen to it

        return await read_again(shows, lambda: self._read(number), show)

    @rx.event(background=True)
    async def watch(self):
        """While this tab shows the order it loaded, read it again every ORDER_WATCH_SECONDS."""
        async with self:
            generation, number = self._watch, last_path_segment(self)
        await keep_reading(self, ORDER_WATCH_SECONDS, lambda: self._again(generation, number))

    @event
    async def cancel(self, number: str):
        try:
            await run(self, lambda db, caller, anon: order_status.cancel(db, caller, number))
        except DomainError as e:
            return toast.error(e.message)
        await self._refresh(number)
        return toast.success(f"Order {number} is cancelled. The payment was refunded.")

    @event
    async def advance(self, number: str, status: str):
        """A supervisor moves the order along (back office)."""
        try:
            now = await run(self, lambda db, caller, anon: order_status.advance(db, caller, number, status))
        except DomainError as e:
            return toast.error(e.message)
        await self._refresh(number)
        return toast.success(f"Order {number}: {now}.")

    @event
    async def reorder(self, number: str):
        try:
            done = await run(self, lambda db, caller, anon: order_status.reorder(db, caller, anon, number))
        except DomainError as e:
            return toast.error(e.message)
        added = f"Added {done.added} item{'s' if done.added != 1 else ''} to the cart."
        if done.not_added:
            return toast.toast(f"{added} Not added: {'; '.join(done.not_added)}.")
        return toast.success(added)
