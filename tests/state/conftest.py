"""Drive Reflex event handlers without a browser: a real state tree over a test database."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import parse_qs

import pytest
from reflex.istate.data import HeaderData
from reflex.state import State
from sqlmodel import Session

import app.app  # noqa: F401  (registers every state)
from app.services import auth, session_cookie
from app.state.cart import CartState, LiveCart
from app.state.session import SessionState
from app.state.toast import Toast, ToastState

ENDPOINT = re.compile(r"/auth/(session|signed-out)\?([^\"'\\\s]+)")


def endpoint_targets(events) -> list[str]:
    """Where answers that go through the session-cookie endpoint send the browser next (`next`)."""
    out = []
    for ev in events:
        match = ENDPOINT.search(str(getattr(ev, "args", "")))
        if match:
            out.extend(parse_qs(match.group(2)).get("next", []))
    return out


@dataclass
class PageLoad:
    """The full page load a handler asked for (SessionState.leave_to), among the events it emitted."""

    args: str


class Client:
    """One browser tab's state tree, signed in (or not) with a real session token.

    The token travels as the browser would send it: the HttpOnly `sid` cookie in the websocket handshake's
    headers, which the guard reads (Reflex's state never holds it); so does the HttpOnly `device` cookie."""

    def __init__(self, engine, account=None):
        self.engine = engine
        self.root = State(_reflex_internal_init=True)
        self.session = self.state(SessionState)
        self.session.anon_key = "anon-key-for-tests"
        self._device = ""
        self.token = ""
        if account is not None:
            with Session(engine, expire_on_commit=False) as db:
                self.token = auth._start_session(db, account)
                db.commit()

    @property
    def token(self) -> str:
        return self._token

    @token.setter
    def token(self, value: str) -> None:
        """The browser's session cookie, as the next websocket handshake carries it."""
        self._token = value
        self._send_cookies()

    @property
    def device(self) -> str:
        """The browser's device cookie (set by the endpoint when a session begins)."""
        return self._device

    @device.setter
    def device(self, value: str) -> None:
        self._device = value
        self._send_cookies()

    def _send_cookies(self) -> None:
        cookies = {"sid": self._token, "device": self._device}
        header = "; ".join(f"{name}={value}" for name, value in cookies.items() if value)
        self.root.rx_router_headers = HeaderData(cookie=header)

    def follow(self, events) -> list:
        """Do what the browser does with an answer that goes through the session-cookie endpoint (a full
        page load): redeem the code for the cookie as app/endpoints.py does, then load the next page's
        identity. Returns the events of that load (its toast)."""
        for ev in events:
            match = ENDPOINT.search(str(getattr(ev, "args", "")))
            if not match:
                continue
            params = parse_qs(match.group(2))
            if match.group(1) == "session":
                with Session(self.engine, expire_on_commit=False) as db:
                    done = session_cookie.redeem(db, params["code"][0], self.device)
                    self.token, self.device = done.token, done.device
                    db.commit()
            else:
                self.token = ""
            return self.call(CartState, "load")
        return []

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
        shown = self.state(ToastState).seq
        result = fn(instance, *args)
        if asyncio.iscoroutine(result):
            # A thread of its own: Playwright's sync API may already run a loop in this one.
            with ThreadPoolExecutor(1) as pool:
                result = pool.submit(asyncio.run, result).result()
        events = [] if result is None else result if isinstance(result, list) else [result]
        toast_state = self.state(ToastState)
        if toast_state.seq != shown:  # the handler showed a toast in the same event (app/state/toast.py)
            events.append(Toast(toast_state.message, toast_state.kind))
        if self.session.leave_to:  # the page goes through an endpoint (components/leave.py)
            events.append(PageLoad(self.session.leave_to))
            self.session.leave_to = ""
        return events + self.follow(events)  # a browser follows a page load through the endpoint at once


def toasts(events) -> list[str]:
    """The toast messages a call showed (`Client.call` lists the one the handler showed in its event)."""
    return [ev.message for ev in events if isinstance(ev, Toast)]


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
