import reflex as rx

from app.state.email_change import ConfirmEmailState as S
from components import style
from components.shell import page
from components.ui import error_callout, loading, tid


def confirmed() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.text("Your email address is now ", rx.text.span(S.email, weight="bold"), "."),
            icon="circle-check",
            color_scheme="green",
            custom_attrs=tid("confirm-email-done"),
        ),
        rx.text(
            "Every other browser signed in to your account was signed out, and links sent to your old "
            "address no longer work.",
            size="2",
            color=style.MUTED,
        ),
        rx.cond(
            S.signed_in_here,
            rx.link(
                "Go to My Account", href="/account", weight="medium", custom_attrs=tid("confirm-email-next")
            ),
            rx.link(
                "Sign in with your new address",
                href="/login?next=/account",
                weight="medium",
                custom_attrs=tid("confirm-email-next"),
            ),
        ),
        spacing="3",
        width="100%",
    )


def problem() -> rx.Component:
    return rx.vstack(
        error_callout(S.error, "confirm-email-error"),
        rx.link("Go to My Account", href="/account", weight="medium"),
        spacing="3",
        width="100%",
    )


@page("/confirm-email", "Confirm your email — Harbor & Pine", on_load=S.load)
def confirm_email_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading("Confirm your new email address", size="5"),
                loading(~S.loaded, rx.cond(S.confirmed, confirmed(), problem())),
                spacing="4",
                width="100%",
            ),
            width="100%",
            max_width=style.FORM_WIDE,
        ),
        width="100%",
    )
