"""A shared cart that outlived its database (a restored backup, `make seed` under a running store) keeps a
version the database no longer has. The next look at the cart shows what the database says, instead of
trusting the higher version for ever (app/state/cart.py `_show`)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.services.carts import STALE_MESSAGE
from app.state.cart import CartState
from tests.conftest import make_account, make_product, sku_of
from tests.state.conftest import toasts


@pytest.fixture
def shop(sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        return {
            "jane": make_account(db, "Jane", "Doe", "jane@example.com"),
            "product": make_product(db, "TEE-1", stock=10),
        }


def outlive_the_database(tab) -> None:
    """What the shared state kept from the database before: the same cart id, a later version, other lines."""
    live = tab.cart
    live.version, live.count, live.subtotal = live.version + 7, 5, "$99.00"


def test_a_page_load_shows_the_database_not_the_shared_cart_it_outlived(client, shop):
    jane = client(shop["jane"])
    jane.call(CartState, "load")
    cart_id, version = jane.cart.cart_id, jane.cart.version
    outlive_the_database(jane)
    jane.call(CartState, "load")
    assert (jane.cart.cart_id, jane.cart.version) == (cart_id, version)
    assert (jane.cart.count, jane.cart.subtotal) == (0, "$0.00")


def test_an_add_refused_for_that_version_shows_the_database_and_the_next_add_goes_through(client, shop):
    jane = client(shop["jane"])
    jane.call(CartState, "load")
    outlive_the_database(jane)
    assert toasts(jane.call(CartState, "add", sku_of(shop["product"]), 1)) == [STALE_MESSAGE]
    assert jane.cart.count == 0
    [added] = toasts(jane.call(CartState, "add", sku_of(shop["product"]), 1))
    assert added.startswith("Added ")
    assert jane.cart.count == 1
