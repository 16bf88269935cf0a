"""Customer 360: profile, cart and lock, orders, on-behalf sessions and CSR notes of one customer."""

import reflex as rx

from app.state.customer360 import Customer360State as C
from app.state.customer_service import CustomerServiceState as CS
from components import style
from components.shell import page
from components.ui import empty_state, loading, tid

v = C.view


def _table(headers: list[str], rows: rx.Var, row, empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, row)),
            width="100%",
            size="1",
        ),
        rx.text(empty, color=style.MUTED, size="2"),
    )


def _card(title: str, *children, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, width="100%"), width="100%", **props)


def header() -> rx.Component:
    p = v.profile
    return rx.hstack(
        rx.vstack(
            rx.link("← Customer Service", href="/customer-service", size="2"),
            rx.heading(p.name, size="6"),
            rx.text(p.customer_number, " · customer since ", p.since, color=style.MUTED, size="2"),
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
    return _card(
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
                            rx.cond(a.phone != "", rx.text(a.phone, size="1", color=style.MUTED)),
                            rx.cond(a.defaults != "", rx.badge(a.defaults, size="1", variant="soft")),
                            spacing="2",
                        ),
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            rx.text("No saved addresses.", color=style.MUTED, size="2"),
        ),
    )


def cart() -> rx.Component:
    c = v.cart
    return _card(
        "Current cart",
        rx.hstack(
            rx.badge(
                rx.icon(rx.cond(c.locked, "lock", "lock-open"), size=12),
                c.lock,
                color_scheme=rx.cond(c.locked, "amber", "gray"),
                custom_attrs=tid("c360-cart-lock"),
            ),
            rx.text(c.summary, size="2", color=style.MUTED),
            spacing="3",
            align="center",
        ),
        _table(
            ["Item", "Qty", "Total"],
            c.lines,
            lambda line: rx.table.row(
                rx.table.cell(line.name, " ", rx.text.span(line.options, color=style.MUTED)),
                rx.table.cell(line.quantity),
                rx.table.cell(line.total),
                custom_attrs=tid("c360-cart-line", code=line.code),
            ),
            "The cart is empty.",
        ),
    )


def orders() -> rx.Component:
    return _card(
        "Last orders",
        _table(
            ["Order", "Date", "Status", "Total", ""],
            v.orders,
            lambda o: rx.table.row(
                rx.table.cell(o.number),
                rx.table.cell(o.date),
                rx.table.cell(o.status),
                rx.table.cell(o.total),
                rx.table.cell(
                    rx.text(o.summary, size="1", color=style.MUTED),
                    rx.cond(o.assisted, rx.badge("Customer service", size="1", color_scheme="amber")),
                ),
                custom_attrs=tid("c360-order-row", order_number=o.number),
            ),
            "No orders yet.",
        ),
    )


def sessions() -> rx.Component:
    return _card(
        "On-behalf sessions",
        _table(
            ["CSR", "Started", "Ended", "How it ended"],
            v.sessions,
            lambda s: rx.table.row(
                rx.table.cell(s.csr),
                rx.table.cell(s.started),
                rx.table.cell(s.ended),
                rx.table.cell(s.outcome),
                custom_attrs=tid("c360-session-row"),
            ),
            "Customer service never shopped for this customer.",
        ),
    )


def notes() -> rx.Component:
    e = C.note_errors
    return _card(
        "Notes",
        rx.form(
            rx.vstack(
                rx.el.label(
                    "New note (customer service only)",
                    html_for="customer-note-input",
                    class_name="field-label",
                ),
                rx.text_area(
                    id="customer-note-input",
                    name="body",
                    max_length=1000,
                    rows="3",
                    width="100%",
                    custom_attrs={
                        **tid("customer-note-input"),
                        "aria-invalid": e.contains("body").to_string(),
                    },
                ),
                rx.cond(
                    e.contains("body"),
                    rx.text(
                        e["body"],
                        color=style.DANGER,
                        size="1",
                        role="alert",
                        custom_attrs=tid("error-body"),
                    ),
                ),
                rx.hstack(
                    rx.button("Save note", type="submit", custom_attrs=tid("customer-note-save")),
                    rx.text("Notes cannot be changed or deleted.", size="1", color=style.MUTED),
                    align="center",
                    spacing="3",
                ),
                width="100%",
            ),
            on_submit=C.add_note,
            reset_on_submit=False,
            no_validate=True,
            width="100%",
        ),
        rx.foreach(
            v.notes,
            lambda n: rx.box(
                rx.text(n.author, " · ", n.at, size="1", color=style.MUTED),
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
