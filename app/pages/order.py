import reflex as rx

from app.state.account import OrderState
from components import style
from components.shell import page
from components.ui import confirm_dialog, empty_state, loading, tid


def status_panel() -> rx.Component:
    """Status, the dated history, and what the caller may do: cancel, reorder, (supervisor) move it along."""
    p = OrderState.progress
    return rx.vstack(
        rx.hstack(
            rx.text("Status:", weight="medium"),
            rx.badge(
                p.status_label,
                color_scheme=rx.match(
                    p.status, ("cancelled", "red"), ("completed", "green"), ("shipped", "blue"), "gray"
                ),
                size="2",
                custom_attrs=tid("order-status", status=p.status),
            ),
            rx.cond(p.refunded, rx.text("Payment refunded", size="2", color=style.MUTED)),
            align="center",
            spacing="2",
        ),
        rx.el.ol(
            rx.foreach(
                p.history,
                lambda step: rx.el.li(
                    rx.text(
                        step.at,
                        " — ",
                        step.label,
                        rx.cond(step.who != "", rx.text.span(" (", step.who, ")")),
                        size="2",
                        color=style.MUTED,
                    ),
                    custom_attrs=tid("order-history-row", status=step.status),
                ),
            ),
            aria_label="Order history",
            style={"listStyle": "none", "padding": 0, "margin": 0},
        ),
        rx.hstack(
            rx.cond(
                p.can_cancel,
                confirm_dialog(
                    rx.button(
                        "Cancel order", variant="soft", color_scheme="red", custom_attrs=tid("order-cancel")
                    ),
                    title="Cancel this order?",
                    description="The order is cancelled and the payment refunded. This cannot be undone.",
                    confirm="Cancel order",
                    cancel="Keep order",
                    on_confirm=OrderState.cancel(p.number),
                    color="red",
                    confirm_testid="order-cancel-confirm",
                ),
            ),
            rx.button(
                rx.icon("rotate-ccw", size=16),
                "Order again",
                variant="soft",
                on_click=OrderState.reorder(p.number),
                custom_attrs=tid("order-reorder"),
            ),
            rx.foreach(
                p.moves,
                lambda move: rx.button(
                    move.label,
                    variant="outline",
                    on_click=OrderState.advance(p.number, move.status),
                    custom_attrs=tid("order-advance", status=move.status),
                ),
            ),
            spacing="3",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def line_gift_message(line: rx.Var) -> rx.Component:
    """The line's own gift message, when it has one."""
    return rx.cond(
        line.gift_message != "",
        rx.text(
            "Gift message: ",
            line.gift_message,
            size="1",
            custom_attrs={"data-testid": "order-line-gift-message", "data-code": line.code},
        ),
    )


def adjustment_rows(o: rx.Var) -> rx.Component:
    """Customer service's reductions of the shipping and of the order total, with their reasons."""
    return rx.fragment(
        rx.cond(
            o.shipping_adjustment != "",
            rx.hstack(
                rx.text("Shipping adjusted (", o.shipping_adjustment_reason, ")"),
                rx.spacer(),
                rx.text("−", o.shipping_adjustment, custom_attrs=tid("order-shipping-adjustment")),
                width="100%",
            ),
        ),
        rx.cond(
            o.order_adjustment != "",
            rx.hstack(
                rx.text("Order adjusted (", o.order_adjustment_reason, ")"),
                rx.spacer(),
                rx.text("−", o.order_adjustment, custom_attrs=tid("order-order-adjustment")),
                width="100%",
            ),
        ),
    )


def alt_contact(o: rx.Var) -> rx.Component:
    return rx.cond(
        o.alt_contact != "",
        rx.text("Also picked up by: ", o.alt_contact, custom_attrs=tid("order-alt-contact")),
    )


@page("/order/[number]", "Order — Harbor & Pine", on_load=OrderState.load)
def order_page() -> rx.Component:
    o = OrderState.order
    return loading(
        ~OrderState.loaded,
        rx.cond(
            OrderState.found,
            rx.vstack(
                rx.cond(
                    OrderState.thanks,
                    rx.callout(
                        "Thank you! Your order is placed.",
                        icon="circle-check",
                        color_scheme="green",
                        high_contrast=True,
                        custom_attrs=tid("order-thanks"),
                    ),
                ),
                rx.heading("Order ", rx.text.span(o.number, custom_attrs=tid("order-number")), size="6"),
                rx.text("Placed ", o.date, color=style.MUTED),
                rx.cond(o.assisted, rx.badge("Placed with help from customer service", color_scheme="amber")),
                status_panel(),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h) for h in ["Item", "Qty", "Price", "Total"]]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            o.lines,
                            lambda l: rx.table.row(
                                rx.table.cell(
                                    l.name,
                                    " ",
                                    rx.text.span(l.options, color=style.MUTED),
                                    rx.cond(
                                        l.adjustment != "",
                                        rx.text(
                                            "Price adjusted −",
                                            l.adjustment,
                                            ": ",
                                            l.adjustment_reason,
                                            size="1",
                                            color=style.WARNING,
                                        ),
                                    ),
                                    rx.text(
                                        l.fulfilment,
                                        size="1",
                                        color=style.MUTED,
                                        custom_attrs={
                                            "data-testid": "order-line-fulfilment",
                                            "data-code": l.code,
                                        },
                                    ),
                                    line_gift_message(l),
                                ),
                                rx.table.cell(l.quantity),
                                rx.table.cell(l.unit_price),
                                rx.table.cell(l.line_total),
                            ),
                        )
                    ),
                    width="100%",
                ),
                rx.vstack(
                    rx.hstack(rx.text("Subtotal"), rx.spacer(), rx.text(o.subtotal), width="100%"),
                    rx.cond(
                        o.has_discount,
                        rx.hstack(rx.text("Promotions"), rx.spacer(), rx.text("−", o.discount), width="100%"),
                    ),
                    rx.cond(
                        o.has_adjustment,
                        rx.hstack(
                            rx.text("Price adjustments"),
                            rx.spacer(),
                            rx.text("−", o.adjustment),
                            width="100%",
                        ),
                    ),
                    rx.cond(
                        o.has_coupon,
                        rx.hstack(
                            rx.text("Coupon ", o.coupon_code),
                            rx.spacer(),
                            rx.text("−", o.coupon_discount, custom_attrs=tid("order-coupon-discount")),
                            width="100%",
                        ),
                    ),
                    rx.hstack(
                        rx.text("Shipping (", o.shipping_method, ")"),
                        rx.spacer(),
                        rx.text(o.shipping),
                        width="100%",
                    ),
                    adjustment_rows(o),
                    rx.hstack(
                        rx.text("Total", weight="bold"),
                        rx.spacer(),
                        rx.text(o.total, weight="bold", custom_attrs=tid("order-total")),
                        width="100%",
                    ),
                    width=["100%", "360px"],
                    align_self="end",
                ),
                rx.cond(o.ships, rx.text("Ship to: ", o.address)),
                alt_contact(o),
                rx.text("Paid with ", o.payment),
                rx.cond(
                    o.gift_message != "",
                    rx.text("Gift message: ", o.gift_message, custom_attrs=tid("order-gift-message")),
                ),
                rx.cond(
                    o.order_note != "",
                    rx.text("Order note: ", o.order_note, custom_attrs=tid("order-note")),
                ),
                rx.link("Continue shopping", href="/"),
                spacing="3",
                width="100%",
            ),
            empty_state(
                "file-x", "Order not found", "We could not find that order in your account.", "not-found"
            ),
        ),
    )
