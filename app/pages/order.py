import reflex as rx

from app.state.account import OrderState
from components import style
from components.sections import amount_row, reduction_row, table, table_row
from components.shell import page
from components.ui import confirm_dialog, empty_state, loading, muted, tid


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
            rx.cond(p.refunded, muted("Payment refunded")),
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
        reduction_row(
            "Shipping adjusted",
            o.shipping_adjustment_reason,
            o.shipping_adjustment,
            "order-shipping-adjustment",
        ),
        reduction_row(
            "Order adjusted", o.order_adjustment_reason, o.order_adjustment, "order-order-adjustment"
        ),
    )


def order_line(line: rx.Var) -> rx.Component:  # an OrderState.order line
    return table_row(
        (
            line.name,
            " ",
            rx.text.span(line.options, color=style.MUTED),
            rx.cond(
                line.adjustment != "",
                rx.text(
                    "Price adjusted −",
                    line.adjustment,
                    ": ",
                    line.adjustment_reason,
                    size="1",
                    color=style.WARNING,
                ),
            ),
            muted(
                line.fulfilment,
                size="1",
                custom_attrs={"data-testid": "order-line-fulfilment", "data-code": line.code},
            ),
            line_gift_message(line),
        ),
        line.quantity,
        line.unit_price,
        line.line_total,
    )


def totals(o: rx.Var) -> rx.Component:
    return rx.vstack(
        amount_row("Subtotal", o.subtotal),
        rx.cond(o.has_discount, amount_row("Promotions", ("−", o.discount))),
        rx.cond(o.has_adjustment, amount_row("Price adjustments", ("−", o.adjustment))),
        rx.cond(
            o.has_coupon,
            amount_row(("Coupon ", o.coupon_code), ("−", o.coupon_discount), testid="order-coupon-discount"),
        ),
        amount_row(("Shipping (", o.shipping_method, ")"), o.shipping),
        adjustment_rows(o),
        amount_row("Total", o.total, strong=True, testid="order-total"),
        width=["100%", style.SUMMARY_WIDE],
        align_self="end",
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
                table(["Item", "Qty", "Price", "Total"], o.lines, order_line),
                totals(o),
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
