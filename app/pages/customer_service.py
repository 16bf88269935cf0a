import reflex as rx

from app.state.customer_service import CustomerServiceState as CS
from components import style
from components.sections import data_table, section_card, table_card, table_row
from components.shell import page
from components.ui import (
    dialog_actions,
    empty_state,
    error_callout,
    error_text,
    field,
    form,
    loading,
    muted,
    tid,
)

CRITERIA = [
    ("First name", "first_name", "find-first-name"),
    ("Last name", "last_name", "find-last-name"),
    ("Email", "email", "find-email"),
    ("Phone", "phone", "find-phone"),
    ("Customer number", "customer_number", "find-customer-number"),
    ("Postal code", "postal_code", "find-postal-code"),
    ("Order number", "order_number", "find-order-number"),
]


def find_form() -> rx.Component:
    return section_card(
        "Find customer",
        form(
            rx.grid(
                *[
                    field(
                        label,
                        name,
                        CS.errors,
                        testid=t,
                        max_length=60,
                        default_value=getattr(CS.criteria, name),
                        # Type-ahead: 300 ms after the last keystroke in this field.
                        on_change=CS.search_as_typed(name).debounce(300),
                    )
                    for label, name, t in CRITERIA
                ],
                columns=rx.breakpoints(initial="1", sm="2", md="3"),
                spacing="3",
                width="100%",
            ),
            error_text(CS.errors["form"], "find-error", shown=CS.errors.contains("form")),
            rx.hstack(
                rx.button(rx.icon("search", size=16), "Find", type="submit", custom_attrs=tid("find-submit")),
                muted(
                    "Searches as you type (3 characters). Names, email and phone (mobile, home or work) match "
                    "from the start; customer and order number exactly. At most 20 results.",
                    size="1",
                ),
                align="center",
                spacing="3",
            ),
            on_submit=CS.find,
            width="100%",
        ),
        spacing="3",
    )


def customer_row(row: rx.Var) -> rx.Component:  # a CustomerServiceState.results row (CustomerRow)
    return rx.table.row(
        rx.table.cell(rx.text(row.name, weight="medium")),
        rx.table.cell(row.email),
        rx.table.cell(row.phone),
        rx.table.cell(row.city),
        rx.table.cell(row.customer_number),
        rx.table.cell(
            rx.badge(row.lock, color_scheme=rx.cond(row.lock == "Unlocked", "gray", "amber"), size="1")
        ),
        rx.table.cell(
            rx.hstack(
                # A link, so a CSR can open it in a new tab or copy it: the 360 page is a deep link.
                rx.button(
                    rx.link(
                        rx.icon("id-card", size=14),
                        "360",
                        href="/customer-service/customer/" + row.customer_number,
                        aria_label="Customer 360 of " + row.name,
                        underline="none",
                        custom_attrs=tid("action-view-360"),
                    ),
                    as_child=True,
                    variant="outline",
                    size="1",
                ),
                actions_menu(row),
                spacing="2",
            )
        ),
        custom_attrs={"data-testid": "customer-row", "data-customer-number": row.customer_number},
    )


def actions_menu(row: rx.Var) -> rx.Component:
    return rx.menu.root(
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
                on_click=CS.access(row.id),
                custom_attrs=tid("action-access-account"),
            ),
            rx.menu.item(
                rx.icon("shopping-cart", size=14),
                "View cart",
                on_click=CS.view_cart(row.id),
                custom_attrs=tid("action-view-cart"),
            ),
        ),
    )


def results() -> rx.Component:
    return rx.cond(
        CS.searched,
        rx.vstack(
            rx.cond(
                CS.more,
                rx.callout(
                    "More than 20 customers match. Showing the first 20 — add criteria to refine the search.",
                    icon="info",
                    custom_attrs=tid("results-refine-message"),
                ),
            ),
            data_table(
                ["Name", "Email", "Phone", "City", "Customer no.", "Cart", ""],
                CS.results,
                customer_row,
                empty_state(
                    "user-x",
                    "No customers match",
                    "Check the spelling or try fewer criteria.",
                    "results-empty",
                ),
                variant="surface",
            ),
            width="100%",
        ),
    )


def recent_session_row(s: rx.Var) -> rx.Component:  # a CustomerServiceState.recent row
    return table_row(
        (s.customer, " ", muted(s.customer_number, size="1", as_="span")),
        s.started,
        s.ended,
        s.outcome,
        rx.button(
            "Access again",
            size="1",
            variant="soft",
            on_click=CS.access(s.customer_id),
            custom_attrs=tid("recent-session-access"),
        ),
        attrs=tid("recent-session-row"),
    )


def recent_sessions() -> rx.Component:
    return table_card(
        "Your recent sessions",
        ["Customer", "Started", "Ended", "Outcome", ""],
        CS.recent,
        recent_session_row,
        "No sessions yet today.",
    )


