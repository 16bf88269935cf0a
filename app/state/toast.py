"""One toast region for the whole app (role=status, so screen readers announce it)."""

import asyncio

import reflex as rx

TOAST_SECONDS = 6


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
