"""Event round trip through the real websocket of the production build, against a plain websocket echo.

Client: `storefront_qa.raw_client.RawClient`, a minimal Engine.IO 4 / Socket.IO 5 client on
`simple_websocket.AioClient` that speaks exactly what the Reflex frontend sends (see that module).

Each client is a fresh browser session (its own token, so its own anonymous cart) hydrated on a product page.
Steady phase (the "100 connected clients" of docs/PRODUCT.md §Quality bars): for `--duration` seconds every
client clicks ProductState.add_to_cart (which calls CartState.add) at random moments, `--rate` clicks a second
from all of them together, each waiting for its answer before clicking again. Burst phase (a stress figure):
all clients send it at the same instant, `--event-rounds` times; one worker handles them one after another, so
the p95 there is about 95 events' handling time, and the burst's events a second is the store's capacity.
Timed: from sending the event to the first frame carrying the LiveCart delta (and, separately, to the first
delta of any kind). The floor: the same client, same concurrency, same frame size, against a Starlette
websocket echo under granian (bench/echo_app.py) on this machine. Memory: RSS of the store's process group
(sum of VmRSS) before the clients connect and with all of them connected and hydrated. CPU: the store's
user + system time over the bursts per add-to-cart (`backend_cpu_ms_per_event`), and the same with everything
the adds set going after their answer (`backend_cpu_ms_per_event_settled`: the bursts and SETTLE_S more, less
the idle store's CPU over that time, measured just before with every client connected). The floor of the
store's own event handling: the same bursts of an event that touches no database and publishes nothing (the
mini-cart panel opened and closed, `CartState.set_panel_open`), CPU per event less the idle store's
(`backend_cpu_ms_per_panel_event`): what Reflex spends on any event of this store's state tree. A page
load: the same bursts of every client moving to the product page again as the browser does without reloading
(Reflex's `on_load_internal` event, then the page's on-load events, until the backend says the page is
hydrated), CPU per navigation less the idle store's (`backend_cpu_ms_per_navigation`) and its time
(`concurrent_navigation_ms`). Reflex's "held too long" warnings (Redis) are counted, and told apart by
whose lock (a tab's or a shared state's) and which event (`state_held_too_long_by_event`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench import services
from bench.find_customer import ROOT, machine, percentiles
from storefront_qa.raw_client import RawClient, open_ws, toasts


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench --suite events")
    p.add_argument("--clients", type=int, default=100, help="concurrent websocket clients (default 100)")
    p.add_argument("--event-rounds", type=int, default=3, help="bursts of add-to-cart (default 3)")
    p.add_argument("--product", default="JKT-RAIN", help="product page the clients are on")
    p.add_argument(
        "--rate",
        type=float,
        default=20.0,
        help="steady phase: add-to-cart events a second from all clients together (default 20)",
    )
    p.add_argument("--duration", type=float, default=15.0, help="steady phase: seconds (default 15)")
    services.add_arguments(p)
    args, _ = p.parse_known_args(argv)
    return args


def _group_pids(pgid: int):
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if len(fields) > 12 and fields[2] == str(pgid):  # field 5 (pgrp), counted after the ")" of the name
            yield pid, fields


def group_rss_kib(pgid: int) -> int:
    total = 0
    for pid, _ in _group_pids(pgid):
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
        except (OSError, StopIteration, ValueError):
            continue
    return total


def group_cpu_s(pgid: int) -> float:
    """CPU time (user + system) the store's processes have used: unlike wall time, it does not grow when
    other work shares the machine, so CPU per event compares runs taken under different loads."""
    ticks = sum(int(f[11]) + int(f[12]) for _, f in _group_pids(pgid))
    return ticks / os.sysconf("SC_CLK_TCK")


HELD = re.compile(r"Lock for token (\S+) was held too long.*?(?:Happened in event: (\S+))?$", re.MULTILINE)


def held_too_long(log: str) -> Counter:
    """Reflex's "held too long" warnings by whose lock and which event: a tab's own state ("tab") or a
    shared state such as a cart's LiveCart ("shared"), then the event's state and handler."""
    out: Counter = Counter()
    for token, event in HELD.findall(log):
        owner = "tab" if re.match(r"[0-9a-f]{8}-[0-9a-f]{4}-", token) else "shared"
        state, _, handler = event.rpartition(".")
        out[f"{owner}: {state.rpartition('____')[2]}.{handler}" if event else f"{owner}: no event"] += 1
    # A warning in another shape is still counted (and one wrapped over several lines: whitespace evened out).
    if unread := " ".join(log.split()).count("held too long") - sum(out.values()):
        out["not read"] += unread
    return out


class Client(RawClient):
    """One Reflex browser session over the raw websocket (storefront_qa.raw_client), timing its clicks."""

    async def connect(self) -> None:
        await super().connect(settle=0)

    async def round_trip(self, name: str) -> tuple[int, int]:
        """Send the event; nanoseconds to the first delta and to the one carrying the LiveCart."""
        self.discard()
        t0 = await self.send(name)
        first = None
        while True:
            t, data = await asyncio.wait_for(self.frames.get(), 60)
            if data.startswith("42") and first is None:
                first = t - t0
            if "live_cart" in data and "count_rx_state_" in data:
                return first, t - t0
            refused = [x.message for x in toasts([data]) if x.kind == "error"]
            if refused:  # e.g. the variant's stock reached: a timing of a refusal is not an add-to-cart
                raise RuntimeError(f"the store refused the add-to-cart: {refused[0]}")

    async def navigation_trip(self, name: str) -> int:
        """Move to the same page again, as the browser does on a link (no reload): nanoseconds until the
        backend says the page's on-load events have all run."""
        self.discard()
        t0 = await self.send(name)
        unhydrated = False
        while True:
            t, data = await asyncio.wait_for(self.frames.get(), 60)
            unhydrated = unhydrated or '"is_hydrated_rx_state_":false' in data
            if unhydrated and '"is_hydrated_rx_state_":true' in data:
                return t - t0

    async def panel_trip(self, name: str, value: bool) -> None:
        """Open (or close) the mini-cart panel and wait for its delta: an event without any data."""
        self.discard()
        await self.send(name, {"value": value})
        while True:
            _, data = await asyncio.wait_for(self.frames.get(), 60)
            if data.startswith("42") and "panel_open" in data:
                return