def locked_cart_row(c: rx.Var) -> rx.Component:  # a CustomerServiceState.locked_carts row
    return table_row(
        (c.customer, " ", muted(c.customer_number, size="1", as_="span")),
        c.holder,
        c.since,
        rx.button(
            "Release",
            size="1",
            color_scheme="red",
            variant="soft",
            on_click=CS.release_lock(c.cart_id),
            custom_attrs=tid("release-lock"),
        ),
        attrs={"data-testid": "locked-cart-row", "data-customer-number": c.customer_number},
    )


def locked_carts() -> rx.Component:
    """Supervisors: every live cart lock, with Release."""
    return rx.cond(
        CS.can_release,
        table_card(
            "Locked carts",
            ["Customer", "Locked by", "Since", ""],
            CS.locked_carts,
            locked_cart_row,
            "No carts are locked.",
        ),
    )


def create_customer_dialog() -> rx.Component:
    """docs/PRODUCT.md §Find customer: the caller has no account; create it and shop on their behalf at
    once."""
    e = CS.create_errors
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("user-plus", size=16),
                "Create customer",
                variant="outline",
                custom_attrs=tid("create-customer-open"),
            )
        ),
        rx.dialog.content(
            rx.dialog.title("Create a customer"),
            rx.dialog.description(
                "For a caller without an account. You will be shopping on their behalf right after.", size="2"
            ),
            form(
                rx.hstack(
                    field("First name", "first_name", e, testid="create-first-name", max_length=60),
                    field("Last name", "last_name", e, testid="create-last-name", max_length=60),
                    width="100%",
                ),
                field("Email", "email", e, testid="create-email", max_length=254),
                rx.hstack(
                    field("Mobile phone", "phone", e, testid="create-phone", max_length=30),
                    field("Home phone", "phone_home", e, testid="create-phone-home", max_length=30),
                    field("Work phone", "phone_work", e, testid="create-phone-work", max_length=30),
                    width="100%",
                ),
                muted("At least one phone number.", size="1"),
                field("Address", "line1", e, testid="create-address-line1"),
                field("Address line 2 (optional)", "line2", e, testid="create-address-line2"),
                rx.hstack(
                    field("City", "city", e, testid="create-city", max_length=80),
                    field("Postal code", "postal_code", e, testid="create-postal-code", max_length=20),
                    field("Country", "country", e, testid="create-country", default_value="US", max_length=2),
                    width="100%",
                ),
                muted("This address becomes the default shipping and billing address.", size="1"),
                rx.cond(
                    e.length() > 0,
                    error_callout(
                        rx.cond(e.contains("form"), e["form"], "Please correct the highlighted fields."),
                        "create-error",
                    ),
                ),
                dialog_actions("Create and shop for them", "create-submit"),
                on_submit=CS.create_customer,
            ),
            max_width=style.TEXT_WIDTH,
        ),
        # Open or closed is the browser's: the dialog does not outlive the page (success leaves the page).
        on_open_change=CS.clear_create_errors,
    )


def access_code_dialog() -> rx.Component:
    """ASSISTANCE_VERIFY=code: Access asks for the code the customer reads from My Account (or was mailed).
    Opened by the server once every other refusal (consent first) was checked."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Ask ", CS.code_customer, " for their code"),
            rx.dialog.description(
                "The customer sees a 6-digit code in My Account (valid 10 minutes, used once). "
                "Or email them a new one.",
                size="2",
            ),
            form(
                rx.input(
                    name="code",
                    placeholder="6-digit code",
                    max_length=6,
                    input_mode="numeric",
                    auto_complete="off",
                    auto_focus=True,
                    width="100%",
                    custom_attrs=tid("access-code-input"),
                ),
                error_text(CS.code_error, "access-code-error", size="2"),
                dialog_actions(
                    "Access account",
                    "access-code-submit",
                    rx.button(
                        rx.icon("mail", size=16),
                        "Email a code",
                        type="button",
                        variant="soft",
                        on_click=CS.send_code,
                        custom_attrs=tid("access-code-send"),
                    ),
                ),
                on_submit=CS.submit_code,
                reset_on_submit=True,
            ),
            max_width=style.FORM_WIDE,
        ),
        open=CS.code_customer_id != 0,
        on_open_change=CS.code_dialog_changed,
    )


@page("/customer-service", "Customer Service — Harbor & Pine", on_load=CS.load)
def customer_service_page() -> rx.Component:
    return loading(
        ~CS.loaded,
        rx.cond(
            CS.allowed,
            rx.vstack(
                rx.hstack(
                    rx.heading("Customer Service", size="6"),
                    rx.spacer(),
                    create_customer_dialog(),
                    width="100%",
                    align="center",
                ),
                find_form(),
                results(),
                recent_sessions(),
                locked_carts(),
                access_code_dialog(),
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
