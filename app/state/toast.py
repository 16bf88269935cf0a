"""One toast region for the whole app (role=status, so screen readers announce it).

A handler says something by returning `toast.success(...)` (or `error`, `toast`) among its events. The
store's handlers are decorated with `@event` (not `@rx.event`): it shows those toasts in the same event, so
the toast reaches the browser in the event's own delta. Returned as an event of its own, a toast cost a second
turn of the tab's state lock, and its expiry a third (bench/RESULTS.md, "The toast inside the event"). The
browser hides a toast after TOAST_SECONDS by itself (assets/styles.css `.toast`); a page load clears an
older one, so a reload does not bring it back.
"""

from __future__ import annotations

import functools
import inspect
import time
from dataclasses import dataclass

import reflex as rx
from reflex.event import EventSpec

TOAST_SECONDS = 6
BUSY = "The store is very busy right now and could not finish that. Please try again."
KINDS = ("info", "success", "error")


@dataclass(frozen=True)
class Toast:
    """What a handler wants said; `@event` shows it. (Not an event: a handler without `@event` that returns
    one is refused by Reflex, so a toast is never lost silently.)"""

    message: str
    kind: str = "info"


class ToastState(rx.State):
    message: str = ""
    kind: str = "info"  # info | success | error
    seq: int = 0  # the region re-renders on every new toast, so its hide timer starts again
    _shown_at: float = 0.0

    def _show(self, message: str, kind: str = "info") -> None:
        self.message = str(message)[:300]
        self.kind = kind if kind in KINDS else "info"
        self.seq += 1
        self._shown_at = time.time()

    def _forget_old(self) -> None:
        """A page load: a toast the browser has hidden already stays hidden."""
        if self.message and time.time() - self._shown_at > TOAST_SECONDS:
            self.message = ""

    @rx.event
    def show(self, message: str, kind: str = "info"):
        """Only for the app's exception handler, which can answer only with an event."""
        self._show(message, kind)

    @rx.event
    def dismiss(self):
        self.message = ""


def toast(message: str, kind: str = "info") -> Toast:
    return Toast(str(message), kind)


def error(message: str) -> Toast:
    return Toast(str(message), "error")


def success(message: str) -> Toast:
    return Toast(str(message), "success")


def event(fn):
    """`@rx.event` for the store's handlers: the toasts among what `fn` returns are shown in this event.

    Background handlers keep `@rx.event(background=True)`: they change state only inside `async with self`."""

    @functools.wraps(fn)
    async def handler(self, *args, **kwargs):
        events = fn(self, *args, **kwargs)
        if inspect.isawaitable(events):
            events = await events
        return await _shown(self, events)

    handler.shows_toasts = True
    return rx.event(handler)


async def _shown(state: rx.State, events):
    listed = events if isinstance(events, list | tuple) else [events]
    said = [e for e in listed if isinstance(e, Toast)]
    if not said:
        return events
    toast_state = state if isinstance(state, ToastState) else await state.get_state(ToastState)
    for spoken in said:
        toast_state._show(spoken.message, spoken.kind)
    rest = [e for e in listed if e is not None and not isinstance(e, Toast)]
    return rest or None


def backend_exception_handler(exception: Exception) -> EventSpec | None:
    """Whatever escapes a handler: a toast with a message fit for the user, never a stack trace.

    Domain errors (e.g. the database being unreachable) carry their own message; anything else is
    logged on the server and shown as a generic apology.
    """
    import logging

    from app.services.errors import DomainError

    if isinstance(exception, DomainError):
        return ToastState.show(exception.message, "error")
    if type(exception).__name__ == "LockExpiredError":
        # Reflex gave up the tab's state lock: the event waited too long behind others (an overloaded
        # store, bench/RESULTS.md). Nothing of it was saved; the person may simply try again.
        logging.getLogger("store").warning("an event outlived its state lock: %s", exception)
        return ToastState.show(BUSY, "error")
    logging.getLogger("store").error("unhandled error in an event handler", exc_info=exception)
    return ToastState.show("Something went wrong on our side. Please try again.", "error")
