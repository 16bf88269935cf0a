"""The one door: every event that reads or writes data goes through `run` (docs/LIVE.md).

`run` is the unit of work of an event: it resolves the caller once from the server-side session, runs
the service in one transaction, commits, publishes whatever the service marked as changed to every open
page, and keeps the tab's state with its owner: when the person behind the tab changed (signed out,
someone else signed in, an on-behalf session began or ended, here or in another tab), every state that
holds a person's data is reset before anything else is shown. A DomainError leaves the handler; the
app's exception handler (app/state/toast.py) turns it into the toast. No other module in app/state
opens a database session.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import reflex as rx
from reflex.middleware import Middleware
from sqlmodel import Session

from app import config, metrics
from app.services import auth, changes, live, onbehalf, session_cookie, sweeper
from app.services.caller import Caller
from app.services.db import session_scope, waits_on_network
from app.services.errors import DomainError, Unavailable
from app.state import live as live_state
from app.state.toast import ToastState

T = TypeVar("T")
S = TypeVar("S", bound=type)

# States that hold a person's data or a page's UI flags: reset whenever the person behind the tab changes.
PERSONAL: list[type[rx.State]] = []


# The state that shows who is behind the tab and keeps the browser's anonymous-cart key: it has `anon_key`,
# `_person`, `ended_unsaid` and `_show(caller)`. That is SessionState (app/state/session.py), whose handlers go
# through this module, so it registers itself with `@shows_caller` rather than being imported here.
_shows_caller: type[rx.State] | None = None


def personal(cls: S) -> S:
    """Class decorator: this state belongs to the person signed in (reset when that person changes).

    A personal state with an async `_follow()` (the cart) loads the new person's data after the reset."""
    PERSONAL.append(cls)
    return cls


def shows_caller(cls: S) -> S:
    """Class decorator for the one state the guard tells, after every event, who is calling."""
    global _shows_caller
    _shows_caller = cls
    return cls


async def _caller_shown(state: rx.State) -> rx.State:
    if _shows_caller is None:
        raise RuntimeError("no state is registered with @shows_caller: import app.state.session")
    return await state.get_state(_shows_caller)


async def run(
    state: rx.State,
    action: Callable[[Session, Caller, str], T],
    *,
    activity: bool = True,
    explained: bool = False,
) -> T:
    """Run `action(db, caller, anon_key)` as the event's unit of work; returns its result.

    `activity`: the event counts as the CSR's activity for the idle timeout of an on-behalf session.
    `explained`: the handler itself tells the person why who they are changed (signing out, ending the
    session on behalf, a page load): otherwise a tab that finds its on-behalf session over asks for
    `on_behalf_ended`, which says why and leaves the customer's pages.
    """
    handler, started, failure = metrics.handler_name(sys._getframe(1)), time.perf_counter(), None
    try:
        return await _unit_of_work(state, action, activity, explained)
    except BaseException as error:
        failure = error
        raise
    finally:
        metrics.event_done(handler, started, failure)


async def _unit_of_work(
    state: rx.State, action: Callable[[Session, Caller, str], T], activity: bool, explained: bool
) -> T:
    session = await _caller_shown(state)
    token, anon = credential(state), session.anon_key
    try:
        if waits_on_network():
            caller, result, publications = await _in_database_thread(
                _transaction, token, anon, action, activity
            )
        else:
            caller, result, publications = _transaction(token, anon, action, activity)
    except _Refused as refused:
        await _after(state, session, refused.caller, refused.publications, explained)
        raise refused.error from None
    await _after(state, session, caller, publications, explained)
    return result


# On PostgreSQL the units of work of a worker run one after another in one thread of their own: the event loop
# serves every other tab while one waits on the database server, and only two threads (the loop's and this one)
# ever want the GIL. asyncio's default pool ran up to six at once, whose threads fought over the GIL: 8.2-8.6 ms
# of CPU per add-to-cart against 5.9-6.6 ms with one thread (bench/RESULTS.md, "One database thread").
_database_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unit-of-work")


async def _in_database_thread(fn: Callable[..., T], *args) -> T:
    """`fn(*args)` in the worker's database thread, with this event's context (as `asyncio.to_thread`)."""
    call = functools.partial(contextvars.copy_context().run, fn, *args)
    return await asyncio.get_running_loop().run_in_executor(_database_thread, call)


class _Refused(Exception):
    """A DomainError of the action, with what the caller's resolution changed (published all the same)."""

    def __init__(self, error: DomainError, caller: Caller, publications: live.Publications) -> None:
        self.error, self.caller, self.publications = error, caller, publications


def _transaction(token: str, anon: str, action, activity: bool):
    """The database part of an event. On PostgreSQL it runs in the worker's database thread: while it waits
    on the database server the worker's event loop goes on serving every other tab. SQLite computes in this
    process, where a thread only adds its cost (bench/RESULTS.md, "The unit of work off the event loop").
    Touches no Reflex state."""
    caller = None
    try:
        with session_scope() as db:
            caller = auth.resolve_caller(db, token)
            resolved = changes.checkpoint(db)
            result = action(db, caller, anon)
            if activity:
                onbehalf.touch(db, caller)
            publications = live.collect(db)
    except DomainError as error:
        if caller is None or isinstance(error, Unavailable):
            raise
        # The action was rolled back; what resolving the caller changed (an idle session ended) stands.
        if resolved:
            with session_scope() as db:
                caller = auth.resolve_caller(db, token)
                publications = live.collect(db)
        else:
            publications = live.Publications()
        raise _Refused(error, caller, publications) from error
    return caller, result, publications


