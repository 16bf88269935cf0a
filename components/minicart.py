"""The mini-cart: count, a panel with the lines and, while on behalf, the cart lock controls."""

import reflex as rx

from app.state.cart import LOCKED_BY_ME, CartState, LiveCart
from app.state.session import SessionState
from components import style
from components.sections import amount_row
from components.ui import confirm_dialog, lock_icon, muted, thumbnail, tid


def lock_status() -> rx.Component:
    return rx.text(
        rx.cond(
            LOCKED_BY_ME,
            "Locked by you",
            rx.cond(
                LiveCart.locked,
                "Locked by " + LiveCart.lock_holder + " since " + LiveCart.lock_since,
                "Unlocked",
            ),
        ),
        size="2",
        weight="medium",
        custom_attrs=tid("lock-status"),
    )


def takeover_button() -> rx.Component:
    return confirm_dialog(
        rx.button(
            rx.icon("key-round", size=14),
            "Take over lock",
            color_scheme="orange",
            high_contrast=True,
            size="2",
            custom_attrs=tid("minicart-takeover"),
        ),
        title="Take over the cart lock?",
        description=LiveCart.lock_holder
        + " holds this cart's lock. If you take over, their changes stop and they are told at once.",
        confirm="Take over",
        on_confirm=CartState.take_over(LiveCart.lock_ref),
        color="orange",
        confirm_testid="lock-takeover-confirm",
    )


def lock_controls() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            lock_icon(LiveCart.locked, 16),
            lock_status(),
            align="center",
            spacing="2",
        ),
        rx.hstack(
            rx.cond(
                LOCKED_BY_ME,
                rx.button(
                    rx.icon("lock-open", size=14),
                    "Unlock",
                    variant="soft",
                    size="2",
                    on_click=CartState.unlock,
                    custom_attrs=tid("minicart-unlock"),
                ),
                rx.cond(
                    LiveCart.locked,
                    rx.cond(SessionState.can_take_over, takeover_button()),
                    rx.button(
                        rx.icon("lock", size=14),
                        "Lock",
                        size="2",
                        on_click=CartState.lock,
                        custom_attrs=tid("minicart-lock"),
                    ),
                ),
            ),
        ),
        rx.cond(~LOCKED_BY_ME, muted("Lock the cart to change it.", size="1")),
        padding=style.PAD_PANEL,
        border_radius=style.RADIUS,
        background=style.WARNING_SOFT,
        width="100%",
        spacing="2",
    )


def minicart_line(line: rx.Var) -> rx.Component:
    return rx.hstack(
        thumbnail(line.image, style.THUMB_SMALL),
        rx.vstack(
            rx.text(line.name, size="2", weight="medium"),
            muted(line.options, size="1"),
            rx.text("Qty ", line.quantity, " · ", line.line_total, size="1"),
            spacing="0",
        ),
        spacing="3",
        width="100%",
        custom_attrs={"data-testid": "minicart-line", "data-code": line.code},
    )


def minicart() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("shopping-cart", size=18),
                rx.text("Cart"),
                rx.badge(LiveCart.count, variant="solid", radius="full", custom_attrs=tid("minicart-count")),
                rx.el.span(" items", class_name="sr-only"),
                variant="soft",
                size="2",
                custom_attrs=tid("minicart-button"),
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.heading("Your cart", size="3"),
                rx.cond(SessionState.on_behalf, lock_controls()),
                rx.cond(
                    (LiveCart.prepared_by != "") & ~SessionState.on_behalf & (LiveCart.count > 0),
                    rx.callout(
                        "Customer service (" + LiveCart.prepared_by + ") prepared this cart for you.",
                        icon="headset",
                        size="1",
                        custom_attrs=tid("minicart-prepared-notice"),
                    ),
                ),
                rx.cond(
                    LiveCart.moved & ~SessionState.signed_in,
                    rx.callout(
                        "Customer service moved your cart into a customer's account.",
                        icon="headset",
                        size="1",
                        custom_attrs=tid("minicart-moved-notice"),
                    ),
                ),
                rx.cond(
                    LiveCart.lines.length() > 0,
                    rx.vstack(
                        rx.foreach(LiveCart.lines, minicart_line),
                        spacing="3",
                        width="100%",
                        max_height=style.MINICART_HEIGHT,
                        overflow_y="auto",
                    ),
                    muted("Your cart is empty."),
                ),
                rx.divider(),
                amount_row("Subtotal", LiveCart.subtotal, weight="bold"),
                rx.link(rx.button("View cart", width="100%"), href="/cart", width="100%"),
                spacing="3",
                width=style.MINICART_WIDTH,
            ),
            align="end",
            aria_label="Mini-cart",
            custom_attrs=tid("minicart-panel"),
        ),
        open=CartState.panel_open,
        on_open_change=CartState.set_panel_open,
    )
