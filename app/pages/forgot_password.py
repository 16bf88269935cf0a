import reflex as rx

from app.state.passwords import ForgotPasswordState as F
from components import style
from components.shell import page
from components.ui import field, tid


def request_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                "Enter the email address of your account. We will send you a link to choose a new password.",
                size="2",
                color=style.MUTED,
            ),
            field(
                "Email",
                "email",
                F.errors,
                testid="forgot-email",
                type="email",
                autocomplete="email",
                max_length=254,
            ),
            rx.button("Send link", type="submit", size="3", width="100%", custom_attrs=tid("forgot-submit")),
            spacing="3",
            width="100%",
        ),
        on_submit=F.request,
        reset_on_submit=False,
        no_validate=True,
    )


def sent() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.text(
                "If an account exists for ",
                rx.text.span(F.sent_to, weight="bold"),
                ", we have sent a link to choose a new password. It works once and expires within the hour.",
            ),
            icon="mail-check",
            color_scheme="green",
            role="status",
            custom_attrs=tid("forgot-sent"),
        ),
        rx.text(
            "No email? Check your spam folder, or ask customer service to send you a new link.",
            size="2",
            color=style.MUTED,
        ),
        spacing="3",
        width="100%",
    )


@page("/forgot-password", "Forgot password — Harbor & Pine", on_load=F.load)
def forgot_password_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading("Forgot your password?", size="5"),
                rx.cond(F.sent, sent(), request_form()),
                rx.link("Back to sign in", href="/login", size="2"),
                spacing="4",
                width="100%",
            ),
            width="100%",
            max_width=style.FORM_WIDE,
        ),
        width="100%",
    )
