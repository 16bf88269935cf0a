"""An event's first fetch brings the states the guard and the cart ask for (app/state/fetching.py): with
Redis, one MGET instead of one round trip per `get_state`."""

from __future__ import annotations

import pytest
from reflex.istate.manager.redis import StateManagerRedis

import app.app  # noqa: F401  (registers every state and calls fetch_in_one_go)
from app.state.cart import CartState, LiveCart
from app.state.catalog import ProductState
from app.state.fetching import app_states
from app.state.page import PageState
from app.state.session import SessionState
from app.state.toast import ToastState


def fetched_with(cls) -> set[type]:
    """The states Reflex's Redis manager fetches in the same MGET as `cls` (what decides its round trips)."""
    manager = StateManagerRedis.__new__(StateManagerRedis)  # the method reads no instance field
    return StateManagerRedis._get_required_state_classes(manager, cls)


def test_every_state_of_the_store_is_covered():
    names = {cls.__name__ for cls in app_states()}
    assert {"CatalogState", "CheckoutState", "CustomerServiceState", "AccountState", "ProductState"} <= names


@pytest.mark.parametrize("cls", app_states(), ids=lambda cls: cls.__name__)
def test_every_event_fetches_the_caller_and_the_toast_with_its_state(cls):
    assert {SessionState, ToastState} <= fetched_with(cls)


def test_add_to_cart_fetches_the_cart_with_the_product_page():
    assert CartState in fetched_with(ProductState)


def test_a_page_load_fetches_the_cart_with_its_one_event():
    assert CartState in fetched_with(PageState)


@pytest.mark.parametrize("cls", app_states(), ids=lambda cls: cls.__name__)
def test_no_event_brings_the_cart_link_along(cls):
    """Fetching the LiveCart link also locks and fetches the shared cart (Reflex patches in every linked state
    present in the tree): an option click or the mini-cart panel must not pay for that."""
    assert LiveCart not in fetched_with(cls)
