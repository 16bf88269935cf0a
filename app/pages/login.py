import reflex as rx

from app import config
from app.state.registration import RegisterState
from app.state.session import SessionState
from components import style
from components.shell import page
from components.ui import error_callout, error_text, field, form, tid


def signin_form() -> rx.Component:
    return rx.card(
        form(
            rx.heading("Sign in", size="5"),
            field(
                "Email",
                "email",
                SessionState.signin_errors,
                testid="signin-email",
                type="email",
                autocomplete="username",
                max_length=254,
            ),
            field(
                "Password",
                "password",
                SessionState.signin_errors,
                testid="signin-password",
                type="password",
                autocomplete="current-password",
                max_length=128,
            ),
            rx.link(
                "Forgot password?",
                href="/forgot-password",
                size="2",
                custom_attrs=tid("forgot-password-link"),
            ),
            rx.cond(
                SessionState.signin_error != "",
                error_callout(SessionState.signin_error, "signin-error"),
            ),
            rx.button("Sign in", type="submit", size="3", width="100%", custom_attrs=tid("signin-submit")),
            on_submit=SessionState.sign_in,
        ),
        width="100%",
    )


def register_sent() -> rx.Component:
    """The answer to every registration, whether or not the address has an account (no enumeration)."""
    hours = config.REGISTER_CONFIRM_HOURS
    return rx.vstack(
        rx.heading("Create an account", size="5"),
        rx.callout(
            rx.text(
                "Check your inbox at ",
                rx.text.span(RegisterState.sent_to, weight="bold"),
                ": we sent a link to finish creating your account. Open it within "
                f"{hours} hour{'s' if hours != 1 else ''} and enter the password you just chose.",
            ),
            icon="mail-check",
            color_scheme="green",
            role="status",
            custom_attrs=tid("register-sent"),
        ),
        rx.text(
            "No email after a few minutes? Check your spam folder, or register again: the new link replaces "
            "the old one. If this address already has an account, the email tells you how to sign in.",
            size="2",
            color=style.MUTED,
        ),
        rx.button(
            "Use another email address",
            on_click=RegisterState.load,
            variant="ghost",
            custom_attrs=tid("register-restart"),
        ),
        spacing="3",
        align="start",
    )


def register_form() -> rx.Component:
    """The Register card: the form, then the same answer for every address once it was sent."""
    return rx.card(
        rx.cond(RegisterState.sent_to != "", register_sent(), register_fields()),
        width="100%",
    )


def register_fields() -> rx.Component:
    e = RegisterState.errors
    return form(
        rx.heading("Create an account", size="5"),
        rx.hstack(
            field(
                "First name",
                "first_name",
                e,
                testid="register-first-name",
                max_length=60,
                autocomplete="given-name",
            ),
            field(
                "Last name",
                "last_name",
                e,
                testid="register-last-name",
                max_length=60,
                autocomplete="family-name",
            ),
            width="100%",
        ),
        field(
            "Email",
            "email",
            e,
            testid="register-email",
            type="email",
            max_length=254,
            autocomplete="email",
        ),
        field(
            "Password (at least 8 characters)",
            "password",
            e,
            testid="register-password",
            type="password",
            max_length=128,
            autocomplete="new-password",
        ),
        error_text(e["form"], shown=e.contains("form")),
        rx.button(
            "Register",
            type="submit",
            size="3",
            width="100%",
            variant="outline",
            custom_attrs=tid("register-submit"),
        ),
        on_submit=RegisterState.register,
    )


@page("/login", "Sign in — Harbor & Pine", on_load=[SessionState.set_return_to, RegisterState.load])
def login_page() -> rx.Component:
    return rx.grid(
        signin_form(), register_form(), columns=rx.breakpoints(initial="1", md="2"), spacing="6", width="100%"
    )
