import reflex as rx

from app.state.passwords import ForgotPasswordState as F
from components.shell import page
from components.ui import field, form, form_card, muted, tid


def request_form() -> rx.Component:
    return form(
        muted("Enter the email address of your account. We will send you a link to choose a new password."),
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
        on_submit=F.request,
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
        muted("No email? Check your spam folder, or ask customer service to send you a new link."),
        spacing="3",
        width="100%",
    )


@page("/forgot-password", "Forgot password — Harbor & Pine", on_load=F.load)
def forgot_password_page() -> rx.Component:
    return form_card(
        "Forgot your password?",
        rx.cond(F.sent, sent(), request_form()),
        rx.link("Back to sign in", href="/login", size="2"),
    )
