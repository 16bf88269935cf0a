"""One toast region for the whole app (role=status, so screen readers announce it)."""

import asyncio

import reflex as rx
from reflex.event import EventSpec

TOAST_SECONDS = 6
BUSY = "The store is very busy right now and could not finish that. Please try again."


class ToastState(rx.State):
    message: str = ""
    kind: str = "info"  # info | success | error
    seq: int = 0

    @rx.event
    def show(self, message: str, kind: str = "info"):
        self.message = str(message)[:300]
        self.kind = kind if kind in ("info", "success", "error") else "info"
        self.seq += 1
        return ToastState.expire(self.seq)

    @rx.event
    def dismiss(self):
        self.message = ""

    @rx.event(background=True)
    async def expire(self, seq: int):
        await asyncio.sleep(TOAST_SECONDS)
        async with self:
            if self.seq == seq:
                self.message = ""


def toast(message: str, kind: str = "info"):
    return ToastState.show(message, kind)


def error(message: str):
    return ToastState.show(message, "error")


def success(message: str):
    return ToastState.show(message, "success")


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
