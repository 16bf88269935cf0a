"""The toast region: one message at a time, announced to screen readers."""

import reflex as rx

from app.state.toast import ToastState
from components.ui import tid

COLORS = {"success": "var(--green-9)", "error": "var(--red-9)", "info": "var(--blue-9)"}


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
                background="var(--color-panel-solid)",
                border_left=rx.match(
                    ToastState.kind,
                    ("success", f"4px solid {COLORS['success']}"),
                    ("error", f"4px solid {COLORS['error']}"),
                    f"4px solid {COLORS['info']}",
                ),
                box_shadow="0 8px 24px rgba(0,0,0,.15)",
                border_radius="8px",
                max_width="420px",
            ),
        ),
        role="status",
        aria_live="polite",
        position="fixed",
        bottom="1.25em",
        right="1.25em",
        z_index="1000",
    )
