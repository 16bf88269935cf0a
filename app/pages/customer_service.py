import reflex as rx

from app.state.customer_service import CustomerServiceState as CS
from components.shell import page
from components.ui import empty_state, field, loading, tid

CRITERIA = [
    ("First name", "first_name", "find-first-name"),
    ("Last name", "last_name", "find-last-name"),
    ("Email", "email", "find-email"),
    ("Phone", "phone", "find-phone"),
    ("Customer number", "customer_number", "find-customer-number"),
    ("Postal code", "postal_code", "find-postal-code"),
]


def find_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Find customer", size="4"),
                rx.grid(
                    *[
                        field(
                            label,
                            name,
                            CS.errors,
                            testid=t,
                            max_length=60,
                            default_value=CS.criteria.get(name, ""),
                        )
                        for label, name, t in CRITERIA
                    ],
                    columns=rx.breakpoints(initial="1", sm="2", md="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    CS.errors.contains("form"),
                    rx.text(
                        CS.errors["form"], color="var(--red-11)", role="alert", custom_attrs=tid("find-error")
                    ),
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("search", size=16), "Find", type="submit", custom_attrs=tid("find-submit")
                    ),
                    rx.text(
                        "Names, email and phone match from the start; customer number exactly. At most 20 results.",
                        size="1",
                        color="var(--gray-11)",
                    ),
                    align="center",
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=CS.find,
            reset_on_submit=False,
            no_validate=True,
        ),
        width="100%",
    )


def customer_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["name"], weight="medium")),
        rx.table.cell(row["email"]),
        rx.table.cell(row["phone"]),
        rx.table.cell(row["city"]),
        rx.table.cell(row["customer_number"]),
        rx.table.cell(
            rx.badge(row["lock"], color_scheme=rx.cond(row["lock"] == "Unlocked", "gray", "amber"), size="1")
        ),
        rx.table.cell(
            rx.menu.root(
                rx.menu.trigger(
                    rx.button(
                        "Actions",
                        rx.icon("chevron-down", size=14),
                        variant="soft",
                        size="1",
                        custom_attrs=tid("customer-actions"),
                    )
                ),
                rx.menu.content(
                    rx.menu.item(
                        rx.icon("log-in", size=14),
                        "Access customer's account",
                        on_click=CS.access(row["id"]),
                        custom_attrs=tid("action-access-account"),
                    ),
                    rx.menu.item(
                        rx.icon("shopping-cart", size=14),
                        "View cart",
                        on_click=CS.view_cart(row["id"]),
                        custom_attrs=tid("action-view-cart"),
                    ),
                ),
            )
        ),
        custom_attrs={"data-testid": "customer-row", "data-customer-number": row["customer_number"]},
    )


def results() -> rx.Component:
    return rx.cond(
        CS.searched,
        rx.cond(
            CS.results.length() > 0,
            rx.vstack(
                rx.cond(
                    CS.more,
                    rx.callout(
                        "More than 20 customers match. Showing the first 20 — add criteria to refine the search.",
                        icon="info",
                        custom_attrs=tid("results-refine-message"),
                    ),
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ["Name", "Email", "Phone", "City", "Customer no.", "Cart", ""]
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(CS.results, customer_row)),
                    width="100%",
                    variant="surface",
                ),
                width="100%",
            ),
            empty_state(
                "user-x", "No customers match", "Check the spelling or try fewer criteria.", "results-empty"
            ),
        ),
    )


def recent_sessions() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your recent sessions", size="4"),
            rx.cond(
                CS.recent.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ["Customer", "Started", "Ended", "Outcome", ""]
                            ]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            CS.recent,
                            lambda s: rx.table.row(
                                rx.table.cell(
                                    s["customer"],
                                    " ",
                                    rx.text.span(s["customer_number"], color="var(--gray-11)", size="1"),
                                ),
                                rx.table.cell(s["started"]),
                                rx.table.cell(s["ended"]),
                                rx.table.cell(s["outcome"]),
                                rx.table.cell(
                                    rx.button(
                                        "Access again",
                                        size="1",
                                        variant="soft",
                                        on_click=CS.access(s["customer_id"]),
                                        custom_attrs=tid("recent-session-access"),
                                    )
                                ),
                                custom_attrs=tid("recent-session-row"),
                            ),
                        )
                    ),
                    width="100%",
                ),
                rx.text("No sessions yet today.", color="var(--gray-11)", size="2"),
            ),
            width="100%",
        ),
        width="100%",
    )


def locked_carts() -> rx.Component:
    """Supervisors: every live cart lock, with Release."""
    return rx.cond(
        CS.can_release,
        rx.card(
            rx.vstack(
                rx.heading("Locked carts", size="4"),
                rx.cond(
                    CS.locked_carts.length() > 0,
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in ["Customer", "Locked by", "Since", ""]
                                ]
                            )
                        ),
                        rx.table.body(
                            rx.foreach(
                                CS.locked_carts,
                                lambda c: rx.table.row(
                                    rx.table.cell(
                                        c["customer"],
                                        " ",
                                        rx.text.span(c["customer_number"], size="1", color="var(--gray-11)"),
                                    ),
                                    rx.table.cell(c["holder"]),
                                    rx.table.cell(c["since"]),
                                    rx.table.cell(
                                        rx.button(
                                            "Release",
                                            size="1",
                                            color_scheme="red",
                                            variant="soft",
                                            on_click=CS.release_lock(c["cart_id"]),
                                            custom_attrs=tid("release-lock"),
                                        )
                                    ),
                                    custom_attrs={
                                        "data-testid": "locked-cart-row",
                                        "data-customer-number": c["customer_number"],
                                    },
                                ),
                            )
                        ),
                        width="100%",
                    ),
                    rx.text("No carts are locked.", color="var(--gray-11)", size="2"),
                ),
                width="100%",
            ),
            width="100%",
        ),
    )


@page("/customer-service", "Customer Service — Harbor & Pine", on_load=CS.load)
def customer_service_page() -> rx.Component:
    return loading(
        ~CS.loaded,
        rx.cond(
            CS.allowed,
            rx.vstack(
                rx.heading("Customer Service", size="6"),
                find_form(),
                results(),
                recent_sessions(),
                locked_carts(),
                spacing="4",
                width="100%",
            ),
            empty_state(
                "shield-x",
                "Customer service only",
                "This page is for customer service representatives.",
                "access-denied",
                rx.link("Back to the shop", href="/"),
            ),
        ),
    )
