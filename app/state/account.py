"""My Account: profile, addresses, order history, consent, and what customer service changed."""

from __future__ import annotations

import reflex as rx

from app.services import accounts, audit, consent, orders, passwords
from app.services.audit import AuditRow
from app.services.errors import DomainError, FieldErrors
from app.services.validation import form_values
from app.state import toast
from app.state.guard import last_path_segment, personal, refresh_identity, run
from app.state.session import SessionState

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

    @rx.event
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
                ),
                activity=False,
            )
        except DomainError:
            self.denied, self.loaded = True, True
            if not session.signed_in:
                return rx.redirect("/login?next=/account")
            return rx.redirect("/customer-service")
        self.profile, self.addresses, self.orders, self.cs_changes = data
        self.allow_assistance = self.profile.allow_assistance
        self.consent_policy = consent.policy()
        self.profile_errors, self.address_errors, self.denied, self.loaded = {}, {}, False, True

    @rx.event
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

    @rx.event
    def toggle_address_form(self):
        self.address_form_open = not self.address_form_open
        self.address_errors = {}

    @rx.event
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

    @rx.event
    async def set_default(self, address_id: int, kind: str):
        try:
            await run(
                self, lambda db, caller, anon: accounts.set_default_address(db, caller, address_id, kind)
            )
        except DomainError as e:
            return toast.error(e.message)
        await self.load()
        return toast.success(f"Default {kind} address updated.")

    @rx.event
    async def delete_address(self, address_id: int):
        try:
            await run(self, lambda db, caller, anon: accounts.delete_address(db, caller, address_id))
        except DomainError as e:
            return toast.error(e.message)
        await self.load()
        return toast.success("Address removed.")

    @rx.event
    async def set_assistance(self, allowed: bool):
        try:
            await run(self, lambda db, caller, anon: accounts.set_assistance(db, caller, allowed))
        except DomainError as e:
            return toast.error(e.message)
        self.allow_assistance = allowed
        return toast.success(
            "Customer service may shop on your behalf."
            if allowed
            else "Customer service can no longer shop on your behalf."
        )

    @rx.event
    async def send_password_link(self):
        """On behalf: mail the customer a fresh set-password link (the CSR never sees it)."""
        try:
            email = await run(self, lambda db, caller, anon: passwords.send_link_for_customer(db, caller))
        except DomainError as e:
            return toast.error(e.message)
        return toast.success(f"A link to set a new password was emailed to {email}.")


@personal
class OrderState(rx.State):
    order: orders.OrderDetail = orders.OrderDetail()
    found: bool = True
    loaded: bool = False

    @rx.event
    async def load(self):
        number = last_path_segment(self)
        try:
            self.order = await run(
                self, lambda db, caller, anon: orders.order_detail(db, caller, number), activity=False
            )
            self.found = True
        except DomainError:
            self.order, self.found = orders.OrderDetail(), False
        self.loaded = True
