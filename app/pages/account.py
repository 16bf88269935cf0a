import reflex as rx

from app.state.account import AccountState
from app.state.session import SessionState
from components import style
from components.sections import section_card, table_card, table_row
from components.shell import page
from components.ui import address_fields, confirm_dialog, field, form, loading, muted, tid


def profile_card() -> rx.Component:
    p, e = AccountState.profile, AccountState.profile_errors
    return section_card(
        "Profile",
        form(
            rx.hstack(
                field(
                    "First name",
                    "first_name",
                    e,
                    testid="profile-first-name",
                    default_value=p.first_name,
                    max_length=60,
                ),
                field(
                    "Last name",
                    "last_name",
                    e,
                    testid="profile-last-name",
                    default_value=p.last_name,
                    max_length=60,
                ),
                width="100%",
            ),
            field(
                "Email",
                "email",
                e,
                testid="profile-email",
                type="email",
                default_value=p.email,
                max_length=254,
                # Only the customer changes their email, confirming it from the new address
                # (docs/SECURITY.md §Price adjustments and email changes).
                read_only=SessionState.on_behalf,
            ),
            rx.cond(
                SessionState.on_behalf,
                muted(
                    "Only the customer can change their email address, in their own My Account.",
                    size="1",
                    custom_attrs=tid("profile-email-readonly"),
                ),
            ),
            rx.cond(
                p.pending_email != "",
                rx.text(
                    "Waiting for confirmation: ",
                    rx.text.span(p.pending_email, weight="medium"),
                    " becomes the email address once the link mailed to it is opened.",
                    size="1",
                    color=style.WARNING,
                    custom_attrs=tid("profile-email-pending"),
                ),
            ),
            rx.grid(
                field(
                    "Mobile phone",
                    "phone",
                    e,
                    testid="profile-phone",
                    default_value=p.phone,
                    max_length=30,
                ),
                field(
                    "Home phone",
                    "phone_home",
                    e,
                    testid="profile-phone-home",
                    default_value=p.phone_home,
                    max_length=30,
                ),
                field(
                    "Work phone",
                    "phone_work",
                    e,
                    testid="profile-phone-work",
                    default_value=p.phone_work,
                    max_length=30,
                ),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            rx.button("Save profile", type="submit", custom_attrs=tid("profile-save")),
            on_submit=AccountState.save_profile,
            key=p.email + p.first_name + p.last_name + p.phone + p.phone_home + p.phone_work,
            width="100%",
        ),
        action=rx.badge("Customer ", p.customer_number, variant="soft"),
        spacing="3",
    )


def address_row(a: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(a.summary, size="2"),
            rx.hstack(
                rx.cond(a.is_default_shipping, rx.badge("Default shipping", size="1")),
                rx.cond(a.is_default_billing, rx.badge("Default billing", size="1", color_scheme="gray")),
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(rx.icon("ellipsis", size=16), variant="ghost", aria_label="Address actions")
            ),
            rx.menu.content(
                rx.menu.item("Use for shipping", on_click=AccountState.set_default(a.id, "shipping")),
                rx.menu.item("Use for billing", on_click=AccountState.set_default(a.id, "billing")),
                rx.menu.item("Remove", color="red", on_click=AccountState.delete_address(a.id)),
            ),
        ),
        width="100%",
        padding_y="0.5em",
        border_bottom=f"1px solid {style.LINE}",
        custom_attrs=tid("address-row"),
    )


def address_card() -> rx.Component:
    e = AccountState.address_errors
    return section_card(
        "Addresses",
        rx.cond(
            AccountState.addresses.length() > 0,
            rx.vstack(rx.foreach(AccountState.addresses, address_row), width="100%", spacing="0"),
            muted("No saved addresses yet."),
        ),
        rx.cond(
            AccountState.address_form_open,
            form(
                address_fields(e, with_phone=True),
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(name="default_shipping"),
                        rx.text("Make this my default shipping address", size="2"),
                    )
                ),
                rx.button("Save address", type="submit", custom_attrs=tid("address-save")),
                on_submit=AccountState.add_address,
            ),
        ),
        action=rx.button(
            rx.cond(AccountState.address_form_open, "Cancel", "Add address"),
            variant="soft",
            size="1",
            on_click=AccountState.toggle_address_form,
            custom_attrs=tid("address-add-open"),
        ),
        spacing="3",
    )


def order_row(o: rx.Var) -> rx.Component:  # an AccountState.orders row
    return table_row(
        rx.link(o.number, href="/order/" + o.number),
        o.date,
        o.status_label,
        o.total,
        muted(o.summary, custom_attrs=tid("account-order-summary")),
        rx.cond(
            o.assisted,
            rx.badge(
                "Placed with help from customer service",
                color_scheme="amber",
                size="1",
                custom_attrs=tid("order-assisted"),
            ),
        ),
        attrs={"data-testid": "account-order-row", "data-order-number": o.number, "data-status": o.status},
    )


