"""The signed-in identity: the session cookie, who the caller is, and sign-in / sign-out."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

import reflex as rx

from app import config
from app.services import auth, carts, onbehalf
from app.services.auth import ANONYMOUS, Caller
from app.services.db import session_scope, utcnow
from app.services.errors import DomainError, FieldErrors
from app.services.validation import form_values
from app.state import toast

STAFF_HOME = "/customer-service"
IDLE_POLL_SECONDS = 5
IDLE_WARNING = timedelta(minutes=1)


class SessionState(rx.State):
    """Holds the opaque session token (the browser's credential) and what the header shows.

    Everything else about the caller is re-derived on the server from the token in each handler.
    """

    token: str = rx.Cookie("", name="sid", max_age=config.SESSION_DAYS * 86400, same_site="lax")
    anon_key: str = rx.Cookie("", name="anon", max_age=30 * 86400, same_site="lax")

    signed_in: bool = False
    account_id: int = 0  # not a secret: lets the browser tell "locked by you" from "by someone else"
    first_name: str = ""
    user_name: str = ""
    is_staff: bool = False
    can_audit: bool = False
    can_take_over: bool = False
    can_adjust_price: bool = False
    on_behalf: bool = False
    customer_name: str = ""
    idle_warning: bool = False
    _watching_idle: bool = False

    # Sign-in / register form state
    signin_error: str = ""
    signin_errors: dict[str, str] = {}
    register_errors: dict[str, str] = {}
    return_to: str = "/"

    def _caller(self) -> Caller:
        with session_scope() as db:
            return auth.resolve_caller(db, self.token)

    def _show(self, caller: Caller) -> None:
        self.signed_in = caller.signed_in
        self.account_id = caller.account_id or 0
        self.first_name = caller.first_name
        self.user_name = caller.name
        self.is_staff = bool(caller.permissions)
        self.can_audit = caller.can("audit.view")
        self.can_take_over = caller.can("cart.takeover")
        self.can_adjust_price = caller.can("order.adjust_price")
        self.on_behalf = caller.on_behalf
        self.customer_name = caller.customer_name
        if not caller.on_behalf:
            self.idle_warning = False

    def _refresh(self) -> None:
        """Show the caller as the server sees them now (after a session started or ended)."""
        self._show(self._caller())

    def _ensure_anon_key(self) -> None:
        if not self.anon_key:
            self.anon_key = secrets.token_urlsafe(24)

    @rx.event
    def load_identity(self):
        """Every page's on_load: refresh the header from the server's view of the caller."""
        self._ensure_anon_key()
        caller = self._caller()
        if self.token and not caller.signed_in:
            self.token = ""
        was_on_behalf = self.on_behalf
        if caller.on_behalf:  # moving around the store counts as activity
            with session_scope() as db:
                onbehalf.touch(db, caller)
        self._show(caller)
        self.idle_warning = False
        if was_on_behalf and not caller.on_behalf and caller.signed_in:
            return toast.toast("Your session on behalf of the customer has ended.")
        if caller.on_behalf:
            return SessionState.watch_idle

    # -- sign in / register -------------------------------------------------------------------

    @rx.event
    def set_return_to(self):
        from app.state.guard import query_param

        target = query_param(self, "next", "/")
        self.return_to = (
            target
            if isinstance(target, str) and target.startswith("/") and not target.startswith("//")
            else "/"
        )

    def _after_sign_in(self, account, token: str):
        self.token = token
        caller = self._caller()
        self._show(caller)
        self.signin_error = ""
        self.signin_errors = {}
        self.register_errors = {}
        if caller.permissions:
            return [rx.redirect(STAFF_HOME), toast.success(f"Welcome, {caller.first_name}.")]
        return [rx.redirect(self.return_to or "/"), toast.success(f"Welcome back, {caller.first_name}.")]

    @rx.event
    def sign_in(self, form: dict):
        form = form_values(form)
        self.signin_error = ""
        self.signin_errors = {}
        try:
            with session_scope() as db:
                token, account = auth.sign_in(db, form.get("email"), form.get("password"))
                if account.role == "shopper":
                    carts.merge_anonymous(db, self.anon_key, account.id)
        except FieldErrors as e:
            self.signin_errors = e.errors
            return
        except DomainError as e:
            self.signin_error = e.message
            return
        return self._after_sign_in(account, token)

    @rx.event
    def register(self, form: dict):
        form = form_values(form)
        self.register_errors = {}
        try:
            with session_scope() as db:
                token, account = auth.register(
                    db, form.get("first_name"), form.get("last_name"), form.get("email"), form.get("password")
                )
                carts.merge_anonymous(db, self.anon_key, account.id)
        except FieldErrors as e:
            self.register_errors = e.errors
            return
        except DomainError as e:
            self.register_errors = {"form": e.message}
            return
        return self._after_sign_in(account, token)

    @rx.event
    def sign_out(self):
        with session_scope() as db:
            auth.sign_out(db, self.token)
        self.token = ""
        self._show(ANONYMOUS)
        return [rx.redirect("/"), toast.toast("You are signed out.")]

    # -- on-behalf session ------------------------------------------------------------------

    @rx.event
    def sign_in_as_yourself(self):
        """Seed 004 step 8: end the on-behalf session, back to Customer Service."""
        return self._end_on_behalf("signed_in_as_self")

    @rx.event
    def end_session_from_tab(self):
        return self._end_on_behalf("customer_service_tab")

    def _end_on_behalf(self, reason: str):
        caller = self._caller()
        if not caller.signed_in:
            self._show(caller)
            return rx.redirect("/login")
        name = caller.customer_name
        with session_scope() as db:
            onbehalf.end(db, caller, reason)
        self._refresh()
        if not caller.on_behalf:
            return rx.redirect(STAFF_HOME)
        return [
            rx.redirect(STAFF_HOME),
            toast.toast(f"You are signed in as yourself again. Session with {name} ended."),
        ]

    @rx.event
    def keep_alive(self):
        caller = self._caller()
        if caller.on_behalf:
            with session_scope() as db:
                onbehalf.touch(db, caller)
        self.idle_warning = False

    def _check_idle(self) -> bool:
        """Refresh the idle warning; True when the server ended the on-behalf session for idleness."""
        caller = self._caller()  # resolving ends the on-behalf session when it went idle
        if not caller.on_behalf:
            self._show(caller)
            return True
        with session_scope() as db:
            deadline = onbehalf.idle_deadline(db, caller)
        self.idle_warning = deadline is not None and deadline - utcnow() <= IDLE_WARNING
        return False

    @rx.event(background=True)
    async def watch_idle(self):
        """While on behalf: warn a minute before the idle timeout; the server ends the session."""
        async with self:
            if self._watching_idle:
                return
            self._watching_idle = True
        try:
            while True:
                await asyncio.sleep(IDLE_POLL_SECONDS)
                async with self:
                    if not self.on_behalf:
                        return
                    ended = self._check_idle()
                if ended:
                    yield rx.redirect(STAFF_HOME)
                    yield toast.toast("The session on behalf of the customer ended after inactivity.")
                    return
        finally:
            async with self:
                self._watching_idle = False
