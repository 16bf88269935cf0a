"""E2E fixtures: the store on the production build, Chromium, and a page per test."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.e2e.server import ROOT, StoreServer

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH")
    if path:
        return path
    return shutil.which("chromium") or None


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    with StoreServer(tmp_path_factory.mktemp("store")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def new_context(browser, base_url, request):
    """Factory for browser contexts (one per person in a scenario); traces kept for failures."""
    contexts = []

    def make():
        ctx = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        ctx.set_default_timeout(15_000)
        ctx.tracing.start(screenshots=True, snapshots=True)
        contexts.append(ctx)
        return ctx

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for i, ctx in enumerate(contexts):
        name = f"{request.node.name}-{i}"
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for j, pg in enumerate(ctx.pages):
                try:
                    pg.screenshot(path=str(ARTIFACTS / f"{name}-{j}.png"), full_page=True)
                except Exception as e:  # noqa: BLE001 - best effort on a failing page
                    print(f"no screenshot of {name}-{j}: {e}")
            ctx.tracing.stop(path=str(ARTIFACTS / f"{name}-trace.zip"))
            print(f"\nE2E artifacts for {request.node.name}: {ARTIFACTS}")
        else:
            ctx.tracing.stop()
        ctx.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()
