"""The signed-in identity: the session cookie, what the header shows, sign-in / sign-out, and the
on-behalf session's end. Every handler goes through the guard (app/state/guard.py); the workflows
themselves are services (app/services/identity.py)."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from urllib.parse import urlencode

import reflex as rx

from app import config
from app.services import auth, identity, onbehalf, session_cookie
from app.services.caller import Caller
from app.services.db import utcnow
from app.services.errors import DomainError, FieldErrors
from app.services.validation import form_values, safe_return_to
from app.state import toast
from app.state.guard import device, query_param, refresh_identity, run, shows_caller
from app.state.live import connected
from app.state.toast import event

STAFF_HOME = "/customer-service"
# While a CSR is on behalf, each open tab checks in this often: its presence keeps the cart lock from
# being released as abandoned, and it brings the idle warning a minute before the timeout.
PRESENCE_SECONDS = 5
IDLE_WARNING = timedelta(minutes=1)


def go_through_endpoint(state: SessionState, path: str, **params: str) -> None:
    """A full page load through one of the store's HTTP endpoints (app/endpoints.py): the cookie it sets or
    removes reaches the server with the next page's websocket. components/leave.py loads it: no
    `rx.call_script`, whose eval the Content-Security-Policy forbids (app/headers.py)."""
    state.leave_to = path + "?" + urlencode(params)


@shows_caller
class SessionState(rx.State):
    """What the header shows. The credential is not here: it is the HttpOnly session cookie, which the
    server reads from the websocket's handshake in every event (app/state/guard.py `credential`)."""

    anon_key: str = rx.Cookie("", name="anon", max_age=config.ANON_CART_DAYS * 86400, same_site="lax")
    # The OWASP device cookie (app/services/devices.py) is HttpOnly, like the session's: set by the
    # session-cookie endpoint, read from the websocket handshake (app/state/guard.py `device`).
    # Where this tab goes next by a full page load (go_through_endpoint; components/leave.py).
    leave_to: str = ""

    signed_in: bool = False
    account_id: int = 0
    # What the browser compares the shared cart with: "locked by you", "your lock was taken over", "your
    # session ended" (opaque tags, as in app/services/caller.py; empty for shoppers).
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
    # An event of this tab found its on-behalf session over before the cart's notice came
    # (app/state/guard.py): the header then asks on_behalf_ended why, as for the notice (components/header.py).
    ended_unsaid: bool = False
    # An event of this tab found the person behind it changed elsewhere, other than by the end of its on-behalf
    # session: another tab of this browser went on behalf of a customer, or signed out (app/state/guard.py).
    # The page's data is forgotten by then; the header asks person_changed to show the page to whoever it is.
    changed_unsaid: bool = False
    _watching: bool = False
    # The on-behalf session this tab last showed.
    _on_behalf_id: int = 0
    # A toast for the page this tab lands on after a full page load through the session-cookie endpoint.
    _notice: str = ""
    # Whose tab this is (sign-in session and on-behalf session), as the guard last resolved it.
    _person: str = ""

    # Sign-in form state (the Register form's is app/state/registration.py: registering signs nobody in)
    signin_error: str = ""
    signin_errors: dict[str, str] = {}
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
        if caller.on_behalf_id is not None:
            self._on_behalf_id = caller.on_behalf_id  # kept after it ends: on_behalf_ended says why
        if not caller.on_behalf:
            shown["idle_warning"] = False
        for name, value in shown.items():
            if getattr(self, name) != value:
                setattr(self, name, value)  # only what changed goes to the browser

    def _ensure_anon_key(self) -> None:
        if not self.anon_key:
            self.anon_key = secrets.token_urlsafe(24)

    def _arriving(self) -> bool:
        """A page is loading: returns whether this tab was on behalf of a customer until now."""
        self._ensure_anon_key()
        self.leave_to = ""  # this page is where the last full page load led
        return self.on_behalf

    def _arrived(self, caller, was_on_behalf: bool) -> list:
        """The page knows its caller (the guard showed them): what it says on arrival."""
        self.idle_warning = False
        events = []
        if self._notice:  # said by the event that sent this tab through the session-cookie endpoint
            events.append(toast.success(self._notice))
            self._notice = ""
        elif was_on_behalf and not caller.on_behalf and caller.signed_in:
            events.append(toast.toast("Your session on behalf of the customer has ended."))
        if caller.on_behalf:
            events.append(SessionState.watch_presence)
        return events

    # -- sign in / register -------------------------------------------------------------------

    @event
    def set_return_to(self):
        self.return_to = safe_return_to(query_param(self, "next", "/"))
        # A link through sign-in to a page (the cart link customer service mails): a shopper who is signed
        # in already goes straight there. (The cart's load ran first: this is the server's view.)
        if self.signed_in and not self.is_staff and query_param(self, "next", ""):
            return rx.redirect(self.return_to)
        return None

    async def _signed_in(self, token: str, then: str | None = None, notice: str | None = None):
        """This browser is signed in with the session `token`: send it through the session-cookie endpoint,
        which keeps the credential in an HttpOnly cookie (app/services/session_cookie.py), then on to the
        staff home, or `then` (else where the shopper came from). The notice is shown on the page it lands on."""

        def hand_off(db, caller, anon):
            return auth.resolve_caller(db, token), session_cookie.handoff(db, token)

        caller, code = await run(self, hand_off, activity=False)
        self.signin_error = ""
        self.signin_errors = {}
        # Staff land on Customer Service, or on the Customer Service page a shared link asked for (Customer 360).
        staff_page = self.return_to if self.return_to.startswith(STAFF_HOME + "/") else STAFF_HOME
        target = staff_page if caller.permissions else (then or self.return_to or "/")
        if notice is None:
            notice = (
                f"Welcome, {caller.first_name}."
                if caller.permissions
                else f"Welcome back, {caller.first_name}."
            )
        self._notice = notice
        return go_through_endpoint(self, "/auth/session", code=code, next=target)

    def _signed_out(self, notice: str):
        """After the server ended this browser's session: the endpoint removes the cookie, then home."""
        self._notice = notice
        return go_through_endpoint(self, "/auth/signed-out", next="/")

    @event
    async def sign_in(self, form: dict):
        form = form_values(form)
        self.signin_error = ""
        self.signin_errors = {}
        try:
            token = await run(
                self,
                lambda db, caller, anon: identity.sign_in(
                    db,
                    caller,
                    anon,
                    form.get("email"),
                    form.get("password"),
                    device=device(self),
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

    @event
    async def sign_out(self):
        await run(self, lambda db, caller, anon: identity.sign_out(db, caller), activity=False)
        await refresh_identity(self)  # the session is gone: this tab forgets whoever it showed
        return self._signed_out("You are signed out.")

    @event
    async def sign_out_everywhere(self):
        """My Account: end every sign-in of the caller's own account, this browser's included."""
        ended = await run(self, lambda db, caller, anon: auth.sign_out_everywhere(db, caller), activity=False)
        await refresh_identity(self)
        devices = "device" if ended == 1 else "devices"
        return self._signed_out(f"You are signed out on every device ({ended} {devices}).")

    # -- on-behalf session ------------------------------------------------------------------

    @event
    async def sign_in_as_yourself(self):
        """End the on-behalf session and go back to Customer Service, ready for the next customer."""
        return await self._end_on_behalf("signed_in_as_self")

    @event
    async def end_session_from_tab(self):
        return await self._end_on_behalf("customer_service_tab")

    async def _end_on_behalf(self, reason: str):
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

    @event
    async def on_behalf_ended(self):
        """The on-behalf session this tab shows ended elsewhere (another tab, another browser, the idle
        timeout, a hand back): show the truth and leave the customer's pages."""
        ended_id = self._on_behalf_id
        # Whom and why, from the database: the cart that said so may be unlinked from this tab already, and an
        # event of this tab (its presence check-in) may have shown the CSR as themself meanwhile.
        name, reason = await run(
            self, lambda db, caller, anon: onbehalf.why_ended(db, ended_id), activity=False
        )
        caller = await refresh_identity(self)
        self.ended_unsaid = False
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

    @event
    async def person_changed(self):
        """An event of this tab found the person behind it changed elsewhere (`changed_unsaid`): say so, and show
        the page to whoever it is now. Going on behalf of a customer in another tab sends this one to that
        customer's account too (its own page, Customer Service say, would now be theirs, or end the session).
        Otherwise this page loads again, as that person's: a page for the signed-in only sends a signed-out tab
        to sign in."""
        if not self.changed_unsaid:
            return None
        self.changed_unsaid = False
        caller = await refresh_identity(self)
        if caller.on_behalf:
            return [
                rx.redirect("/account"),
                toast.toast(f"You are shopping for {caller.customer_name} now: that began in another tab."),
            ]
        if not caller.signed_in:
            self._notice = "You were signed out in another tab or window."
        url = self.router.url
        self.leave_to = safe_return_to(url.path + (f"?{url.query}" if url.query else ""))
        return None

    @event
    async def keep_alive(self):
        await run(self, lambda db, caller, anon: None)
        self.idle_warning = False

    async def _check_in(self) -> bool:
        """One check-in of an open tab; False once this tab is no longer on behalf."""
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
        session is the server's (the sweeper's); this tab hears of it through LiveCart.ended_sessions, unless
        a check-in of its own finds it over first: then, as after any event of the tab that finds it over,
        `ended_unsaid` makes the header ask on_behalf_ended why."""
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
