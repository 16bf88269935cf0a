"""A tab's states written to disk after an add-to-cart, the way one worker's Reflex state manager writes them.

`python -m bench --suite statewrites [--tabs N]`. Reflex 0.10.1's StateManagerDisk writes a tab's changed
states after its debounce (2 s), one file per touched substate, each in a thread hand-off of its own; the
store writes the same files in one hand-off per tab (app/serving.py `write_states_in_one_go`). With shoppers
clicking every few seconds every add-to-cart is such a write: the tab's root (its router data) and toast,
and its shared cart's LiveCart; a navigation writes the root, the page's states, the cart and the session. The events bench's bursts hide it: there a tab's three clicks in a
second are written once. Here both ways write the same trees in one process, alternately (`--rounds`
rounds of `--tabs` tabs each), timed with `time.process_time()` (this process's CPU, every thread's),
so one run compares them on the same machine at the same moment.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path.cwd()


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench --suite statewrites")
    p.add_argument("--tabs", type=int, default=500, help="tabs written per round and way (default 500)")
    p.add_argument("--rounds", type=int, default=6, help="alternating rounds of each way (default 6)")
    args, _ = p.parse_known_args(argv)
    return args


def main(argv=None) -> dict:
    sys.path.insert(0, str(ROOT))
    args = parse_args(argv)
    from reflex.istate.manager import disk
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State
    from reflex.utils import prerequisites

    import app.app  # noqa: F401  (registers every state)
    from app import serving
    from app.state.cart import CartState, LiveCart
    from app.state.catalog import ProductState
    from app.state.page import PageState
    from app.state.session import SessionState
    from app.state.toast import ToastState

    serving.write_states_in_one_go()
    ours = disk.StateManagerDisk.set_state_for_substate
    ways = {"reflex": ours.__wrapped__, "store": ours}

    def sub(root, cls):
        return root.get_substate(cls.get_full_name().split(".")[1:])

    def tab(n: int):
        """A tab's tree as its last write left it: nothing in it touched until the next event."""
        return State(_reflex_internal_init=True)

    # What an event leaves touched (seen in Redis, where the same substates are written): an add-to-cart the
    # root (the event's router data) and the toast, then its shared cart under the cart's own token; a
    # navigation the root, the page's states, the cart and the session.
    def an_add(root, n):
        root.router_data = {"n": n}
        toast = sub(root, ToastState)
        toast.message, toast.seq = f"Added Rain Jacket to the cart ({n}).", toast.seq + 1

    def a_navigation(root, n):
        root.router_data = {"n": n}
        sub(root, PageState).loaded_path = f"/product/{n}"
        sub(root, ProductState).quantity = str(n % 9 + 1)
        sub(root, CartState).panel_open = n % 2 == 0
        sub(root, SessionState).changed_unsaid = n % 2 == 0

    report = {"benchmark": "statewrites", "tabs": args.tabs, "rounds": args.rounds}
    print(f"\n== statewrites: {args.tabs} tabs, {args.rounds} rounds each way")
    for scenario, touch in (("add_to_cart", an_add), ("navigation", a_navigation)):
        with tempfile.TemporaryDirectory(prefix="bench_statewrites_") as tmp:
            prerequisites.get_states_dir = lambda tmp=tmp: Path(tmp)
            manager = disk.StateManagerDisk()
            trees = [tab(n) for n in range(args.tabs)]
            shared = [tab(n) for n in range(args.tabs)] if scenario == "add_to_cart" else []
            cpu: dict[str, list[float]] = {way: [] for way in ways}

            async def write(method, touch=touch, trees=trees, shared=shared, manager=manager) -> float:
                jobs = []
                for n, root in enumerate(trees):
                    touch(root, n)
                    jobs.append((BaseStateToken(ident=f"tab-{n}", cls=State), root))
                for n, root in enumerate(shared):  # the cart's LiveCart, under the cart's token
                    sub(root, LiveCart).version += 1
                    jobs.append((BaseStateToken(ident=f"anon{n}", cls=State), root))
                start = time.process_time()
                for token, root in jobs:
                    await method(manager, token, root)
                return time.process_time() - start

            async def run(write=write, cpu=cpu):
                await write(ways["reflex"])
                await write(ways["store"])
                for r in range(args.rounds):
                    for way in list(ways) if r % 2 == 0 else list(reversed(ways)):
                        cpu[way].append(await write(ways[way]))

            asyncio.run(run())
            files = sum(1 for _ in Path(tmp).iterdir())
        per_event = {way: [1e6 * s / args.tabs for s in series] for way, series in cpu.items()}
        report[scenario] = {
            "files_on_disk_per_event": files / args.tabs,
            "cpu_us_per_event": {
                way: {"median": round(statistics.median(v), 1), "each": [round(x, 1) for x in v]}
                for way, v in per_event.items()
            },
        }
        for way, v in report[scenario]["cpu_us_per_event"].items():
            print(
                f"  {scenario:<12} {way:<7} CPU per event's states written: median {v['median']:7.1f} us  {v['each']}"
            )
    return report
