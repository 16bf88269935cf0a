import reflex as rx

from app.state.email_change import ConfirmEmailState as S
from components.shell import page
from components.ui import error_callout, form_card, loading, muted, tid


def confirmed() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.text("Your email address is now ", rx.text.span(S.email, weight="bold"), "."),
            icon="circle-check",
            color_scheme="green",
            custom_attrs=tid("confirm-email-done"),
        ),
        muted(
            "Every other browser signed in to your account was signed out, and links sent to your old "
            "address no longer work."
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
    return form_card(
        "Confirm your new email address",
        loading(~S.loaded, rx.cond(S.confirmed, confirmed(), problem())),
    )
