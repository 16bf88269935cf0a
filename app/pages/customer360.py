"""Customer 360: profile, cart and lock, orders, on-behalf sessions and CSR notes of one customer."""

import reflex as rx

from app.state.customer360 import Customer360State as C
from app.state.customer_service import CustomerServiceState as CS
from components import style
from components.sections import section_card, table_card, table_row
from components.shell import page
from components.ui import empty_state, field, form, loading, lock_icon, muted, tid

v = C.view


def header() -> rx.Component:
    p = v.profile
    return rx.hstack(
        rx.vstack(
            rx.link("← Customer Service", href="/customer-service", size="2"),
            rx.heading(p.name, size="6"),
            muted(p.customer_number, " · customer since ", p.since),
            spacing="1",
        ),
        rx.spacer(),
        rx.button(
            rx.icon("log-in", size=16),
            "Access account",
            on_click=CS.access(p.id),
            custom_attrs=tid("c360-access-account"),
        ),
        rx.button(
            rx.icon("shopping-cart", size=16),
            "View cart",
            variant="soft",
            on_click=CS.view_cart(p.id),
            custom_attrs=tid("c360-view-cart"),
        ),
        width="100%",
        align="end",
        wrap="wrap",
        spacing="3",
    )


def profile() -> rx.Component:
    p = v.profile
    return section_card(
        "Profile",
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label("Email"), rx.data_list.value(p.email)),
            rx.data_list.item(rx.data_list.label("Phone"), rx.data_list.value(p.phone)),
            rx.data_list.item(rx.data_list.label("Assistance"), rx.data_list.value(p.assistance)),
            size="2",
        ),
        rx.heading("Addresses", size="3", margin_top="0.5em"),
        rx.cond(
            v.addresses.length() > 0,
            rx.vstack(
                rx.foreach(
                    v.addresses,
                    lambda a: rx.box(
                        rx.text(a.summary, size="2"),
                        rx.hstack(
                            rx.cond(a.phone != "", muted(a.phone, size="1")),
                            rx.cond(a.defaults != "", rx.badge(a.defaults, size="1", variant="soft")),
                            spacing="2",
                        ),
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            muted("No saved addresses."),
        ),
    )


def cart_line(line: rx.Var) -> rx.Component:  # a Customer360State.view cart line
    return table_row(
        (line.name, " ", rx.text.span(line.options, color=style.MUTED)),
        line.quantity,
        line.total,
        attrs=tid("c360-cart-line", code=line.code),
    )


def cart() -> rx.Component:
    c = v.cart
    return table_card(
        "Current cart",
        ["Item", "Qty", "Total"],
        c.lines,
        cart_line,
        "The cart is empty.",
        rx.hstack(
            rx.badge(
                lock_icon(c.locked, 12),
                c.lock,
                color_scheme=rx.cond(c.locked, "amber", "gray"),
                custom_attrs=tid("c360-cart-lock"),
            ),
            muted(c.summary),
            spacing="3",
            align="center",
        ),
        size="1",
    )


def order_row(o: rx.Var) -> rx.Component:  # a Customer360State.view order
    return table_row(
        o.number,
        o.date,
        o.status,
        o.total,
        (
            muted(o.summary, size="1"),
            rx.cond(o.assisted, rx.badge("Customer service", size="1", color_scheme="amber")),
        ),
        attrs=tid("c360-order-row", order_number=o.number),
    )


def session_row(s: rx.Var) -> rx.Component:  # a Customer360State.view on-behalf session
    return table_row(s.csr, s.started, s.ended, s.outcome, attrs=tid("c360-session-row"))


def orders() -> rx.Component:
    headers = ["Order", "Date", "Status", "Total", ""]
    return table_card("Last orders", headers, v.orders, order_row, "No orders yet.", size="1")


def sessions() -> rx.Component:
    return table_card(
        "On-behalf sessions",
        ["CSR", "Started", "Ended", "How it ended"],
        v.sessions,
        session_row,
        "Customer service never shopped for this customer.",
        size="1",
    )


def notes() -> rx.Component:
    e = C.note_errors
    return section_card(
        "Notes",
        form(
            field(
                "New note (customer service only)",
                "body",
                e,
                testid="customer-note-input",
                control=rx.text_area,
                max_length=1000,
                rows="3",
            ),
            rx.hstack(
                rx.button("Save note", type="submit", custom_attrs=tid("customer-note-save")),
                muted("Notes cannot be changed or deleted.", size="1"),
                align="center",
                spacing="3",
            ),
            on_submit=C.add_note,
            width="100%",
        ),
        rx.foreach(
            v.notes,
            lambda n: rx.box(
                muted(n.author, " · ", n.at, size="1"),
                rx.text(n.body, size="2", white_space="pre-wrap"),
                border_top=f"1px solid {style.LINE}",
                padding_top="0.5em",
                width="100%",
                custom_attrs=tid("customer-note", note_id=n.id),
            ),
        ),
    )


@page("/customer-service/customer/[number]", "Customer 360 — Harbor & Pine", on_load=C.load)
def customer_360_page() -> rx.Component:
    return loading(
        ~C.loaded | ~C.allowed,
        rx.cond(
            C.found,
            rx.vstack(
                header(),
                rx.grid(
                    profile(),
                    cart(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                ),
                orders(),
                sessions(),
                notes(),
                spacing="4",
                width="100%",
                custom_attrs=tid("customer-360", customer_number=v.profile.customer_number),
            ),
            empty_state(
                "user-x",
                "Customer not found",
                "No customer has that number. Check the link, or find the customer by name.",
                "customer-360-not-found",
                rx.link("Find a customer", href="/customer-service"),
            ),
        ),
    )
