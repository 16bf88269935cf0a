import reflex as rx

from components.shell import page
from components.ui import empty_state


@page("404", "Page not found — Harbor & Pine")
def not_found_page() -> rx.Component:
    return empty_state(
        "map-pin-off",
        "Page not found",
        "The page you asked for does not exist.",
        "not-found",
        rx.link("Back to the shop", href="/"),
    )
