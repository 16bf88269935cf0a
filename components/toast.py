"""The toast region: one message at a time, announced to screen readers.

It is part of the app's frame (app/app.py), not of a page: it stays mounted while the shopper moves from page
to page, so a toast outlives the redirect that follows it, a hidden toast does not come back on the next page,
and screen readers announce what enters it (a live region must exist before its text changes). The browser
hides a toast after `TOAST_SECONDS` (assets/styles.css `.toast`); a new toast (`seq`) starts the clock again.
"""

import reflex as rx

from app.state.toast import ToastState
from components import style
from components.ui import tid

COLORS = {"success": style.SUCCESS_SOLID, "error": style.DANGER_SOLID, "info": style.INFO_SOLID}


def toast_region() -> rx.Component:
    return rx.box(
        rx.cond(
            ToastState.message != "",
            rx.hstack(
                rx.text(
                    ToastState.message, custom_attrs={**tid("toast"), "data-kind": ToastState.kind}, size="2"
                ),
                rx.icon_button(
                    rx.icon("x", size=14),
                    variant="ghost",
                    size="1",
                    on_click=ToastState.dismiss,
                    aria_label="Dismiss message",
                ),
                align="center",
                spacing="3",
                padding="0.75em 1em",
                background=style.PANEL,
                border_left=rx.match(
                    ToastState.kind,
                    ("success", f"4px solid {COLORS['success']}"),
                    ("error", f"4px solid {COLORS['error']}"),
                    f"4px solid {COLORS['info']}",
                ),
                box_shadow=style.SHADOW,
                border_radius=style.RADIUS,
                max_width=style.FORM_WIDTH,
                class_name="toast",
                key=ToastState.seq,
            ),
        ),
        role="status",
        aria_live="polite",
        position="fixed",
        bottom="1.25em",
        right="1.25em",
        z_index="1000",
    )


def toast_wrap(stateful: bool) -> rx.Component | None:
    """The region as an app wrap (rx.App `extra_app_wraps`): rendered once around every page."""
    if not stateful:
        return None
    return rx.fragment(rx.memo(toast_region)())
