"""The adjust dialog's form, the same for a line's price, the shipping and the order total
(docs/PRODUCT.md §Checkout on behalf): an amount, a reason, Apply, and the server's refusal."""

import reflex as rx

from components import style
from components.ui import tid


def adjust_form(amount_label: str, error: rx.Var, on_submit) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(amount_label, html_for="f-adjust-amount", class_name="field-label"),
            rx.input(
                id="f-adjust-amount",
                name="amount",
                max_length=12,
                input_mode="decimal",
                custom_attrs={**tid("adjust-amount"), "aria-invalid": (error != "").to_string()},
                width="100%",
            ),
            rx.el.label("Reason", html_for="f-adjust-reason", class_name="field-label"),
            rx.input(
                id="f-adjust-reason",
                name="reason",
                max_length=200,
                custom_attrs=tid("adjust-reason"),
                width="100%",
            ),
            rx.cond(
                error != "",
                rx.text(error, color=style.DANGER, size="2", role="alert", custom_attrs=tid("adjust-error")),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", type="button", variant="soft")),
                rx.button("Apply", type="submit", custom_attrs=tid("adjust-submit")),
                justify="end",
                width="100%",
            ),
            spacing="2",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
    )
