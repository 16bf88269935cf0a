"""The header: store name, search, Customer Service tab, mini-cart and who is signed in.

While a CSR shops on behalf, a coloured band shows both names: the CSR's own (with the menu to end
the session) and "shopping for <customer>" — never just the customer's name (docs/PRODUCT.md §Pages).
"""

import reflex as rx

from app.state.cart import LOCK_LOST, SESSION_ENDED, LiveCart
from app.state.catalog import CatalogState
from app.state.session import SessionState
from components import style
from components.minicart import minicart
from components.ui import ACCENT_ON_BEHALF, confirm_dialog, tid


def search_box() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="q",
                placeholder="Search products",
                default_value=CatalogState.keyword,
                max_length=100,
                aria_label="Search products",
                custom_attrs=tid("search-input"),
                width="100%",
            ),
            rx.icon_button(rx.icon("search", size=16), type="submit", aria_label="Search", variant="soft"),
            spacing="1",
            width="100%",
        ),
        on_submit=CatalogState.search,
        width="100%",
        max_width=style.FORM_WIDTH,
    )


def end_session_dialog() -> rx.Component:
    return confirm_dialog(
        rx.button(
            rx.icon("headset", size=16),
            "Customer Service",
            variant="outline",
            size="2",
            custom_attrs=tid("nav-customer-service"),
        ),
        title="End the session?",
        description="You are shopping for "
        + SessionState.customer_name
        + ". Going to Customer Service ends this session and signs you in as yourself.",
        confirm="End session",
        on_confirm=SessionState.end_session_from_tab,
        color="red",
        cancel="Keep shopping for customer",
        testid="end-session-dialog",
        confirm_testid="end-session-confirm",
        cancel_testid="end-session-cancel",
    )


def customer_service_tab() -> rx.Component:
    return rx.cond(
        SessionState.is_staff,
        rx.cond(
            SessionState.on_behalf,
            end_session_dialog(),
            rx.link(
                rx.button(rx.icon("headset", size=16), "Customer Service", variant="outline", size="2"),
                href="/customer-service",
                custom_attrs=tid("nav-customer-service"),
            ),
        ),
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("circle-user", size=16),
                SessionState.first_name,
                rx.icon("chevron-down", size=14),
                variant="ghost",
                size="2",
                custom_attrs=tid("header-user-menu"),
            )
        ),
        rx.menu.content(
            rx.cond(~SessionState.is_staff, rx.menu.item("My Account", on_click=rx.redirect("/account"))),
            rx.cond(
                SessionState.is_staff,
                rx.menu.item("Customer Service", on_click=rx.redirect("/customer-service")),
            ),
            rx.cond(
                SessionState.can_audit,
                rx.menu.item("Audit log", on_click=rx.redirect("/customer-service/audit")),
            ),
            rx.menu.separator(),
            rx.menu.item("Sign out", on_click=SessionState.sign_out, custom_attrs=tid("menu-sign-out")),
        ),
    )


def on_behalf_band() -> rx.Component:
    """The dual-name panel."""
    return rx.hstack(
        rx.icon("headset", size=18),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    SessionState.user_name,
                    rx.icon("chevron-down", size=14),
                    variant="solid",
                    color_scheme="amber",
                    size="1",
                    custom_attrs=tid("header-csr-name"),
                )
            ),
            rx.menu.content(
                rx.menu.item(
                    "Sign in as yourself",
                    on_click=SessionState.sign_in_as_yourself,
                    custom_attrs=tid("menu-sign-in-as-yourself"),
                ),
                rx.menu.item("Sign out", on_click=SessionState.sign_out, custom_attrs=tid("menu-sign-out")),
            ),
        ),
        rx.text("shopping for", size="2"),
        rx.text(
            SessionState.customer_name, weight="bold", size="2", custom_attrs=tid("header-customer-name")
        ),
        rx.cond(
            LOCK_LOST,
            rx.hstack(
                rx.icon("triangle-alert", size=16),
                rx.text("Your lock was taken over by " + LiveCart.lock_holder + ".", size="2", weight="bold"),
                rx.text("The cart is read-only for you now.", size="2"),
                custom_attrs=tid("lock-lost-notice"),
                role="alert",
                align="center",
                spacing="1",
                padding="0.1em 0.6em",
                border_radius=style.RADIUS_SMALL,
                background=style.DANGER_SOLID,
            ),
        ),
        # The session ended elsewhere (another tab or browser, the idle timeout): find out and leave. The
        # cart says so to every tab of the session; an event of this tab may find it over first (header()).
        rx.cond(SESSION_ENDED, rx.el.span(hidden=True, on_mount=SessionState.on_behalf_ended)),
        rx.cond(
            SessionState.idle_warning,
            rx.hstack(
                rx.text("This session ends in under a minute for inactivity.", size="2", weight="bold"),
                rx.button("Stay", size="1", variant="surface", on_click=SessionState.keep_alive),
                custom_attrs=tid("session-idle-warning"),
                role="alert",
                align="center",
            ),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
        padding="0.4em 1.25em",
        background=ACCENT_ON_BEHALF,
        color="white",
        width="100%",
        custom_attrs=tid("on-behalf-band"),
    )


def header() -> rx.Component:
    return rx.box(
        rx.cond(SessionState.on_behalf, on_behalf_band()),
        # The person behind the tab changed elsewhere (another tab went on behalf, or signed out): show the page
        # to whoever it is now (app/state/guard.py; the end of this tab's on-behalf session is the band's).
        rx.cond(SessionState.changed_unsaid, rx.el.span(hidden=True, on_mount=SessionState.person_changed)),
        # An event of this tab found its on-behalf session over before the cart's notice came: the same event
        # showed the CSR as themself, so the band is gone already, and this asks on_behalf_ended why.
        rx.cond(SessionState.ended_unsaid, rx.el.span(hidden=True, on_mount=SessionState.on_behalf_ended)),
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.image(src="/favicon.svg", width=style.LOGO, height=style.LOGO, alt=""),
                    rx.heading("Harbor & Pine", size="5"),
                    align="center",
                    spacing="2",
                ),
                href="/",
                underline="none",
                color=style.TEXT,
                aria_label="Harbor & Pine home",
            ),
            rx.box(
                search_box(), flex="1", display="flex", justify_content="center", min_width=style.SEARCH_MIN
            ),
            customer_service_tab(),
            minicart(),
            rx.cond(
                SessionState.signed_in,
                rx.cond(SessionState.on_behalf, rx.fragment(), user_menu()),
                rx.link(
                    rx.button("Sign In / Register", size="2"),
                    href="/login",
                    custom_attrs=tid("header-signin"),
                ),
            ),
            spacing="4",
            align="center",
            wrap="wrap",
            padding="0.75em 1.25em",
            width="100%",
        ),
        border_bottom=rx.cond(
            SessionState.on_behalf, f"3px solid {ACCENT_ON_BEHALF}", f"1px solid {style.HEADER_RULE}"
        ),
        background=style.PANEL,
        position="sticky",
        top="0",
        z_index="50",
        width="100%",
    )
