"""A page loads in one event (app/state/page.py): the header and mini-cart, then the page's own handlers."""

from __future__ import annotations

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import Session

from app.services import carts
from app.services.errors import Unavailable
from app.state.catalog import CatalogState, ProductState
from app.state.page import PageState
from app.state.session import SessionState
from components.shell import PAGES
from tests.conftest import make_account, make_product


@pytest.fixture
def shop(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com"),
            "product": make_product(db, "TEE-1"),
        }


def at(tab, path: str) -> None:
    """The tab's address bar, as the browser sends it with an event."""
    tab.root.router = RouterData(
        url=ReflexURL(f"http://localhost:3000{path}"), headers=tab.root.rx_router_headers
    )


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.route)
def test_every_page_runs_one_on_load_event_named_by_its_route(spec):
    (only,) = spec.on_load
    assert only.handler.fn is PageState.arrive.fn
    assert str(only.args[0][1]) == f'"{spec.route}"'


def test_the_catalog_loads_the_caller_its_cart_and_its_products_in_one_event(client, shop):
    jane = client(shop["jane"])
    at(jane, "/")
    jane.call(PageState, "arrive", "/")
    assert jane.state(SessionState).signed_in and jane.state(SessionState).first_name == "Jane"
    assert jane.cart.cart_id  # the mini-cart: Jane's cart, linked
    catalog = jane.state(CatalogState)
    assert not catalog.loading and [item.code for item in catalog.items] == ["TEE-1"]
    assert jane.state(PageState).loaded_path == "/"


def test_the_product_page_loads_after_the_cart_in_the_same_event(client, shop):
    jane = client(shop["jane"])
    at(jane, "/product/TEE-1")
    jane.call(PageState, "arrive", "/product/[code]")
    product = jane.state(ProductState)
    assert product.found and not product.loading and product.product.code == "TEE-1"
    assert jane.state(PageState).loaded_path == "/product/TEE-1"


def test_a_part_that_fails_says_so_and_the_page_still_loads(client, shop, monkeypatch):
    def down(*args, **kwargs):
        raise Unavailable()

    monkeypatch.setattr(carts, "view", down)
    jane = client(shop["jane"])
    at(jane, "/")
    events = jane.call(PageState, "arrive", "/")
    (said,) = [ev for ev in events if "ToastState.show" in str(getattr(ev, "handler", ""))]
    assert Unavailable().message in str(said.args)
    assert [item.code for item in jane.state(CatalogState).items] == ["TEE-1"]
    assert jane.state(PageState).loaded_path == "/"