async def echo_floor(port: int, clients: int, rounds: int, size: int, rate: float, duration: float):
    """The floor: the same number of sockets against the plain echo, all at once (`rounds` times, like the
    burst) and at the steady phase's load (Poisson clicks, `rate` a second in all, for `duration` s)."""
    url = f"ws://127.0.0.1:{port}/echo"
    sockets = [await open_ws(url) for _ in range(clients)]
    payload = "x" * size

    async def one(ws) -> int:
        t0 = time.perf_counter_ns()
        await ws.send(payload)
        if await ws.receive(timeout=30) is None:
            raise TimeoutError("the echo did not answer within 30 s")
        return time.perf_counter_ns() - t0

    for ws in sockets:  # warm-up
        await ws.send("w")
        await ws.receive(timeout=30)
    burst: list[int] = []
    for _ in range(rounds):
        burst += await asyncio.gather(*(one(ws) for ws in sockets))
    steady = await poisson(sockets, one, rate, duration)
    for ws in sockets:
        await ws.close()
    return burst, steady


async def poisson(clients: list, trip, rate: float, duration: float) -> list[int]:
    """Every client clicks at random (Poisson) moments, `rate` clicks a second from all of them together, for
    `duration` seconds; a client waits for its own answer before its next click, as a person does."""
    import random

    rng = random.Random(7)
    per_client = rate / len(clients)
    end = time.perf_counter() + duration
    times: list[int] = []

    async def clicker(c) -> None:
        while True:
            await asyncio.sleep(rng.expovariate(per_client))
            if time.perf_counter() >= end:
                return
            times.append(await trip(c))

    await asyncio.gather(*(clicker(c) for c in clients))
    return times


async def steady_phase(clients: list[Client], add: str, rate: float, duration: float) -> list[int]:
    """All clients connected; each adds to its cart at random (Poisson) moments, `rate` a second in all.

    These are the "100 connected clients" of docs/PRODUCT.md §Quality bars: shoppers who click now and then."""

    async def trip(c: Client) -> int:
        return (await c.round_trip(add))[1]

    return await poisson(clients, trip, rate, duration)


