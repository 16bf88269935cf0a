"""The signed-in identity: the session cookie, what the header shows, sign-in / sign-out, and the
on-behalf session's end. Every handler goes through the guard (app/state/guard.py); the workflows
themselves are services (app/services/identity.py)."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

import reflex as rx

from app import config
from app.services import identity, onbehalf
from app.services.auth import Caller
from app.services.db import utcnow
from app.services.errors import DomainError, FieldErrors
from app.services.validation import form_values, safe_return_to
from app.state import toast

STAFF_HOME = "/customer-service"
# While a CSR is on behalf, each open tab checks in this often: its presence keeps the cart lock from
# being released as abandoned, and it brings the idle warning a minute before the timeout.
PRESENCE_SECONDS = 5
IDLE_WARNING = timedelta(minutes=1)


class SessionState(rx.State):
    """Holds the opaque session token (the browser's credential) and what the header shows.

    Everything else about the caller is re-derived on the server from the token in each handler.
    """

    token: str = rx.Cookie("", name="sid", max_age=config.SESSION_DAYS * 86400, same_site="lax")
    anon_key: str = rx.Cookie("", name="anon", max_age=30 * 86400, same_site="lax")
    # A browser an account trusts after signing in (OWASP device cookie; app/services/devices.py).
    device: str = rx.Cookie("", name="device", max_age=config.DEVICE_TRUST_DAYS * 86400, same_site="lax")

    signed_in: bool = False
    account_id: int = 0
    # What the browser compares the shared cart with: "locked by you", "your lock was taken over", "your
    # session ended" (opaque tags, as in app/services/auth.py; empty for shoppers).
    staff_tag: str = ""
    session_tag: str = ""
    first_name: str = ""
    user_name: str = ""
    is_staff: bool = False
    can_audit: bool = False
    can_take_over: bool = False
    can_adjust_price: bool = False
    on_behalf: bool = False
    customer_name: str = ""
    idle_warning: bool = False
    _watching: bool = False
    # Whose tab this is (sign-in session and on-behalf session), as the guard last resolved it.
    _person: str = ""

    # Sign-in / register form state
    signin_error: str = ""
    signin_errors: dict[str, str] = {}
    register_errors: dict[str, str] = {}
    return_to: str = "/"

    def _show(self, caller: Caller) -> None:
        shown = {
            "signed_in": caller.signed_in,
            "account_id": caller.account_id or 0,
            "first_name": caller.first_name,
            "user_name": caller.name,
            "is_staff": bool(caller.permissions),
            "can_audit": caller.can("audit.view"),
            "can_take_over": caller.can("cart.takeover"),
            "can_adjust_price": caller.can("order.adjust_price"),
            "on_behalf": caller.on_behalf,
            "customer_name": caller.customer_name,
            "staff_tag": caller.staff_tag,
            "session_tag": caller.session_tag,
        }
        if not caller.on_behalf:
            shown["idle_warning"] = False
        for name, value in shown.items():
            if getattr(self, name) != value:
                setattr(self, name, value)  # only what changed goes to the browser

    def _ensure_anon_key(self) -> None:
        if not self.anon_key:
            self.anon_key = secrets.token_urlsafe(24)

    @rx.event
    async def load_identity(self):
        """Every page's on_load: refresh the header from the server's view of the caller."""
        from app.state.guard import run

        self._ensure_anon_key()
        was_on_behalf = self.on_behalf
        caller = await run(self, lambda db, caller, anon: caller)  # moving around counts as activity
        if self.token and not caller.signed_in:
            self.token = ""
        self.idle_warning = False
        if was_on_behalf and not caller.on_behalf and caller.signed_in:
            return toast.toast("Your session on behalf of the customer has ended.")
        if caller.on_behalf:
            return SessionState.watch_presence

    # -- sign in / register -------------------------------------------------------------------

    @rx.event
    def set_return_to(self):
        from app.state.guard import query_param

        self.return_to = safe_return_to(query_param(self, "next", "/"))

    async def _signed_in(self, token: str):
        from app.state.guard import refresh_identity

        self.token = token
        caller = await refresh_identity(self)
        self.signin_error = ""
        self.signin_errors = {}
        self.register_errors = {}
        if caller.permissions:
            return [rx.redirect(STAFF_HOME), toast.success(f"Welcome, {caller.first_name}.")]
        return [rx.redirect(self.return_to or "/"), toast.success(f"Welcome back, {caller.first_name}.")]

    @rx.event
    async def sign_in(self, form: dict):
        from app.state.guard import run

        form = form_values(form)
        self.signin_error = ""
        self.signin_errors = {}
        try:
            token, self.device = await run(
                self,
                lambda db, caller, anon: identity.sign_in(
                    db,
                    caller,
                    anon,
                    form.get("email"),
                    form.get("password"),
                    device=self.device,
                    source=self.router.session.client_ip,
                ),
                activity=False,
            )
        except FieldErrors as e:
            self.signin_errors = e.errors
            return
        except DomainError as e:
            self.signin_error = e.message
            return
        return await self._signed_in(token)

    @rx.event
    async def register(self, form: dict):
        from app.state.guard import run

        form = form_values(form)
        self.register_errors = {}
        try:
            token = await run(
                self, lambda db, caller, anon: identity.register(db, caller, anon, form), activity=False
            )
        except FieldErrors as e:
            self.register_errors = e.errors
            return
        except DomainError as e:
            self.register_errors = {"form": e.message}
            return
        return await self._signed_in(token)

    @rx.event
    async def sign_out(self):
        from app.state.guard import refresh_identity, run

        await run(self, lambda db, caller, anon: identity.sign_out(db, caller), activity=False)
        self.token = ""
        await refresh_identity(self)
        return [rx.redirect("/"), toast.toast("You are signed out.")]

    @rx.event
    async def sign_out_everywhere(self):
        """My Account: end every sign-in of the caller's own account, this browser's included."""
        from app.services import auth
        from app.state.guard import refresh_identity, run

        ended = await run(self, lambda db, caller, anon: auth.sign_out_everywhere(db, caller), activity=False)
        self.token = ""
        await refresh_identity(self)
        devices = "device" if ended == 1 else "devices"
        return [rx.redirect("/"), toast.toast(f"You are signed out on every device ({ended} {devices}).")]

    # -- on-behalf session ------------------------------------------------------------------

    @rx.event
    async def sign_in_as_yourself(self):
        """End the on-behalf session and go back to Customer Service, ready for the next customer."""
        return await self._end_on_behalf("signed_in_as_self")

    @rx.event
    async def end_session_from_tab(self):
        return await self._end_on_behalf("customer_service_tab")

    async def _end_on_behalf(self, reason: str):
        from app.state.guard import refresh_identity, run

        name = await run(
            self, lambda db, caller, anon: identity.end_on_behalf(db, caller, reason), activity=False
        )
        caller = await refresh_identity(self)
        if not caller.signed_in:
            return rx.redirect("/login")
        if not name:
            return rx.redirect(STAFF_HOME)
        return [
            rx.redirect(STAFF_HOME),
            toast.toast(f"You are signed in as yourself again. Session with {name} ended."),
        ]

    @rx.event
    async def on_behalf_ended(self):
        """The on-behalf session this tab shows ended elsewhere (another tab, another browser, the idle
        timeout, a hand back): show the truth and leave the customer's pages."""
        from app.state.guard import refresh_identity
        from app.state.live import LiveCart

        ended = (await self.get_state(LiveCart)).ended_sessions
        reason, name = ended.get(self.session_tag) or "it ended", self.customer_name
        caller = await refresh_identity(self)
        if not caller.signed_in:
            return [rx.redirect("/login"), toast.toast(f"Your session on behalf of {name} ended: {reason}.")]
        if caller.on_behalf:  # this browser went on to another customer, in another tab
            return [
                rx.redirect("/account"),
                toast.toast(
                    f"Your session on behalf of {name} ended: {reason}. You are shopping for "
                    f"{caller.customer_name} now."
                ),
            ]
        return [rx.redirect(STAFF_HOME), toast.toast(f"Your session on behalf of {name} ended: {reason}.")]

    @rx.event
    async def keep_alive(self):
        from app.state.guard import run

        await run(self, lambda db, caller, anon: None)
        self.idle_warning = False

    async def _check_in(self) -> bool:
        """One check-in of an open tab; False once this tab is no longer on behalf."""
        from app.state.guard import run

        deadline = await run(self, _seen, activity=False)
        if not self.on_behalf:
            return False
        warn = deadline is not None and deadline - utcnow() <= IDLE_WARNING
        if warn != self.idle_warning:
            self.idle_warning = warn
        return True

    @rx.event(background=True)
    async def watch_presence(self):
        """While on behalf, for as long as this tab is connected: tell the server a page of the CSR's is
        open (so their cart lock is not abandoned) and warn a minute before the idle timeout. Ending the
        session is the server's (the sweeper's); this tab hears of it through LiveCart.ended_sessions."""
        from app.state.live import connected

        async with self:
            if self._watching:
                return
            self._watching = True
        try:
            while True:
                await asyncio.sleep(PRESENCE_SECONDS)
                if not await connected(self.router.session.client_token):
                    return  # the tab closed or went away; a reconnect starts a new watch (on_load)
                async with self:
                    if not self.on_behalf or not await self._check_in():
                        return
        except DomainError:
            return  # the database is away: the page says so on its next event
        finally:
            async with self:
                self._watching = False


def _seen(db, caller: Caller, anon):
    onbehalf.seen(db, caller)
    return onbehalf.idle_deadline(db, caller)
