"""The adjust dialog, the same for a line's price, the shipping and the order total
(docs/PRODUCT.md §Checkout on behalf): an amount, a reason, Apply, and the server's refusal."""

import reflex as rx

from components.ui import dialog_actions, error_text, field, tid


def adjust_form(amount_label: str, error: rx.Var, on_submit) -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                amount_label,
                "amount",
                None,
                testid="adjust-amount",
                max_length=12,
                input_mode="decimal",
                invalid=error != "",
            ),
            field("Reason", "reason", None, testid="adjust-reason", max_length=200),
            error_text(error, "adjust-error", size="2"),
            dialog_actions("Apply", "adjust-submit"),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
    )


def adjust_dialog(
    label: str,
    testid: str,
    *,
    title: rx.Var | str,
    description: rx.Var | str,
    amount_label: str,
    error: rx.Var,
    on_open,
    on_submit,
    key: rx.Var,
    variant: str = "soft",
) -> rx.Component:
    """A CSR on behalf, holding the lock, reduces a price with a reason. `on_open` tells the state what is
    adjusted (a foreach item is not in scope of a form's submit handler). Applied, the cart's version moves
    on and `key` (built from it) remounts the dialog closed; a refusal keeps it open to fix."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                label, size="1", variant=variant, type="button", on_click=on_open, custom_attrs=tid(testid)
            )
        ),
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2"),
            adjust_form(amount_label, error, on_submit),
        ),
        key=key,
    )
