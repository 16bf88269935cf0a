"""Customer Service: find a customer, access their account, recent sessions, audit (supervisors)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import reflex as rx

from app.services import assistcodes, audit, customers, locks, onbehalf
from app.services.audit import AuditRow
from app.services.customers import Criteria, CustomerRow
from app.services.errors import DomainError, FieldErrors
from app.services.locks import LockedCart
from app.services.onbehalf import RecentSession
from app.services.permissions import AUDIT_VIEW, CUSTOMER_ACCESS, CUSTOMER_SEARCH, LOCK_RELEASE_ANY
from app.services.validation import form_values
from app.state import toast
from app.state.guard import personal, refresh_identity, run
from app.state.toast import event

CRITERIA = tuple(f.name for f in fields(Criteria))
TYPE_AHEAD_MIN = 3  # characters in one criterion before Find customer searches as the CSR types


@personal
class CustomerServiceState(rx.State):
    allowed: bool = False
    loaded: bool = False
    # What was typed into the find form, shown again after the search (not validated: that is the service's).
    criteria: Criteria = Criteria()
    # Error maps stay dicts: field name -> message, read by the form's fields by name (components/ui.py).
    errors: dict[str, str] = {}
    results: list[CustomerRow] = []
    more: bool = False
    searched: bool = False
    recent: list[RecentSession] = []
    can_release: bool = False
    create_errors: dict[str, str] = {}
    locked_carts: list[LockedCart] = []
    # The criteria as typed so far (type-ahead sends one field at a time).
    _typed: dict[str, str] = {}
    # ASSISTANCE_VERIFY=code: the customer whose code the access dialog asks for (0: the dialog is closed),
    # set only once every other refusal was checked; the page after access; the wrong-code message.
    code_customer_id: int = 0
    code_customer: str = ""
    code_then: str = "/account"
    code_error: str = ""

    @event
    async def load(self):
        caller, recent, locked = await run(self, _overview, activity=False)
        self.loaded = True
        self.create_errors = {}
        if not caller.signed_in:
            return rx.redirect("/login?next=/customer-service")
        self.allowed = caller.can(CUSTOMER_SEARCH)
        if not self.allowed:
            return
        if caller.on_behalf:
            # Arriving here during a session (e.g. typed URL) ends it, as the tab's dialog promised.
            from app.state.session import SessionState

            return await (await self.get_state(SessionState)).end_session_from_tab()
        self.recent, self.can_release, self.locked_carts = recent, caller.can(LOCK_RELEASE_ANY), locked

    @event
    async def find(self, form: dict):
        form = form_values(form)
        return await self._search({k: form.get(k, "") for k in CRITERIA}, typed=False)

    @event
    async def search_as_typed(self, name: str, value: str):
        """Type-ahead: a criterion changed (sent 300 ms after the last keystroke in that field). Searches once
        some criterion has TYPE_AHEAD_MIN characters; says nothing by toast (the CSR is still typing). Events of
        one tab are handled in the order they were sent, so an older answer never lands after a newer one."""
        if name not in CRITERIA or not isinstance(value, str):
            return None
        typed = {**self._typed, name: value[:100]}
        self._typed = typed
        if not any(len(v.strip()) >= TYPE_AHEAD_MIN for v in typed.values()):
            return None
        return await self._search(typed, typed=True)

    async def _search(self, raw: dict, *, typed: bool):
        self._typed = {k: str(v)[:100] if isinstance(v, str) else "" for k, v in raw.items()}
        self.criteria = Criteria(**self._typed)
        self.errors = {}
        try:
            result = await run(self, lambda db, caller, anon: customers.find(db, caller, raw), activity=False)
        except FieldErrors as e:
            self.errors, self.results, self.more, self.searched = e.errors, [], False, False
            return None if typed else toast.error(e.errors.get("form", e.message))
        except DomainError as e:
            return toast.error(e.message)
        self.results, self.more, self.searched = result.rows, result.more, True
        return None

    @event
    async def access(self, customer_id: int):
        return await self._access(customer_id, "/account")

    @event
    async def view_cart(self, customer_id: int):
        return await self._access(customer_id, "/cart")

    async def _access(self, customer_id: int, then: str):
        if assistcodes.required():
            # Consent and every other refusal first: the dialog asks for a code only when it is all that's missing.
            try:
                found, name = await run(
                    self,
                    lambda db, caller, anon: onbehalf.code_needed(db, caller, customer_id),
                    activity=False,
                )
            except DomainError as e:
                return toast.error(e.message)
            self.code_customer_id, self.code_customer, self.code_then, self.code_error = (
                found,
                name,
                then if then in ("/account", "/cart") else "/account",
                "",
            )
            return
        return await self._start_session(customer_id, None, then)

    @event
    async def submit_code(self, form: dict):
        """The code the customer gave, for the customer the dialog was opened for (never one the browser names)."""
        code = form_values(form).get("code", "")
        if not self.code_customer_id:
            return toast.error("Choose a customer to access first.")
        return await self._start_session(self.code_customer_id, code, self.code_then)

    @event
    async def send_code(self):
        """Mail the customer a fresh code; the CSR never sees it."""
        customer_id = self.code_customer_id
        if not customer_id:
            return toast.error("Choose a customer to access first.")
        try:
            email = await run(self, lambda db, caller, anon: onbehalf.mail_code(db, caller, customer_id))
        except DomainError as e:
            return toast.error(e.message)
        self.code_error = ""
        return toast.success(f"A new code was emailed to {email}. Ask the customer to read it to you.")

    @event
    def code_dialog_changed(self, is_open: bool):
        if not is_open:
            self.code_customer_id, self.code_customer, self.code_error = 0, "", ""

    async def _start_session(self, customer_id: int, code: object, then: str):
        try:
            name = await run(self, lambda db, caller, anon: _start(db, caller, customer_id, code))
        except DomainError as e:
            if e.field == "code" and self.code_customer_id:
                self.code_error = e.message
                return
            self.code_customer_id, self.code_error = 0, ""
            return toast.error(e.message)
        self.code_customer_id, self.code_customer, self.code_error = 0, "", ""
        await refresh_identity(self)
        return [
            rx.redirect(then),
            toast.success(f"You accessed {name}'s account. You are now shopping on their behalf."),
        ]

    @event
    def clear_create_errors(self, is_open: bool = True):
        """The create dialog opens and closes in the browser; each opening starts without old errors."""
        self.create_errors = {}

    @event
    async def create_customer(self, form: dict):
        """docs/PRODUCT.md §Find customer: create the caller's account and shop on their behalf at once (one
        transaction)."""
        form = form_values(form)
        self.create_errors = {}
        raw = {k: form.get(k, "") for k in customers.CREATE_FIELDS}
        try:
            name, email = await run(self, lambda db, caller, anon: _create(db, caller, raw))
        except FieldErrors as e:
            self.create_errors = e.errors
            return
        except DomainError as e:
            self.create_errors = {"form": e.message}
            return
        await refresh_identity(self)
        return [
            rx.redirect("/account"),
            toast.success(
                f"Created {name}'s account and emailed {email} a link to choose a password. "
                "You are now shopping on their behalf."
            ),
        ]

    @event
    async def release_lock(self, cart_id: int):
        try:
            self.locked_carts = await run(self, lambda db, caller, anon: _release(db, caller, cart_id))
        except DomainError as e:
            return toast.error(e.message)
        return toast.success("Lock released.")


def _overview(db, caller, anon):
    """Who the caller is, their recent sessions and (for a supervisor) the locked carts."""
    if not caller.can(CUSTOMER_SEARCH) or caller.on_behalf:
        return caller, [], []
    locked = locks.locked_carts(db, caller) if caller.can(LOCK_RELEASE_ANY) else []
    recent = onbehalf.recent_sessions(db, caller) if caller.can(CUSTOMER_ACCESS) else []
    return caller, recent, locked


def _release(db, caller, cart_id) -> list[LockedCart]:
    locks.release_any(db, caller, cart_id)
    return locks.locked_carts(db, caller)


def _start(db, caller, customer_id, code=None, *, just_created: bool = False) -> str:
    ob = onbehalf.start(db, caller, customer_id, code, just_created=just_created)
    from models import Account

    customer = db.get(Account, ob.customer_id)
    return f"{customer.first_name} {customer.last_name}"


def _create(db, caller, raw) -> tuple[str, str]:
    account = customers.create_customer(db, caller, raw)
    return _start(db, caller, account.id, just_created=True), account.email


@personal
class AuditState(rx.State):
    allowed: bool = False
    loaded: bool = False
    rows: list[AuditRow] = []
    csr_email: str = ""
    customer_number: str = ""
    since: str = ""
    until: str = ""
    error: str = ""

    def _filters(self) -> dict:
        def day(value: str):
            try:
                return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC) if value else None
            except ValueError:
                raise DomainError("Dates are YYYY-MM-DD.") from None

        until = day(self.until)
        if until is not None and until.year >= 9999:
            until = None  # "until the end of time" is no filter at all
        return {
            "csr_email": self.csr_email[:254],
            "customer_number": self.customer_number[:20],
            "since": day(self.since),
            "until": until + timedelta(days=1) if until else None,
        }

    @event
    async def load(self):
        caller = await run(self, lambda db, caller, anon: caller, activity=False)
        self.loaded = True
        if not caller.signed_in:
            return rx.redirect("/login?next=/customer-service/audit")
        self.allowed = caller.can(AUDIT_VIEW)
        if self.allowed:
            await self._search()

    async def _search(self):
        self.error = ""
        try:
            filters = self._filters()
            self.rows = await run(
                self, lambda db, caller, anon: audit.search(db, caller, **filters), activity=False
            )
        except DomainError as e:
            self.error = e.message
            self.rows = []

    @event
    async def apply(self, form: dict):
        form = form_values(form)
        self.csr_email = str(form.get("csr_email", "")).strip()
        self.customer_number = str(form.get("customer_number", "")).strip()
        self.since = str(form.get("since", "")).strip()
        self.until = str(form.get("until", "")).strip()
        await self._search()

    @event
    async def export_csv(self):
        try:
            filters = self._filters()
            rows = await run(
                self, lambda db, caller, anon: audit.search(db, caller, **filters), activity=False
            )
        except DomainError as e:
            return toast.error(e.message)
        return rx.download(data=audit.to_csv(rows), filename="audit.csv", mime_type="text/csv")
