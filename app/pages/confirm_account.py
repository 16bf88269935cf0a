import reflex as rx

from app.state.registration import ConfirmAccountState as S
from components import style
from components.shell import page
from components.ui import error_callout, field, loading, tid


def password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                "To finish creating the account for ",
                rx.text.span(S.email, weight="bold"),
                ", enter the password you chose when you registered.",
                size="2",
            ),
            # Lets password managers offer the password saved with the registration.
            rx.el.input(
                type="email",
                name="username",
                value=S.email,
                auto_complete="username",
                read_only=True,
                hidden=True,
            ),
            field(
                "Password",
                "password",
                S.errors,
                testid="confirm-account-password",
                type="password",
                autocomplete="current-password",
                max_length=128,
            ),
            rx.button(
                "Finish and sign in",
                type="submit",
                size="3",
                width="100%",
                custom_attrs=tid("confirm-account-submit"),
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
        error_callout(S.link_error, "confirm-account-error"),
        rx.hstack(
            rx.link("Sign in", href="/login", weight="medium"),
            rx.text("or", size="2", color=style.MUTED),
            rx.link("register again", href="/login", weight="medium"),
            spacing="2",
            align="center",
        ),
        spacing="3",
        width="100%",
    )


@page("/confirm-account", "Finish creating your account — Harbor & Pine", on_load=S.load)
def confirm_account_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading("Finish creating your account", size="5"),
                loading(~S.loaded, rx.cond(S.link_ok, password_form(), link_problem())),
                spacing="4",
                width="100%",
            ),
            width="100%",
            max_width=style.FORM_WIDE,
        ),
        width="100%",
    )
