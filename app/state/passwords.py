"""Forgot password and the one-time set-password link."""

from __future__ import annotations

import reflex as rx

from app.services import auth, carts, passwords
from app.services.errors import DomainError, FieldErrors
from app.services.validation import clean, form_values
from app.state import toast
from app.state.guard import query_param, run
from app.state.session import STAFF_HOME, SessionState


class ForgotPasswordState(rx.State):
    sent: bool = False
    sent_to: str = ""
    errors: dict[str, str] = {}

    @rx.event
    def load(self):
        self.sent, self.sent_to, self.errors = False, "", {}

    @rx.event
    async def request(self, form: dict):
        form = form_values(form)
        self.errors = {}
        email = form.get("email")
        try:
            await run(self, lambda db, caller, anon: passwords.request_reset(db, email), activity=False)
        except FieldErrors as e:
            self.errors = e.errors
            return
        except DomainError as e:
            return toast.error(e.message)
        # The same answer whether or not the account exists.
        self.sent, self.sent_to = True, clean(email)[:254]


class SetPasswordState(rx.State):
    loaded: bool = False
    link_ok: bool = False
    link_error: str = ""
    email: str = ""
    welcome: bool = False
    errors: dict[str, str] = {}

    @rx.event
    async def load(self):
        """Check the link before the customer types anything; it is checked again on submit."""
        token = query_param(self, "token")
        self.errors = {}
        try:
            info = await run(self, lambda db, caller, anon: passwords.check_link(db, token), activity=False)
        except DomainError as e:
            self.link_ok, self.link_error, self.email, self.welcome = False, e.message, "", False
        else:
            self.link_ok, self.link_error = True, ""
            self.email, self.welcome = info["email"], info["purpose"] == passwords.WELCOME
        self.loaded = True

    @rx.event
    async def submit(self, form: dict):
        form = form_values(form)
        self.errors = {}
        token = query_param(self, "token")
        session = await self.get_state(SessionState)
        previous = session.token

        def use_link(db, caller, anon):
            new_session, account = passwords.set_password(
                db, token, form.get("password"), form.get("confirm")
            )
            auth.sign_out(db, previous)  # whoever was signed in in this browser before
            if account.role == "shopper":
                carts.merge_anonymous(db, anon, account.id)
            return new_session, account

        try:
            new_session, account = await run(self, use_link, activity=False)
        except passwords.InvalidLink as e:
            self.link_ok, self.link_error = False, e.message
            return
        except FieldErrors as e:
            self.errors = e.errors
            return
        except DomainError as e:
            return toast.error(e.message)
        self.link_ok = False  # used: going back to this page shows that it was
        session.token = new_session
        session._refresh()
        return [
            rx.redirect(STAFF_HOME if session.is_staff else "/account"),
            toast.success(f"Your password is saved and you are signed in. Welcome, {account.first_name}."),
        ]
