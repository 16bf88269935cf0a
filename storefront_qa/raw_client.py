"""A browser session over the store's raw websocket, without a browser: forge any event, read every answer.

A minimal Engine.IO 4 / Socket.IO 5 client on `simple_websocket.AioClient` (python-socketio's own clients
need aiohttp or websocket-client, which are not installed). It speaks exactly what the Reflex frontend
sends (captured from Chromium): connect to `/_event/?token=<uuid>&EIO=4&transport=websocket` with the
Reflex version as subprotocol, the hydrate event in the CONNECT packet (`40/_event,{"event": …}`, the
browser's cookies in its payload as `{"vars": {state key: value}}`), events as
`42/_event,["event", {"name", "payload", "router_data"}]`, answering pings. The server answers with
`42/_event,["event", {"delta": {state: {var_rx_state_: value}}, "events": [...]}]` frames.

    async with RawClient(base_url, "/product/JKT-RAIN") as c:
        frames = await c.emit(CartState.get_full_name() + ".add", {"sku": ["x"], "quantity": -5})
        assert toasts(frames) == [Toast("error", "…")]

Like a browser, a client keeps the cookies the server sets in `cookies` (the HttpOnly session cookie `sid`
from the `/auth/session` endpoint that signing in goes through) and sends them with its websocket's
handshake; `RawClient(..., cookies=c.cookies)` is that browser's next tab.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

NS = "/_event"
HYDRATE = "reflex___state____state.hydrate_and_load"
FIELD_MARKER = "_rx_state_"
# Signing in sends the page through this endpoint (app/endpoints.py), which sets the HttpOnly session cookie.
ENDPOINT_URL = re.compile(
    r"/auth/session\?[A-Za-z0-9_\-=&%.]+"
)  # Reflex 0.10 suffixes every var's name with it on the wire
# The store's dynamic routes and the route parameter the frontend sends for them (as `query`).
DYNAMIC_ROUTES = {"/product/": "code", "/order/": "number"}


async def open_ws(url: str, subprotocols: list[str] | None = None, headers: dict[str, str] | None = None):
    """`AioClient.connect`, plus the frames that arrived together with the handshake's answer.

    simple_websocket's handshake reads the socket until the "101 Switching Protocols" and leaves any frame
    that came in the same read (Engine.IO's open packet, often) in wsproto's buffer; its reader only looks
    there after the next read, i.e. the server's ping 25 s later. That stall made "100 clients connected"
    take 25 s. Handling the buffered events once releases them.
    """
    from simple_websocket import AioClient

    ws = await AioClient.connect(url, subprotocols=subprotocols, headers=headers)
    await ws._handle_events()
    return ws


def router_data(path: str, query: dict[str, str] | None = None) -> dict:
    """What the frontend sends as `router_data` on `path`; dynamic routes carry their parameter."""
    data: dict[str, Any] = {"pathname": path, "asPath": path}
    if query is None:
        query = {
            param: path[len(prefix) :]
            for prefix, param in DYNAMIC_ROUTES.items()
            if path.startswith(prefix) and len(path) > len(prefix)
        }
    if query:
        data["query"] = query
    return data


@functools.cache
def cookie_keys() -> dict[str, str]:
    """Cookie name -> the state key the frontend sends its value under (the app's `rx.Cookie` vars)."""
    import importlib
    import pkgutil

    from reflex.compiler.utils import compile_client_storage
    from reflex.state import State

    import app.state

    for module in pkgutil.iter_modules(app.state.__path__):
        importlib.import_module(f"app.state.{module.name}")
    cookies = compile_client_storage(State)["cookies"]
    return {options.get("name", key): key for key, options in cookies.items()}


def decode(frame: str) -> dict | None:
    """The body of a server `event` frame ({"delta": …, "events": …}), None for any other frame."""
    if not frame.startswith(f"42{NS},"):
        return None
    name, *args = json.loads(frame[len(NS) + 3 :])
    return args[0] if name == "event" and args and isinstance(args[0], dict) else None


def deltas(frames: list[str]) -> list[dict]:
    """The state deltas the frames carry, in order: {state full name: {var: value}} with plain var names."""
    out = []
    for frame in frames:
        body = decode(frame)
        if body and body.get("delta"):
            out.append(
                {
                    state: {k.removesuffix(FIELD_MARKER): v for k, v in values.items()}
                    for state, values in body["delta"].items()
                }
            )
    return out


def _named(name: str, state: str | type) -> bool:
    """Whether a delta's state `name` is `state`: a State class, its full name or the name's last part."""
    if isinstance(state, type):
        state = state.get_full_name()
    return name == state or name.rsplit(".", 1)[-1] == state


def changed(frames: list[str], state: str | type, var: str) -> list[Any]:
    """Every value `state.var` took in these frames (state: a State class or its name)."""
    return [
        values[var]
        for delta in deltas(frames)
        for name, values in delta.items()
        if _named(name, state) and var in values
    ]


def frontend_events(frames: list[str]) -> list[dict]:
    """The events the server asked the browser to run (`_redirect`, `_download`, …)."""
    return [e for frame in frames if (body := decode(frame)) for e in body.get("events") or []]


@dataclass(frozen=True)
class Toast:
    kind: str  # info | success | error
    message: str


TOAST_STATE = "app___state___toast____toast_state"


def toasts(frames: list[str]) -> list[Toast]:
    """The toasts the frames show (ToastState's message with its kind); a cleared toast is none."""
    out = []
    for delta in deltas(frames):
        for name, values in delta.items():
            if _named(name, TOAST_STATE) and values.get("message"):
                out.append(Toast(values.get("kind", "info"), values["message"]))
    return out


class RawClient:
    """One Reflex browser session (its own client token, so its own anonymous cart) on page `path`."""

    def __init__(
        self,
        base_url: str,
        path: str = "/",
        cookies: dict[str, str] | None = None,
        *,
        query: dict[str, str] | None = None,
        version: str | None = None,
        hydrate: str = HYDRATE,
    ):
        if version is None:
            from reflex import constants

            version = constants.Reflex.VERSION
        self.token = str(uuid.uuid4())
        self.base_url = base_url
        self.url = base_url.replace("http", "ws", 1) + f"{NS}/?token={self.token}&EIO=4&transport=websocket"
        self.version, self.hydrate = version, hydrate
        self.router_data = router_data(path, query)
        self.cookies: dict[str, str] = dict(cookies or {})
        self._cookie_keys: dict[str, str] = {}
        self._cookie_markers: tuple[str, ...] = ()
        self.ws = None
        self.frames: asyncio.Queue = asyncio.Queue()  # (perf_counter_ns when received, frame)
        self.reader: asyncio.Task | None = None
        self.disconnected = False  # the server closed the socket (e.g. a frame over its maxPayload)

    async def connect(self, timeout: float = 60, settle: float = 0.3) -> list[str]:
        """Open the socket and hydrate the page; the frames until hydrated and then quiet for `settle`
        seconds (the page's on_load handlers answering; 0: return at hydration)."""
        self._cookie_keys = cookie_keys()
        # Cheap test before decoding a frame: only a frame naming a cookie's var can set it.
        self._cookie_markers = tuple(f'"{key.rsplit(".", 1)[1]}"' for key in self._cookie_keys.values())
        # The handshake carries the browser's cookies, as a page's websocket does: the HttpOnly session
        # cookie reaches the server only this way.
        cookie_header = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self.ws = await open_ws(
            self.url, [self.version], {"Cookie": cookie_header} if cookie_header else None
        )
        opened = await self.ws.receive(timeout=30)
        assert opened.startswith("0"), opened
        payload = {}
        if self.cookies:
            keys = self._cookie_keys
            payload["vars"] = {keys[name]: value for name, value in self.cookies.items() if name in keys}
        event = {"name": self.hydrate, "payload": payload, "router_data": self.router_data}
        await self.ws.send(f"40{NS}," + json.dumps({"event": event}))
        self.reader = asyncio.create_task(self._read())
        seen = []
        while True:  # hydrated once the backend says so
            frame = (await asyncio.wait_for(self.frames.get(), timeout))[1]
            seen.append(frame)
            if '"is_hydrated_rx_state_":true' in frame:
                break
        if settle:
            seen += await self.drain(quiet=settle, timeout=timeout)
        return seen

    @property
    def local_port(self) -> int:
        """This end's TCP port: `StoreServer.worker_serving(port)` tells which backend worker serves it."""
        return self.ws.wsock.get_extra_info("sockname")[1]

    async def _read(self) -> None:
        from simple_websocket import ConnectionClosed

        while True:
            try:
                data = await self.ws.receive()
            except ConnectionClosed:
                data = None
            if data is None:
                self.disconnected = True
                return
            if data == "2":
                await self.ws.send("3")
                continue
            self._keep_cookies(data)
            self.frames.put_nowait((time.perf_counter_ns(), data))

    def _keep_cookies(self, frame: str) -> None:
        """A browser stores the cookies a delta sets (e.g. `sid` after signing in); so does this client."""
        if not any(marker in frame for marker in self._cookie_markers):
            return
        body = decode(frame)
        if not body or not body.get("delta"):
            return
        for name, key in self._cookie_keys.items():
            state, var = key.rsplit(".", 1)
            if var in body["delta"].get(state, {}):
                self.cookies[name] = body["delta"][state][var]

    def discard(self) -> None:
        """Forget frames already received (e.g. a toast's late expiry)."""
        while not self.frames.empty():
            self.frames.get_nowait()

    async def send(self, name: str, payload: dict | None = None) -> int:
        """Send one event as the frontend does; returns perf_counter_ns at sending."""
        event = {"name": name, "router_data": self.router_data}
        if payload is not None:
            event["payload"] = payload
        return await self.send_frame(json.dumps(["event", event]))

    async def send_frame(self, body: str) -> int:
        """Send any Socket.IO event body (`["event", …]`, or something no browser sends) on the namespace."""
        t0 = time.perf_counter_ns()
        await self.ws.send(f"42{NS}," + body)
        return t0

    async def drain(
        self, quiet: float = 0.5, timeout: float = 30, until: Callable[[list[str]], Any] | None = None
    ) -> list[str]:
        """The frames received until none came for `quiet` seconds (at most `timeout` seconds), or until
        `until(frames so far)` is true."""
        out: list[str] = []
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0 and not (until and out and until(out)):
            try:
                out.append((await asyncio.wait_for(self.frames.get(), min(quiet, left)))[1])
            except TimeoutError:
                break
        return out

    async def emit(
        self,
        name: str,
        payload: dict | None = None,
        *,
        quiet: float | None = None,
        first: float = 10,
        until: Callable[[list[str]], Any] | None = None,
    ) -> list[str]:
        """Send an event; the frames answering it, up to the server going quiet for `quiet` seconds or
        `until(frames)` being true (e.g. `until=toasts`: stop at the first toast).

        Waits up to `first` seconds for the first frame (an event Reflex ignores gets none: the list is
        empty then), so a slow answer is not mistaken for silence. `quiet` is 0.5 s, or `first` when
        `until` says what to wait for (a busy server may pause between the frames of one answer).
        """
        if quiet is None:
            quiet = first if until else 0.5
        self.discard()
        await self.send(name, payload)
        try:
            out = [(await asyncio.wait_for(self.frames.get(), first))[1]]
        except TimeoutError:
            return []
        if until and until(out):
            return out
        return out + await self.drain(quiet, until=(lambda more: until(out + more)) if until else None)

    async def sign_in(self, email: str, password: str) -> list[str]:
        """Sign in through the app's own sign-in event, as the login form does; the server's answer sets
        the session cookie `sid`, kept in `cookies` (raises when the store refused)."""
        from app.state.session import SessionState

        form = {"email": email, "password": password}

        def answered(frames: list[str]) -> bool:
            """Sent on to the session-cookie endpoint, or refused (the form's errors are cleared first)."""
            refusals = changed(frames, SessionState, "signin_error") + changed(
                frames, SessionState, "signin_errors"
            )
            return any("/auth/session?" in f for f in frames) or any(refusals)

        frames = await self.emit(SessionState.get_full_name() + ".sign_in", {"form": form}, until=answered)
        await self.follow_session_endpoint(frames)
        if not self.cookies.get("sid"):
            errors = changed(frames, SessionState, "signin_error") + changed(
                frames, SessionState, "signin_errors"
            )
            raise RuntimeError(f"signing in as {email} was refused: {errors}")
        return frames

    async def follow_session_endpoint(self, frames: list[str]) -> None:
        """Do what the page does when signing in sends it through `/auth/session` (app/endpoints.py): a
        plain HTTP request whose answer sets the HttpOnly `sid` and `device` cookies, kept in `cookies` for the next
        socket's handshake (a page's websocket carries its cookies only from its start)."""
        import http.client
        from http.cookies import SimpleCookie
        from urllib.parse import urlsplit

        found = next((m for f in frames if (m := ENDPOINT_URL.search(f.replace("\\u0026", "&")))), None)
        if found is None:
            return
        path = found.group(0).replace("\\", "")
        base = urlsplit(self.base_url)
        conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
        try:
            sent = "; ".join(f"{name}={value}" for name, value in self.cookies.items())  # the device cookie
            await asyncio.to_thread(conn.request, "GET", path, headers={"Cookie": sent} if sent else {})
            response = await asyncio.to_thread(conn.getresponse)
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
        finally:
            conn.close()

    async def close(self) -> None:
        from simple_websocket import ConnectionClosed

        if self.reader:
            self.reader.cancel()
        if self.ws:
            try:
                await self.ws.close()
            except ConnectionClosed:
                pass  # the server closed it first

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()


async def signed_in(base_url: str, who, path: str) -> RawClient:
    """A socket on `path` of a browser signed in as `who` (an `Identity`): signed in through the app's own
    sign-in event on one socket, then a new socket hydrated with the `sid` cookie the server set, as the next
    page would. Close it when done."""
    async with RawClient(base_url, "/login") as login:
        await login.sign_in(who.email, who.password)
    client = RawClient(base_url, path, cookies=login.cookies)
    await client.connect()
    return client


def run_sync(coro):
    """Run a scenario (a coroutine) to its end in a thread of its own: Playwright's sync API may hold this
    thread's event loop. The thread gets this one's context, where Reflex keeps its registry of states (the
    raw client reads it)."""
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(contextvars.copy_context().run, asyncio.run, coro).result()
