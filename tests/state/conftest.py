"""Drive Reflex event handlers without a browser: a real state tree over a test database."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from reflex.state import State
from sqlmodel import Session

import app.app  # noqa: F401  (registers every state)
from app.services import auth
from app.state.cart import LiveCart
from app.state.session import SessionState
from app.state.toast import ToastState


class Client:
    """One browser tab's state tree, signed in (or not) with a real session token."""

    def __init__(self, engine, account=None):
        self.root = State(_reflex_internal_init=True)
        self.session = self.state(SessionState)
        self.session.anon_key = "anon-key-for-tests"
        if account is not None:
            with Session(engine, expire_on_commit=False) as db:
                self.session.token = auth._start_session(db, account)
                db.commit()

    @property
    def cart(self) -> LiveCart:
        return self.state(LiveCart)

    @property
    def locked_by_me(self) -> bool:
        return self.cart.locked and self.cart.holder_tag == self.session.staff_tag != ""

    def state(self, cls):
        return self.root.get_substate(cls.get_full_name().split(".")[1:])

    def call(self, cls, handler: str, *args):
        """Run an event handler as the websocket would; returns the events it emitted."""
        instance = self.state(cls)
        fn = getattr(cls, handler).fn
        result = fn(instance, *args)
        if asyncio.iscoroutine(result):
            # A thread of its own: Playwright's sync API may already run a loop in this one.
            with ThreadPoolExecutor(1) as pool:
                result = pool.submit(asyncio.run, result).result()
        if result is None:
            return []
        return result if isinstance(result, list) else [result]


def toasts(events) -> list[str]:
    """The toast messages among emitted events."""
    out = []
    for ev in events:
        handler = getattr(ev, "handler", None)
        if handler is not None and handler.fn is ToastState.show.fn:
            out.append(ev.args[0][1]._var_value)
    return out


@pytest.fixture(autouse=True)
def _unlinked_live_cart(monkeypatch):
    """Each test client keeps its own LiveCart: linking needs a running app's state manager. The link is
    only recorded, so the guard publishes into the tab's own copy.

    That the linked states propagate between browsers is proven by the e2e tests.
    """

    async def link_to(self, token):
        root = self._get_root_state()
        root._reflex_internal_links = {**(root._reflex_internal_links or {}), self.get_full_name(): token}
        return self

    monkeypatch.setattr(LiveCart, "_link_to", link_to)


@pytest.fixture
def client(sqlite_engine):
    def make(account=None) -> Client:
        return Client(sqlite_engine, account)

    return make
