import reflex as rx

from app.state.account import OrderState
from components.shell import page
from components.ui import empty_state, loading, tid


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
                rx.callout(
                    "Thank you! Your order is placed.",
                    icon="circle-check",
                    color_scheme="green",
                    high_contrast=True,
                ),
                rx.heading("Order ", rx.text.span(o.number, custom_attrs=tid("order-number")), size="6"),
                rx.text("Placed ", o.date, color="var(--gray-11)"),
                rx.cond(o.assisted, rx.badge("Placed with help from customer service", color_scheme="amber")),
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
                                    rx.text.span(l.options, color="var(--gray-11)"),
                                    rx.cond(
                                        l.adjustment != "",
                                        rx.text(
                                            "Price adjusted −",
                                            l.adjustment,
                                            ": ",
                                            l.adjustment_reason,
                                            size="1",
                                            color="var(--amber-11)",
                                        ),
                                    ),
                                    rx.text(
                                        l.fulfilment,
                                        size="1",
                                        color="var(--gray-11)",
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
