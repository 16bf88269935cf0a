"""pytest plugin: the store on its production build with a fresh database, Chromium, and a page per test.

Installed with the project it loads by itself (entry point `storefront_qa` in the `pytest11` group); this
repository registers it from tests/conftest.py. Fixtures:

- `store_server` (session): a `StoreServer` — seeded SQLite database, production build on a free port.
- `store_env` (session): extra environment for that server; override it in a conftest.py to change it.
- `base_url` (session): the store's URL, or `--store-url`/`$STORE_URL` to test a store already running.
- `browser` (session): Chromium (`$CHROMIUM_PATH`, else `chromium` on PATH, else Playwright's own).
- `new_context`: a factory of browser contexts, one per person in a scenario, 1280×900.
- `page`: a page in a new context; `store`: `Store(page)`, every page object for that page.
- `mail_outbox` (session): `storefront_qa.mail.Outbox` over the store's outgoing mail (set-password links).
- `store_db` (session): a SQLAlchemy engine on the store's database.

A failing test leaves a full-page screenshot of each of its pages and a Playwright trace of each context in
the artifacts folder (`--artifacts-dir`, `$E2E_ARTIFACTS_DIR`, default `<rootdir>/test-artifacts`); its path
is printed with the failure and again at the end of the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storefront_qa.browser import VIEWPORT, launch_chromium
from storefront_qa.server import StoreServer

_saved = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("storefront_qa", "Harbor & Pine store (storefront_qa)")
    group.addoption(
        "--store-url",
        default=os.environ.get("STORE_URL", ""),
        help="test the store already running at this URL instead of starting one on a fresh database",
    )
    group.addoption(
        "--artifacts-dir",
        default=os.environ.get("E2E_ARTIFACTS_DIR", ""),
        help="where failing tests leave screenshots and traces (default: <rootdir>/test-artifacts)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end browser tests (Playwright + running store)")
    config.stash[_saved] = []


def artifacts_dir(config: pytest.Config) -> Path:
    configured = config.getoption("--artifacts-dir")
    return Path(configured).resolve() if configured else config.rootpath / "test-artifacts"


@pytest.fixture(scope="session")
def store_env() -> dict[str, str]:
    """Extra environment for the store server, e.g. `{"CART_LOCK_MINUTES": "1"}`."""
    return {}


@pytest.fixture(scope="session")
def store_server(tmp_path_factory, store_env, pytestconfig):
    if pytestconfig.getoption("--store-url"):
        pytest.skip("needs the fresh store the plugin starts (not --store-url)")
    server = StoreServer(tmp_path_factory.mktemp("store"), env=store_env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def base_url(request, pytestconfig) -> str:
    url = pytestconfig.getoption("--store-url")
    if url:
        return url.rstrip("/")
    return request.getfixturevalue("store_server").base_url


@pytest.fixture(scope="session")
def mail_outbox(store_server):
    """The mail the store sent (it writes one .eml file per message into the server's outbox folder)."""
    from storefront_qa.mail import Outbox

    return Outbox(store_server.outbox)


@pytest.fixture(scope="session")
def store_db(store_server):
    """A SQLAlchemy engine on the store's database, to read what a test cannot see in a page."""
    from sqlalchemy import create_engine

    engine = create_engine(store_server.db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(node) -> bool:
    return any(getattr(getattr(node, f"rep_{when}", None), "failed", False) for when in ("setup", "call"))


@pytest.fixture
def new_context(browser, base_url, request):
    """Factory for browser contexts (one per person in a scenario); traces kept for failures.

    Keyword arguments go to `browser.new_context` (e.g. `viewport={"width": 375, "height": 812}`).
    """
    contexts = []

    def make(**options):
        ctx = browser.new_context(**{"base_url": base_url, "viewport": VIEWPORT, **options})
        ctx.set_default_timeout(15_000)
        ctx.tracing.start(screenshots=True, snapshots=True)
        contexts.append(ctx)
        return ctx

    yield make
    failed = _failed(request.node)
    folder = artifacts_dir(request.config)
    for i, ctx in enumerate(contexts):
        name = f"{request.node.name}-{i}"
        if failed:
            folder.mkdir(parents=True, exist_ok=True)
            for j, pg in enumerate(ctx.pages):
                try:
                    pg.screenshot(path=str(folder / f"{name}-{j}.png"), full_page=True)
                except Exception as e:  # noqa: BLE001 - best effort on a failing page
                    print(f"no screenshot of {name}-{j}: {e}")
            ctx.tracing.stop(path=str(folder / f"{name}-trace.zip"))
        else:
            ctx.tracing.stop()
        ctx.close()
    if failed and contexts:
        request.config.stash[_saved].append(request.node.nodeid)
        print(f"\nE2E artifacts for {request.node.name}: {folder}")


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def store(page):
    from storefront_qa.pages import Store

    return Store(page)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    saved = config.stash.get(_saved, [])
    if saved:
        terminalreporter.write_line(
            f"E2E artifacts (screenshots, Playwright traces) of {len(saved)} failing test(s): "
            f"{artifacts_dir(config)}"
        )
