import reflex as rx

from app.state.registration import ConfirmAccountState as S
from components import style
from components.shell import page
from components.ui import error_callout, form_card, loading, password_form


def confirm_form() -> rx.Component:
    return password_form(
        rx.text(
            "To finish creating the account for ",
            rx.text.span(S.email, weight="bold"),
            ", enter the password you chose when you registered.",
            size="2",
        ),
        S.email,
        S.errors,
        [("Password", "password", "confirm-account-password")],
        autocomplete="current-password",
        submit="Finish and sign in",
        submit_testid="confirm-account-submit",
        on_submit=S.submit,
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
    return form_card(
        "Finish creating your account",
        loading(~S.loaded, rx.cond(S.link_ok, confirm_form(), link_problem())),
    )
