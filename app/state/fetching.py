"""Which states an event's first fetch brings along (Redis: one MGET instead of one per `get_state`).

Reflex's Redis state manager fetches an event's state with its parents and its "potentially dirty" states
in one round trip; every other state the handler asks for (`get_state`) is another round trip. Every event
through the guard asks for SessionState (who is calling) and ToastState (`@event`); the product page's
add-to-cart and every page's on-load event ask for CartState too. Naming them here brings them with the
first fetch. Reflex uses this set only to decide what to fetch (and to drop it when a module is reloaded in
development): nothing is recomputed or written because of it. The disk state manager of a single worker keeps a tab's whole tree in
memory and is not affected. bench/RESULTS.md has the before/after.

Not the tab's LiveCart: Reflex locks and fetches the shared cart of every linked state present in the tree,
so bringing it along would cost an option click on the product page (or the mini-cart panel opened) the
shared cart's lock and fetch, which only a cart change needs.
"""

from __future__ import annotations

import reflex as rx
from reflex.state import State

from app.state.cart import CartState
from app.state.catalog import ProductState
from app.state.page import PageState
from app.state.session import SessionState
from app.state.toast import ToastState

EVERY_EVENT: tuple[type[rx.State], ...] = (SessionState, ToastState)
# The product page's add-to-cart and every page's on-load event (PageState.arrive) ask for the cart.
WITH_THE_CART: dict[type[rx.State], tuple[type[rx.State], ...]] = {
    ProductState: (CartState,),
    PageState: (CartState,),
}


def app_states() -> list[type[rx.State]]:
    """Every state of the store: the root's substates defined under app/."""
    return [cls for cls in State.get_substates() if cls.__module__.startswith("app.")]


def fetch_in_one_go() -> None:
    """Add the states every event (and every cart event) asks for to each state's first fetch."""
    for cls in app_states():
        wanted = EVERY_EVENT + WITH_THE_CART.get(cls, ())
        cls._potentially_dirty_states.update(w.get_full_name() for w in wanted if w is not cls)
