"""Catalog page load in headless Chromium on the production build, against a static copy as the floor.

The store: `storefront_qa.server.StoreServer` (production build, freshly seeded SQLite; with
`--prod-services` PostgreSQL + Redis and several workers, as for the events bench). Chromium: the
system one with the args of storefront_qa/browser.py. Each load is a fresh browser context (cold cache),
`--loads` times (default 10), then the same number of reloads in one context (warm cache). Measured:

- FCP: the `first-contentful-paint` entry of the Paint Timing API;
- interactive: `performance.now()` when `[data-testid=app-ready][data-ready=true]` (the state is hydrated,
  so the page's event handlers work) and at least one `[data-testid=product-card]` are in the DOM,
  recorded in the page by a MutationObserver installed before any page script (an init script).
- the store's CPU per load (`server_cpu_ms_per_load`): user + system time of the store's process group over
  each series (every load, its static files, its websocket's connect, hydrate and on-load events, and the
  closed tab's disconnect, SETTLE_S after the last load included), less the idle store's CPU over the same
  time, divided by the loads. Unlike the times above it does not depend on Chromium's share of the cores.

The floor: the catalog's rendered HTML, saved once after hydration, with its scripts removed and its
stylesheets, fonts and images copied next to it, served by `python -m http.server` on another port.
Same content and look, no JavaScript; "interactive" there is when the same selectors are present.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from bench import services
from bench.events import group_cpu_s
from bench.find_customer import ROOT, machine

READY = (
    "() => document.querySelector('[data-testid=app-ready][data-ready=true]')"
    " && document.querySelector('[data-testid=product-card]') && performance.now()"
)
# Records, inside the page, the moment the catalog becomes interactive: a MutationObserver callback runs
# right after the DOM change, so the time does not depend on how often Playwright polls.
READY_OBSERVER = """(() => {
  const check = () => {
    if (window.__benchReady === undefined
        && document.querySelector('[data-testid=app-ready][data-ready=true]')
        && document.querySelector('[data-testid=product-card]')) {
      window.__benchReady = performance.now();
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
  document.addEventListener('DOMContentLoaded', check);
})();"""
FCP = (
    "() => new Promise(resolve => { const f = () => { const e = performance.getEntriesByName("
    "'first-contentful-paint')[0]; if (e) resolve(e.startTime); else setTimeout(f, 20); }; f(); })"
)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench --suite pageload")
    p.add_argument("--loads", type=int, default=10, help="page loads per series (default 10)")
    services.add_arguments(p)
    args, _ = p.parse_known_args(argv)
    return args


def measure(page, url: str) -> dict:
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function("() => window.__benchReady !== undefined", timeout=60_000)
    ready = page.evaluate("() => window.__benchReady")
    wall = (time.perf_counter() - t0) * 1000
    fcp = page.evaluate(FCP)
    nav = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, bytes: n.transferSize}; }"
    )
    return {"fcp_ms": fcp, "interactive_ms": ready, "wall_ms": wall, **nav}


SETTLE_S = 2.0


class ServerCpu:
    """The store's CPU (its process group) over a series of loads, less what it spends idle meanwhile."""

    def __init__(self, pgid: int | None) -> None:
        self.pgid, self.idle_per_s = pgid, 0.0
        if pgid is not None:
            t, cpu = time.perf_counter(), group_cpu_s(pgid)
            time.sleep(3.0)
            self.idle_per_s = (group_cpu_s(pgid) - cpu) / (time.perf_counter() - t)

    def start(self) -> None:
        if self.pgid is not None:
            self.t, self.cpu = time.perf_counter(), group_cpu_s(self.pgid)

    def per_load_ms(self, loads: int) -> float | None:
        if self.pgid is None:
            return None
        time.sleep(SETTLE_S)
        spent = group_cpu_s(self.pgid) - self.cpu - self.idle_per_s * (time.perf_counter() - self.t)
        return round(spent * 1000 / loads, 1)


def series(browser, url: str, loads: int, viewport: dict, pgid: int | None = None) -> dict:
    cold, warm = [], []
    server = ServerCpu(pgid)
    server.start()
    for _ in range(loads):
        ctx = browser.new_context(viewport=viewport)
        ctx.add_init_script(READY_OBSERVER)
        cold.append(measure(ctx.new_page(), url))
        ctx.close()
    cold_cpu = server.per_load_ms(loads)
    ctx = browser.new_context(viewport=viewport)
    ctx.add_init_script(READY_OBSERVER)
    page = ctx.new_page()
    measure(page, url)
    server.start()
    for _ in range(loads):
        warm.append(measure(page, url))
    warm_cpu = server.per_load_ms(loads)
    ctx.close()
    return {
        "cold": {**summarize(cold), "server_cpu_ms_per_load": cold_cpu},
        "warm": {**summarize(warm), "server_cpu_ms_per_load": warm_cpu},
        "cold_runs": cold,
        "warm_runs": warm,
    }


def summarize(runs: list[dict]) -> dict:
    return {
        k: round(statistics.median(r[k] for r in runs), 1) for k in ("fcp_ms", "interactive_ms", "wall_ms")
    }


def save_static(browser, url: str, folder: Path, viewport: dict) -> None:
    """The hydrated catalog as a static page: HTML without scripts, plus CSS, fonts and images."""
    ctx = browser.new_context(viewport=viewport)
    page = ctx.new_page()
    origin = urlparse(url)
    assets: dict[str, bytes] = {}

    def keep(response) -> None:
        u = urlparse(response.url)
        kind = response.request.resource_type
        if u.netloc == origin.netloc and kind in ("stylesheet", "image", "font") and response.ok:
            try:
                assets[u.path] = response.body()
            except Exception as e:  # noqa: BLE001 - a body the browser no longer holds: skip it
                print(f"  (static copy: {u.path} skipped: {type(e).__name__})")

    page.on("response", keep)
    page.goto(url)
    page.wait_for_function(READY, timeout=60_000)
    page.wait_for_load_state("networkidle")
    html = page.content()
    ctx.close()
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.DOTALL | re.IGNORECASE)
    html = re.sub(r"<link\b[^>]*rel=\"modulepreload\"[^>]*>", "", html, flags=re.IGNORECASE)
    (folder / "index.html").write_text(html)
    for path, body in assets.items():
        target = folder / path.lstrip("/")
        if path in ("", "/") or target.is_dir():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)