async def run_store(base: str, pgid: int, args) -> dict:
    from reflex import constants
    from reflex.state import OnLoadInternalState

    sys.path.insert(0, str(ROOT))
    from app.state.cart import CartState
    from app.state.catalog import ProductState

    add = ProductState.get_full_name() + ".add_to_cart"
    panel = CartState.get_full_name() + ".set_panel_open"
    navigate = OnLoadInternalState.get_full_name() + ".on_load_internal"
    path = f"/product/{args.product}"
    rss_before = group_rss_kib(pgid)
    clients = [
        Client(base, path, query={"code": args.product}, version=constants.Reflex.VERSION)
        for _ in range(args.clients)
    ]
    gate = asyncio.Semaphore(10)

    async def connect(c: Client) -> None:
        async with gate:
            await c.connect()

    t = time.perf_counter()
    await asyncio.gather(*(connect(c) for c in clients))
    connect_s = time.perf_counter() - t
    await asyncio.sleep(1)
    rss_after = group_rss_kib(pgid)
    print(
        f"  {len(clients)} clients connected and hydrated in {connect_s:.1f}s; store RSS "
        f"{rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MiB "
        f"({(rss_after - rss_before) / len(clients):.0f} KiB per client)",
        flush=True,
    )
    await clients[0].round_trip(add)  # warm-up
    steady = await steady_phase(clients, add, args.rate, args.duration)
    first, cart, single = [], [], []
    idle_cpu_per_s = await idle_cpu_rate(pgid)
    t, cpu = time.perf_counter(), group_cpu_s(pgid)
    for _ in range(args.event_rounds):
        for f, c in await asyncio.gather(*(c.round_trip(add) for c in clients)):
            first.append(f)
            cart.append(c)
    burst_s, burst_cpu_s = time.perf_counter() - t, group_cpu_s(pgid) - cpu
    await asyncio.sleep(SETTLE_S)  # what the adds set going after their answer (a toast, its expiry)
    settled_s, settled_cpu_s = time.perf_counter() - t, group_cpu_s(pgid) - cpu
    caused_cpu_s = settled_cpu_s - idle_cpu_per_s * settled_s
    t, cpu, panel_events = time.perf_counter(), group_cpu_s(pgid), 0
    for r in range(2 * args.event_rounds):  # opened, then closed: each a change, so each sends a delta
        await asyncio.gather(*(c.panel_trip(panel, r % 2 == 0) for c in clients))
        panel_events += len(clients)
    panel_cpu_s = group_cpu_s(pgid) - cpu - idle_cpu_per_s * (time.perf_counter() - t)
    t, cpu, navigations = time.perf_counter(), group_cpu_s(pgid), []
    for _ in range(args.event_rounds):
        navigations += await asyncio.gather(*(c.navigation_trip(navigate) for c in clients))
    navigation_cpu_s = group_cpu_s(pgid) - cpu - idle_cpu_per_s * (time.perf_counter() - t)
    for c in clients[:30]:  # one client at a time, no contention (each its own cart: stock is finite)
        single.append((await c.round_trip(add))[1])
    for c in clients:
        await c.close()
    return {
        "clients": len(clients),
        "connect_and_hydrate_s": round(connect_s, 2),
        "rss_before_kib": rss_before,
        "rss_connected_kib": rss_after,
        "rss_per_client_kib": round((rss_after - rss_before) / len(clients), 1),
        "steady_rate_per_s": args.rate,
        "steady_achieved_per_s": round(len(steady) / args.duration, 1),
        "steady_to_cart_delta_ms": percentiles(steady),
        "burst_handled_per_s": round(len(cart) / burst_s, 1),
        "backend_cpu_ms_per_event": round(burst_cpu_s * 1000 / len(cart), 2),
        "backend_cpu_ms_per_event_settled": round(caused_cpu_s * 1000 / len(cart), 2),
        "idle_cpu_ms_per_s": round(idle_cpu_per_s * 1000, 2),
        "backend_cpu_ms_per_panel_event": round(panel_cpu_s * 1000 / panel_events, 2),
        "backend_cpu_ms_per_navigation": round(navigation_cpu_s * 1000 / len(navigations), 2),
        "concurrent_navigation_ms": percentiles(navigations),
        "concurrent_to_cart_delta_ms": percentiles(cart),
        "concurrent_to_first_delta_ms": percentiles(first),
        "single_client_to_cart_delta_ms": percentiles(single),
    }


# Everything an add-to-cart sets going ends within this time of its answer (the store's toast used to be a
# second event and its expiry a third, 6 s later: app/state/toast.py).
SETTLE_S = 8.0


async def idle_cpu_rate(pgid: int, seconds: float = 4.0) -> float:
    """The store's CPU seconds per second with every client connected and none clicking (the sweeper of each
    worker, pings), measured after what the steady phase set going has ended."""
    await asyncio.sleep(SETTLE_S)
    t, cpu = time.perf_counter(), group_cpu_s(pgid)
    await asyncio.sleep(seconds)
    return (group_cpu_s(pgid) - cpu) / (time.perf_counter() - t)


