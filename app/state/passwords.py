"""Forgot password and the one-time set-password link."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import reflex as rx

from app import config
from app.services import identity, passwords
from app.services.errors import DomainError, FieldErrors
from app.services.validation import clean, form_values
from app.state import toast
from app.state.guard import personal, query_param, run
from app.state.session import SessionState
from app.state.toast import event


async def answer_at(moment: float) -> None:
    """Wait until `moment` (time.monotonic()): the work before it, whatever it was, does not show."""
    left = moment - time.monotonic()
    if left > 0:
        await asyncio.sleep(left)


@personal
class ForgotPasswordState(rx.State):
    sent: bool = False
    sent_to: str = ""
    errors: dict[str, str] = {}

    @event
    def load(self):
        self.sent, self.sent_to, self.errors = False, "", {}

    @event
    async def request(self, form: dict):
        form = form_values(form)
        self.errors = {}
        email, source = form.get("email"), self.router.session.client_ip
        started = time.monotonic()
        try:
            await run(
                self, lambda db, caller, anon: passwords.request_reset(db, email, source), activity=False
            )
        except FieldErrors as e:
            self.errors = e.errors
            return
        except DomainError as e:
            return toast.error(e.message)
        # The same answer whether or not the account exists, at the same moment (config).
        await answer_at(started + config.FORGOT_PASSWORD_ANSWER_SECONDS)
        self.sent, self.sent_to = True, clean(email)[:254]


@personal
class SetPasswordState(rx.State):
    loaded: bool = False
    link_ok: bool = False
    link_error: str = ""
    email: str = ""
    welcome: bool = False
    errors: dict[str, str] = {}

    @event
    async def load(self):
        """Check the link before the customer types anything; it is checked again on submit."""
        token = query_param(self, "token")
        info = await open_link(self, lambda db, caller, anon: passwords.check_link(db, token))
        self.welcome = info is not None and info["purpose"] == passwords.WELCOME

    @event
    async def submit(self, form: dict):
        return await sign_in_with_link(
            self,
            form,
            lambda db, caller, anon, link, values: identity.use_password_link(
                db, caller, anon, link, values.get("password"), values.get("confirm")
            ),
            "Your password is saved and you are signed in. Welcome, {first_name}.",
        )


async def open_link(state: rx.State, check: Callable[..., dict]) -> dict | None:
    """Load a page a one-time link opens (set password, finish registering): `check` tells whether the link
    still works and for which address. A dead one shows why; the form shows only for a live one."""
    state.errors = {}
    try:
        info = await run(state, check, activity=False)
    except DomainError as e:
        state.link_ok, state.link_error, state.email = False, e.message, ""
        info = None
    else:
        state.link_ok, state.link_error, state.email = True, "", info["email"]
    state.loaded = True
    return info


async def sign_in_with_link(state: rx.State, form: dict, use: Callable[..., tuple[str, str]], notice: str):
    """Submit a one-time link's password form (set password, finish registering): `use(db, caller, anon,
    link, values)` returns a session token and the first name. A dead link says why on the page, field errors
    go under the fields, and on success the link is spent and the customer is signed in with `notice`
    (`{first_name}` filled in)."""
    values, link = form_values(form), query_param(state, "token")
    state.errors = {}
    try:
        token, first_name = await run(
            state, lambda db, caller, anon: use(db, caller, anon, link, values), activity=False
        )
    except passwords.InvalidLink as e:
        state.link_ok, state.link_error = False, e.message
        return None
    except FieldErrors as e:
        state.errors = e.errors
        return None
    except DomainError as e:
        return toast.error(e.message)
    state.link_ok = False  # used: going back to this page shows that it was
    session = await state.get_state(SessionState)
    return await session._signed_in(token, then="/account", notice=notice.format(first_name=first_name))
