"""Drive Reflex event handlers without a browser: a real state tree over a test database."""

from __future__ import annotations

import asyncio

import pytest
from reflex.state import State
from sqlmodel import Session

import app.app  # noqa: F401  (registers every state)
from app.services import auth
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

    def state(self, cls):
        return self.root.get_substate(cls.get_full_name().split(".")[1:])

    def call(self, cls, handler: str, *args):
        """Run an event handler as the websocket would; returns the events it emitted."""
        instance = self.state(cls)
        fn = getattr(cls, handler).fn
        result = fn(instance, *args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
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


@pytest.fixture
def client(sqlite_engine):
    def make(account=None) -> Client:
        return Client(sqlite_engine, account)

    return make
