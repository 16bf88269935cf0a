import reflex as rx

from app.state.passwords import SetPasswordState as S
from components import style
from components.shell import page
from components.ui import error_callout, field, loading, tid


def password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                rx.cond(S.welcome, "Welcome! Choose a password for ", "Choose a new password for "),
                rx.text.span(S.email, weight="bold"),
                ".",
                size="2",
            ),
            # Lets password managers file the new password under the right account.
            rx.el.input(
                type="email",
                name="username",
                value=S.email,
                auto_complete="username",
                read_only=True,
                hidden=True,
            ),
            field(
                "New password (at least 8 characters)",
                "password",
                S.errors,
                testid="set-password-new",
                type="password",
                autocomplete="new-password",
                max_length=128,
            ),
            field(
                "Repeat the new password",
                "confirm",
                S.errors,
                testid="set-password-confirm",
                type="password",
                autocomplete="new-password",
                max_length=128,
            ),
            rx.button(
                "Save password and sign in",
                type="submit",
                size="3",
                width="100%",
                custom_attrs=tid("set-password-submit"),
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.submit,
        reset_on_submit=False,
        no_validate=True,
    )


def link_problem() -> rx.Component:
    return rx.vstack(
        error_callout(S.link_error, "set-password-error"),
        rx.link(
            "Request a new link",
            href="/forgot-password",
            weight="medium",
            custom_attrs=tid("set-password-request-new"),
        ),
        spacing="3",
        width="100%",
    )


@page("/set-password", "Choose a password — Harbor & Pine", on_load=S.load)
def set_password_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading(rx.cond(S.welcome, "Choose your password", "Choose a new password"), size="5"),
                loading(~S.loaded, rx.cond(S.link_ok, password_form(), link_problem())),
                spacing="4",
                width="100%",
            ),
            width="100%",
            max_width=style.FORM_WIDE,
        ),
        width="100%",
    )
