"""Registering (the Register form on /login) and finishing it from the mailed link (/confirm-account);
the workflows are app/services/identity.py and app/services/registration.py."""

from __future__ import annotations

import reflex as rx

from app.services import identity, registration
from app.services.errors import DomainError, FieldErrors
from app.services.validation import form_values
from app.state.guard import personal, query_param, run
from app.state.passwords import open_link, sign_in_with_link
from app.state.toast import event


@personal
class RegisterState(rx.State):
    errors: dict[str, str] = {}
    # The address the answer names once the form was sent; "" while the form shows.
    sent_to: str = ""

    @event
    def load(self):
        self.errors, self.sent_to = {}, ""

    @event
    async def register(self, form: dict):
        form = form_values(form)
        self.errors = {}
        source = self.router.session.client_ip
        try:
            address = await run(
                self, lambda db, caller, anon: identity.register(db, form, source), activity=False
            )
        except FieldErrors as e:
            self.errors = e.errors
            return
        except DomainError as e:
            self.errors = {"form": e.message}
            return
        # The same answer whether or not the address has an account (app/services/registration.py).
        self.sent_to = address


@personal
class ConfirmAccountState(rx.State):
    loaded: bool = False
    link_ok: bool = False
    link_error: str = ""
    email: str = ""
    errors: dict[str, str] = {}

    @event
    async def load(self):
        """Check the link before the password is typed; it is checked again on submit."""
        token = query_param(self, "token")
        await open_link(self, lambda db, caller, anon: registration.check_link(db, token))

    @event
    async def submit(self, form: dict):
        return await sign_in_with_link(
            self,
            form,
            lambda db, caller, anon, link, values: identity.confirm_registration(
                db, caller, anon, link, values.get("password")
            ),
            "Your account is ready and you are signed in. Welcome, {first_name}.",
        )