async def refresh_identity(state: rx.State) -> Caller:
    """After the browser's credential or its on-behalf session changed: show the caller as the server
    sees them now, with everything of the previous person gone."""
    return await run(state, lambda db, caller, anon: caller, activity=False, explained=True)


async def _after(state: rx.State, session: rx.State, caller: Caller, publications, explained: bool) -> None:
    if publications:
        metrics.published(publications)
        await live_state.publish(state, publications)
    person = _person_key(caller)
    session._show(caller)
    if person != session._person:
        previous, session._person = session._person, person
        if previous:
            await forget(state)
        if explained:
            return
        if _lost_on_behalf(previous, caller):
            # Ended elsewhere (another tab or browser, the idle timeout, a hand back) and found by this
            # event before the cart's notice reached the tab: the header asks why (SessionState).
            session.ended_unsaid = True
        elif previous:
            # Changed elsewhere in another way (another tab of this browser went on behalf of a customer, or
            # signed out) and found by an event of this page, whose data was just forgotten: the header asks
            # person_changed to show the page to whoever it is now. A page load shows it anyway (CartState.load).
            session.changed_unsaid = True


class OwnerAtPageLoad(Middleware):
    """A page load (Reflex's hydrate) sends the tab's whole stored state before any handler runs. Whoever
    connects with a tab's client token gets that tab's state: so first check that the browser is still the
    person the state belongs to (its session cookie, or for an anonymous shopper its cart cookie), and if
    not, forget that person's data before it is sent. A client token alone is then worth nothing."""

    async def preprocess(self, app, state, event) -> None:
        if event.name.rpartition(".")[2] not in ("hydrate", "hydrate_and_load"):
            return
        (await state.get_state(ToastState))._forget_old()  # the browser hid it; a reload would not
        session = await _caller_shown(state)
        sent_anon = _sent_cookie(event, type(session), "anon_key")
        try:
            caller = await refresh_identity(state)  # forgets the stored person if the cookie names another
        except Unavailable:
            for cls in PERSONAL:  # nobody to check against: show nobody's data
                (await state.get_state(cls)).reset()
            return
        if not caller.signed_in and sent_anon != session.anon_key:
            session.anon_key = sent_anon  # not this browser's anonymous cart: follow the browser's own
            await forget(state)
        return


def _sent_cookie(event, cls: type[rx.State], name: str) -> str:
    """The value of a cookie var as the browser sent it with the hydrate event ('' when it sent none)."""
    vars_ = (event.payload or {}).get("vars") or {}
    owner = cls.get_full_name()
    for key, value in vars_.items():
        state_name, _, var = key.rpartition(".")
        if state_name == owner and var.removesuffix("_rx_state_") == name:
            return value if isinstance(value, str) else ""
    return ""


def credential(state: rx.State) -> str:
    """The browser's session token: its HttpOnly cookie as sent with this tab's websocket handshake. Never
    in Reflex's state (state files, Redis), so a tab's client token alone is worth nothing."""
    return session_cookie.credential(state.router.headers.cookie)


def device(state: rx.State) -> str:
    """The browser's OWASP device cookie (HttpOnly, app/services/devices.py), as the handshake carried it."""
    return session_cookie.credential(state.router.headers.cookie, session_cookie.DEVICE_COOKIE)


def _person_key(caller: Caller) -> str:
    return f"{caller.session_id or 0}:{caller.on_behalf_id or 0}"


def _lost_on_behalf(previous: str, caller: Caller) -> bool:
    """The tab showed an on-behalf session of this very sign-in session, which is no longer (or another)."""
    session_id, _, on_behalf_id = previous.partition(":")
    # Signed out meanwhile (here the same browser: a page load, where a client token could be another
    # browser's, is `explained`) counts too: on_behalf_ended then sends the tab to the sign-in page.
    same_browser = session_id == str(caller.session_id or 0) or not caller.signed_in
    return on_behalf_id not in ("", "0") and same_browser


async def forget(state: rx.State) -> None:
    """Reset every state holding the previous person's data, then let them follow the new person (the cart)."""
    states = [await state.get_state(cls) for cls in PERSONAL]
    for personal_state in states:
        personal_state.reset()
    for personal_state in states:
        if hasattr(type(personal_state), "_follow"):
            await personal_state._follow()


async def sweep_forever() -> None:
    """Lifespan task of every worker: the unit of work for what happens without anyone's event. Ends idle
    sessions, releases locks that ran out or were abandoned, and publishes that like any event does."""
    import logging

    log = logging.getLogger("store")
    sweeps = 0
    while True:
        await asyncio.sleep(config.SWEEP_SECONDS)
        sweeps += 1
        try:
            with session_scope() as db:
                done = sweeper.sweep(db, prune=sweeps % max(1, round(60 / config.SWEEP_SECONDS)) == 0)
                publications = live.collect(db)
        except Unavailable:
            continue  # the database is away; the next sweep catches up
        except Exception:
            log.exception("the sweeper failed; trying again at the next sweep")
            continue
        if any(done.values()):
            log.info("sweeper: %s", done)
        metrics.published(publications)
        await live_state.publish(None, publications)


def query_param(state: rx.State, name: str, default: str = "") -> str:
    value = state.router.url.query_parameters.get(name, default)
    return value if isinstance(value, str) else default


def last_path_segment(state: rx.State) -> str:
    """The dynamic part of routes like /product/[code] and /order/[number]."""
    from urllib.parse import unquote

    return unquote(state.router.url.path.rstrip("/").rsplit("/", 1)[-1])


def on_page(state: rx.State, prefix: str, segment: str) -> bool:
    """Whether the tab is on the page `prefix` + `segment` (/order/W1000001), as its last event saw it."""
    return state.router.url.path.startswith(prefix) and last_path_segment(state) == segment