def plenty_of_stock(database_url: str, product: str) -> None:
    """Every client adds the same variant again and again: give it stock enough that none is refused
    (a refusal is a different event, and the bench stops on it)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE variant SET stock = 1000000 WHERE product_id = (SELECT id FROM product WHERE code = :c)"
            ),
            {"c": product},
        )
    engine.dispose()


def main(argv=None) -> dict:
    sys.path.insert(0, str(ROOT))
    from storefront_qa.server import StoreServer, free_port

    args = parse_args(argv)
    report = {"benchmark": "events", "date": datetime.now(UTC).isoformat(timespec="seconds")}
    report["machine"] = machine()
    print(f"\n== events: {args.clients} websocket clients, add-to-cart, production build", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_events_") as tmp, services.store_services(args) as svc:
        report["services"] = svc.label
        print(f"  store on {svc.label}", flush=True)
        server = StoreServer(
            Path(tmp),
            # Reflex's console handler wraps its lines at 80 columns when writing to a file: one line each,
            # so that `held_too_long` can read whose lock and which event.
            env={"COLUMNS": "100000"},
            database_url=svc.database_url,
            redis_url=svc.redis_url,
            workers=svc.workers,
        )
        try:
            base = server.start()
            plenty_of_stock(server.db_url, args.product)
            report["store"] = asyncio.run(run_store(base, server.proc.pid, args))
        finally:
            server.stop()
        # Redis mode: Reflex warns when an event held a page's state lock too long (1 s by default).
        held = held_too_long(server.log.read_text(errors="replace"))
        report["store"]["state_held_too_long_warnings"] = sum(held.values())
        report["store"]["state_held_too_long_by_event"] = dict(held.most_common())
    port = free_port()
    granian = Path(sys.executable).with_name("granian")
    echo = subprocess.Popen(
        [
            str(granian),
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "bench.echo_app:app",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        size = 220  # about the size of the add_to_cart frame
        burst, steady = asyncio.run(
            echo_floor(port, args.clients, args.event_rounds, size, args.rate, args.duration)
        )
        report["echo_floor_ms"] = percentiles(burst)
        report["echo_steady_ms"] = percentiles(steady)
    finally:
        os.killpg(echo.pid, 15)
        echo.wait(timeout=10)
    s, e = report["store"], report["echo_floor_ms"]
    for label, p in (
        (
            f"store, {s['clients']} connected, {s['steady_achieved_per_s']}/s, send -> LiveCart delta",
            s["steady_to_cart_delta_ms"],
        ),
        (f"store, {s['clients']} at once, send -> LiveCart delta", s["concurrent_to_cart_delta_ms"]),
        (f"store, {s['clients']} concurrent, send -> first delta", s["concurrent_to_first_delta_ms"]),
        ("store, 1 client alone, send -> LiveCart delta", s["single_client_to_cart_delta_ms"]),
        (f"store, {s['clients']} concurrent, navigation -> hydrated", s["concurrent_navigation_ms"]),
        (f"echo floor, {s['clients']} concurrent", e),
        (f"echo, {s['clients']} connected, steady load", report["echo_steady_ms"]),
    ):
        print(
            f"  {label:<55} p50 {p['p50']:8.2f} ms  p95 {p['p95']:8.2f} ms  p99 {p['p99']:8.2f} ms (n={p['n']})"
        )
    print(
        f"  bursts handled {s['burst_handled_per_s']} events/s; backend CPU "
        f"{s['backend_cpu_ms_per_event']} ms per add-to-cart during the bursts, "
        f"{s['backend_cpu_ms_per_event_settled']} ms with all it sets going (over {SETTLE_S:.0f} s more, "
        f"less the idle store's {s['idle_cpu_ms_per_s']} ms/s); {s['backend_cpu_ms_per_panel_event']} ms per "
        "event without data (the mini-cart panel opened or closed: Reflex's own cost of an event here); "
        f"{s['backend_cpu_ms_per_navigation']} ms per navigation to the product page (its on-load events)",
        flush=True,
    )
    print(f"  store RSS per connected client: {s['rss_per_client_kib']:.0f} KiB", flush=True)
    print(
        f"  'state held too long' warnings in the store's log: {s['state_held_too_long_warnings']}"
        + "".join(f"\n    {n} {where}" for where, n in s["state_held_too_long_by_event"].items()),
        flush=True,
    )
    return report
