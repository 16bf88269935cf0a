"""Small building blocks: test ids, form fields with errors, money and empty states."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from components import style

ACCENT_ON_BEHALF = style.ON_BEHALF


def tid(name: str, **extra) -> dict:
    """custom_attrs for the data-testid contract (docs/QA.md §6), plus any data-* identifiers."""
    return {"data-testid": name, **{f"data-{k.replace('_', '-')}": v for k, v in extra.items()}}


def field(
    label: str,
    name: str,
    errors: rx.Var,
    *,
    testid: str | None = None,
    type: str = "text",
    default_value: rx.Var | str = "",
    placeholder: str = "",
    max_length: int = 120,
    autocomplete: str = "off",
    **props,
) -> rx.Component:
    """A labelled input whose error text sits under it and is announced."""
    input_id = f"f-{testid or name}"
    return rx.box(
        rx.el.label(label, html_for=input_id, class_name="field-label"),
        rx.input(
            id=input_id,
            name=name,
            type=type,
            default_value=default_value,
            placeholder=placeholder,
            max_length=max_length,
            auto_complete=autocomplete,
            custom_attrs={**tid(testid or name), "aria-invalid": errors.contains(name).to_string()},
            width="100%",
            **props,
        ),
        rx.cond(
            errors.contains(name),
            rx.text(
                errors[name], color=style.DANGER, size="1", role="alert", custom_attrs=tid(f"error-{name}")
            ),
        ),
        width="100%",
        class_name="field",
    )


def muted(text, size: str = "2", **props) -> rx.Component:
    """Secondary text: hints, dates, explanations under a control."""
    return rx.text(text, size=size, color=style.MUTED, **props)


def section_card(title: str, *children: rx.Component, testid: str | None = None, **props) -> rx.Component:
    """A card with a heading: the sections of My Account, Customer Service and the order page."""
    return rx.card(
        rx.vstack(rx.heading(title, size="4"), *children, width="100%", **props),
        width="100%",
        custom_attrs=tid(testid) if testid else {},
    )


def data_table(
    headers: list[str],
    rows: rx.Var,
    render_row: Callable[[rx.Var], rx.Component],
    empty: rx.Component,
    **props,
) -> rx.Component:
    """A table of `rows` (a list var) with a header, or `empty` when there are none."""
    return rx.cond(
        rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, render_row)),
            width="100%",
            **props,
        ),
        empty,
    )


def error_callout(message, testid: str) -> rx.Component:
    """A form's or a page's error, announced to screen readers."""
    return rx.callout(
        message, icon="triangle-alert", color_scheme="red", role="alert", custom_attrs=tid(testid)
    )


def empty_state(
    icon: str, title: str, body: str | rx.Component = "", testid: str = "empty-state", *actions
) -> rx.Component:
    return rx.vstack(
        rx.icon(icon, size=36, color=style.FAINT),
        rx.heading(title, size="4"),
        rx.text(body, color=style.MUTED) if isinstance(body, str) else body,
        *actions,
        align="center",
        padding=style.PAD_EMPTY,
        border=f"1px dashed {style.LINE_STRONG}",
        border_radius=style.RADIUS_LARGE,
        width="100%",
        custom_attrs=tid(testid),
    )


def price(
    now: rx.Var, was: rx.Var, discounted: rx.Var, testid: str | None = None, size: str = "3"
) -> rx.Component:
    return rx.hstack(
        rx.text(
            now,
            weight="bold",
            size=size,
            color=rx.cond(discounted, style.DANGER, style.TEXT),
            custom_attrs=tid(testid) if testid else {},
        ),
        rx.cond(discounted, rx.text(was, size="1", color=style.MUTED, text_decoration="line-through")),
        align="baseline",
        spacing="2",
    )


def loading(flag: rx.Var, content: rx.Component) -> rx.Component:
    return rx.cond(
        flag,
        rx.center(
            rx.spinner(size="3"),
            rx.el.span("Loading", class_name="sr-only"),
            padding=style.PAD_LOADING,
            role="status",
        ),
        content,
    )


def confirm_dialog(
    trigger: rx.Component,
    *,
    title: str,
    description: rx.Var | str,
    confirm: str,
    on_confirm,
    color: str,
    cancel: str = "Cancel",
    testid: str | None = None,
    confirm_testid: str | None = None,
    cancel_testid: str | None = None,
) -> rx.Component:
    """An alert dialog asking before something that cannot be undone (focus trapped, Escape cancels)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        cancel,
                        variant="soft",
                        color_scheme="gray",
                        custom_attrs=tid(cancel_testid) if cancel_testid else {},
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        confirm,
                        color_scheme=color,
                        high_contrast=True,
                        on_click=on_confirm,
                        custom_attrs=tid(confirm_testid) if confirm_testid else {},
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
            custom_attrs=tid(testid) if testid else {},
        ),
    )


def address_fields(errors: rx.Var, *, with_phone: bool = False) -> rx.Component:
    """The address form's fields (My Account and checkout), named as accounts.validate_address expects."""
    return rx.vstack(
        field("Full name", "full_name", errors, testid="address-full-name"),
        field("Address", "line1", errors, testid="address-line1"),
        field("Address line 2 (optional)", "line2", errors, testid="address-line2"),
        rx.hstack(
            field("City", "city", errors, testid="address-city", max_length=80),
            field("Postal code", "postal_code", errors, testid="address-postal-code", max_length=20),
            width="100%",
        ),
        rx.hstack(
            field(
                "Country (2 letters)",
                "country",
                errors,
                testid="address-country",
                default_value="US",
                max_length=2,
            ),
            *(
                [field("Phone (optional)", "phone", errors, testid="address-phone", max_length=30)]
                if with_phone
                else []
            ),
            width="100%",
        ),
        width="100%",
    )
