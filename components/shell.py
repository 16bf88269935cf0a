"""The page shell: every page gets the header, footer and identity loading (the toast region is the app's,
components/toast.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import reflex as rx

from app.state.page import PageState, arriving
from components import style
from components.header import header
from components.leave import full_page_load


@dataclass
class PageSpec:
    route: str
    title: str
    component: Callable[[], rx.Component]
    on_load: list = field(default_factory=list)


PAGES: list[PageSpec] = []


def footer() -> rx.Component:
    return rx.center(
        rx.text(
            "Harbor & Pine — demo store. Test cards only; no real payments.", size="1", color=style.MUTED
        ),
        padding="2em",
        border_top=f"1px solid {style.LINE}",
        margin_top="3em",
    )


def page(route: str, title: str, on_load=None):
    """Register a page: `@page("/checkout", "Checkout", on_load=CheckoutState.load)`. Every page loads the
    header and mini-cart first; the page's own `on_load` handlers then run in that same event
    (app/state/page.py)."""
    extra = on_load if isinstance(on_load, list) else ([on_load] if on_load else [])

    def decorate(body: Callable[[], rx.Component]):
        def shell() -> rx.Component:
            return rx.box(
                rx.el.a("Skip to content", href="#main", class_name="skip-link"),
                header(),
                rx.el.main(rx.container(body(), size="4", padding_x="1.25em", padding_y="1.5em"), id="main"),
                footer(),
                full_page_load(),
                # QA hook: true once the page's on_load events have run, for the page at data-path
                # (see docs/QA.md).
                rx.el.span(
                    custom_attrs={
                        "data-testid": "app-ready",
                        "data-ready": rx.State.is_hydrated.to_string(),
                        "data-path": PageState.loaded_path,
                    },
                    hidden=True,
                ),
                min_height="100vh",
            )

        PAGES.append(PageSpec(route, title, shell, arriving(route, extra)))
        return body

    return decorate