def orders_card() -> rx.Component:
    return table_card(
        "Order history",
        ["Order", "Date", "Status", "Total", "Details", ""],
        AccountState.orders,
        order_row,
        muted("No orders yet.", custom_attrs=tid("orders-empty")),
    )


def consent_card() -> rx.Component:
    return section_card(
        "Assistance",
        rx.cond(
            AccountState.consent_policy == "always",
            rx.text(
                "Customer service may help with your account and cart whenever you ask; everything they do "
                "is listed below.",
                size="2",
            ),
            rx.el.label(
                rx.hstack(
                    rx.switch(
                        checked=AccountState.allow_assistance,
                        on_change=AccountState.set_assistance,
                        disabled=SessionState.on_behalf,
                        custom_attrs=tid("consent-switch"),
                    ),
                    rx.text("Allow customer service to shop on my behalf", size="2"),
                    align="center",
                )
            ),
        ),
        rx.cond(
            (AccountState.consent_policy == "opt-in") & ~AccountState.allow_assistance,
            muted("Customer service can open your account only after you switch this on.", size="1"),
        ),
        rx.cond(
            SessionState.on_behalf & (AccountState.consent_policy != "always"),
            muted("Only the customer can change this setting.", size="1"),
        ),
    )


def assist_code_card() -> rx.Component:
    """ASSISTANCE_VERIFY=code, the customer's own page: the code to give customer service. A small tick from
    the page (only while it is open) shows a new code once this one was used or expired."""
    return rx.cond(
        AccountState.shows_assist_code & ~SessionState.on_behalf,
        section_card(
            "Code for customer service",
            muted(
                "Customer service asks for this code before opening your account. Give it only to someone "
                "helping you right now."
            ),
            rx.text(
                rx.cond(AccountState.assist_code_replaced, "······", AccountState.assist_code),
                size="7",
                weight="bold",
                font_family="monospace",
                letter_spacing="0.2em",
                custom_attrs=tid("assist-code"),
            ),
            muted(
                rx.cond(
                    AccountState.assist_code_replaced,
                    "A newer code is shown in another window of My Account; reload this page to see a new "
                    "one here.",
                    "Works once, until " + AccountState.assist_code_until + ". A new one appears here after "
                    "it is used or expires.",
                ),
                size="1",
                custom_attrs=tid("assist-code-expires"),
            ),
            rx.moment(interval=4000, on_change=AccountState.tick_code, display="none"),
        ),
    )


def password_help_card() -> rx.Component:
    """On behalf: the customer cannot sign in; mail them a link (the CSR never sees it)."""
    return rx.cond(
        SessionState.on_behalf,
        section_card(
            "Password",
            muted(
                "Email the customer a one-time link to choose a new password. The link is never shown here."
            ),
            rx.button(
                rx.icon("mail", size=16),
                "Send set-password link",
                variant="soft",
                on_click=AccountState.send_password_link,
                custom_attrs=tid("send-password-link"),
            ),
        ),
    )


def devices_card() -> rx.Component:
    """The customer's own sign-ins: end them all (a lost phone, a shared computer)."""
    return rx.cond(
        ~SessionState.on_behalf,
        section_card(
            "Signed-in devices",
            muted(
                "Signed in somewhere you no longer use, or on a computer you shared? End every sign-in, "
                "this one included."
            ),
            confirm_dialog(
                rx.button(
                    rx.icon("log-out", size=16),
                    "Sign out everywhere",
                    variant="soft",
                    color_scheme="red",
                    custom_attrs=tid("sign-out-everywhere"),
                ),
                title="Sign out everywhere?",
                description="Every browser and device signed in to your account is signed out, this one too.",
                confirm="Sign out everywhere",
                on_confirm=SessionState.sign_out_everywhere,
                color="red",
                confirm_testid="sign-out-everywhere-confirm",
            ),
        ),
    )


def cs_changes_card() -> rx.Component:
    return rx.cond(
        ~SessionState.on_behalf & (AccountState.cs_changes.length() > 0),
        section_card(
            "Changes made by customer service",
            rx.foreach(
                AccountState.cs_changes,
                lambda c: rx.hstack(
                    muted(c.at, size="1", min_width=style.TIME_COLUMN),
                    rx.text(c.csr, ": ", c.action, " ", c.details, size="2"),
                    custom_attrs=tid("cs-change-row"),
                ),
            ),
        ),
    )


@page("/account", "My Account — Harbor & Pine", on_load=AccountState.load)
def account_page() -> rx.Component:
    return loading(
        ~AccountState.loaded | AccountState.denied,
        rx.vstack(
            rx.heading(
                rx.cond(SessionState.on_behalf, SessionState.customer_name + "'s account", "My Account"),
                size="6",
            ),
            rx.grid(
                rx.vstack(
                    profile_card(),
                    consent_card(),
                    assist_code_card(),
                    password_help_card(),
                    devices_card(),
                    width="100%",
                    spacing="4",
                ),
                rx.vstack(address_card(), width="100%"),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            orders_card(),
            cs_changes_card(),
            spacing="4",
            width="100%",
        ),
    )
