import reflex as rx

from app.state.passwords import SetPasswordState as S
from components.shell import page
from components.ui import error_callout, form_card, loading, password_form, tid


def new_password_form() -> rx.Component:
    return password_form(
        rx.text(
            rx.cond(S.welcome, "Welcome! Choose a password for ", "Choose a new password for "),
            rx.text.span(S.email, weight="bold"),
            ".",
            size="2",
        ),
        S.email,
        S.errors,
        [
            ("New password (at least 8 characters)", "password", "set-password-new"),
            ("Repeat the new password", "confirm", "set-password-confirm"),
        ],
        autocomplete="new-password",
        submit="Save password and sign in",
        submit_testid="set-password-submit",
        on_submit=S.submit,
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
    return form_card(
        rx.cond(S.welcome, "Choose your password", "Choose a new password"),
        loading(~S.loaded, rx.cond(S.link_ok, new_password_form(), link_problem())),
    )
