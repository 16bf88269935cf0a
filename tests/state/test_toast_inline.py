"""A toast is shown inside the event that says it (app/state/toast.py): no second event, no expiry event."""

from __future__ import annotations

import asyncio
import inspect
import time

import pytest
import reflex as rx
from sqlmodel import Session

import app.app  # noqa: F401  (registers every state)
from app.state import toast
from app.state.cart import CartState
from app.state.guard import OwnerAtPageLoad
from app.state.toast import TOAST_SECONDS, Toast, ToastState, event
from tests.conftest import make_account, make_product, sku_of


@pytest.fixture
def shopper(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return make_account(db, "Kai", "Smith", "kai@example.com"), make_product(db, "TEE-1", stock=10)


def _store_states():
    seen, todo = [], [rx.State]
    while todo:
        cls = todo.pop()
        for sub in cls.get_substates():
            todo.append(sub)
            if sub.__module__.startswith("app.state."):
                seen.append(sub)
    return seen


def test_every_handler_of_the_store_shows_its_toasts_itself():
    """A handler on plain `@rx.event` that returned a toast would be refused by Reflex; this says which."""
    plain, checked = [], 0
    for cls in _store_states():
        for name, handler in cls.event_handlers.items():
            fn = handler.fn
            if not inspect.getmodule(fn).__name__.startswith("app.state."):
                continue  # Reflex's own handlers (setvar, hydrate, the generated setters)
            if handler.is_background or cls is ToastState:
                continue
            checked += 1
            if not getattr(fn, "shows_toasts", False):
                plain.append(f"{cls.__name__}.{name}")
    assert plain == [] and checked > 80


def test_an_add_to_cart_shows_its_toast_in_the_same_event(client, shopper):
    account, product = shopper
    kai = client(account)
    kai.call(CartState, "load")
    before = kai.state(ToastState).seq
    events = asyncio.run(CartState.add.fn(kai.state(CartState), sku_of(product), 1))
    shown = kai.state(ToastState)
    assert shown.seq == before + 1 and shown.kind == "success" and shown.message.startswith("Added ")
    assert not [e for e in (events or []) if isinstance(e, Toast) or "toast" in str(e).lower()]


def test_the_other_events_of_an_answer_stay_in_their_order():
    class Fake:
        def __init__(self):
            self.toast = ToastState(_reflex_internal_init=True)

        async def get_state(self, cls):
            assert cls is ToastState
            return self.toast

    async def answer(self):
        return [rx.redirect("/a"), toast.success("Done."), rx.redirect("/b")]

    fake = Fake()

    events = asyncio.run(event(answer)(fake))
    assert [e.args[0][1]._var_value for e in events] == ["/a", "/b"]
    assert fake.toast.message == "Done." and fake.toast.kind == "success" and fake.toast.seq == 1
    assert asyncio.run(event(lambda self: toast.error("No."))(fake)) is None
    assert fake.toast.message == "No." and fake.toast.kind == "error"


def test_a_page_load_forgets_a_toast_the_browser_has_hidden():
    state = ToastState(_reflex_internal_init=True)
    state._show("Added a jacket to the cart.", "success")
    state._forget_old()
    assert state.message  # still on screen: a redirect's next page shows it
    state._shown_at = time.time() - TOAST_SECONDS - 1
    state._forget_old()
    assert state.message == ""
    assert OwnerAtPageLoad  # the hydrate check calls _forget_old (app/state/guard.py)