def main(argv=None) -> dict:
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from storefront_qa.browser import VIEWPORT, launch_chromium
    from storefront_qa.server import StoreServer, free_port

    args = parse_args(argv)
    report = {"benchmark": "pageload", "date": datetime.now(UTC).isoformat(timespec="seconds")}
    report["machine"] = machine()
    print(f"\n== pageload: catalog (/) in headless Chromium, median of {args.loads}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_pageload_") as tmp, services.store_services(args) as svc:
        report["services"] = svc.label
        print(f"  store on {svc.label}", flush=True)
        static_dir = Path(tmp) / "static"
        static_dir.mkdir()
        server = StoreServer(
            Path(tmp) / "store", database_url=svc.database_url, redis_url=svc.redis_url, workers=svc.workers
        )
        base = server.start()
        port = free_port()
        http = None
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                report["chromium"] = browser.version
                save_static(browser, base + "/", static_dir, VIEWPORT)
                report["store"] = series(browser, base + "/", args.loads, VIEWPORT, server.proc.pid)
                http = subprocess.Popen(
                    [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                    cwd=static_dir,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                for _ in range(100):
                    try:
                        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                        break
                    except OSError:
                        time.sleep(0.1)
                report["static"] = series(browser, f"http://127.0.0.1:{port}/", args.loads, VIEWPORT)
                browser.close()
        finally:
            if http:
                http.terminate()
                http.wait(timeout=10)
            server.stop()
    report["static_files"] = "HTML without scripts + CSS/fonts/images from the store"
    for name in ("store", "static"):
        for cache in ("cold", "warm"):
            m = report[name][cache]
            print(
                f"  {name:<7} {cache}: FCP {m['fcp_ms']:7.1f} ms   interactive {m['interactive_ms']:7.1f} ms   "
                f"(wall from goto {m['wall_ms']:.1f} ms)"
                + (
                    f"   store CPU {cpu} ms per load"
                    if (cpu := m.get("server_cpu_ms_per_load")) is not None
                    else ""
                ),
                flush=True,
            )
    return report
