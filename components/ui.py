"""Small building blocks: test ids, form fields with errors, forms and dialogs, prices and empty states
(the sections a page is made of are in components/sections.py)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from components import style

ACCENT_ON_BEHALF = style.ON_BEHALF


def tid(name: str, **extra) -> dict:
    """custom_attrs for the data-testid contract (docs/QA.md §6), plus any data-* identifiers."""
    return {"data-testid": name, **{f"data-{k.replace('_', '-')}": v for k, v in extra.items()}}


def lock_icon(locked: rx.Var, size: int) -> rx.Component:
    """A closed padlock when `locked`, an open one otherwise. Two fixed icons, never one whose name is a Var:
    that makes Reflex render lucide's DynamicIcon, whose loader for every one of lucide's 1,900 icons went
    into every page's scripts (240 KB of the shell's 416 KB; bench/RESULTS.md, "The catalog's scripts")."""
    return rx.cond(locked, rx.icon("lock", size=size), rx.icon("lock-open", size=size))


def error_text(
    message: rx.Var, testid: str = "", *, shown: rx.Var | None = None, size: str = ""
) -> rx.Component:
    """An error in red that screen readers announce (role=alert), there only while `shown` (by default: while
    `message` is not empty). `testid` is its QA hook."""
    props = {"size": size} if size else {}
    return rx.cond(
        (message != "") if shown is None else shown,
        rx.text(
            message, color=style.DANGER, role="alert", custom_attrs=tid(testid) if testid else {}, **props
        ),
    )


def field_error(errors: rx.Var, name: str, *, size: str = "1") -> rx.Component:
    """The error of form field `name` in a form's `errors` dict, under its field (hook `error-<name>`)."""
    return error_text(errors[name], f"error-{name}", shown=errors.contains(name), size=size)


def field(
    label: str,
    name: str,
    errors: rx.Var | None,
    *,
    testid: str | None = None,
    control: Callable[..., rx.Component] = rx.input,
    type: str = "text",
    default_value: rx.Var | str | None = None,
    placeholder: str = "",
    max_length: int = 120,
    autocomplete: str = "off",
    invalid: rx.Var | None = None,
    **props,
) -> rx.Component:
    """A labelled input (or `control=rx.text_area`) whose error, `errors[name]`, sits under it and is announced.

    `errors=None`: the form shows its one error elsewhere, and `invalid` marks the input. Give `value` and
    `on_change` in `props` for a controlled input; `default_value` is for an uncontrolled one."""
    input_id = f"f-{testid or name}"
    if invalid is None and errors is not None:
        invalid = errors.contains(name)
    attrs = {**tid(testid or name), **({"aria-invalid": invalid.to_string()} if invalid is not None else {})}
    if control is rx.input:
        props.update(type=type, auto_complete=autocomplete)
    if default_value is not None:
        props["default_value"] = default_value
    error = field_error(errors, name) if errors is not None else rx.fragment()
    return rx.box(
        rx.el.label(label, html_for=input_id, class_name="field-label"),
        control(
            id=input_id,
            name=name,
            placeholder=placeholder,
            max_length=max_length,
            custom_attrs=attrs,
            width="100%",
            **props,
        ),
        error,
        width="100%",
        class_name="field",
    )


def muted(*text: rx.Var | str | rx.Component, size: str = "2", **props) -> rx.Component:
    """Secondary text: hints, dates, explanations under a control."""
    return rx.text(*text, size=size, color=style.MUTED, **props)


def dialog_actions(submit: str, submit_testid: str, *extra: rx.Component) -> rx.Component:
    """A dialog form's last row: `extra` at the left, then Cancel (closes the dialog) and the submit button."""
    return rx.hstack(
        *extra,
        rx.spacer(),
        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
        rx.button(submit, type="submit", custom_attrs=tid(submit_testid)),
        width="100%",
    )


def form(*children: rx.Component, on_submit, spacing: str = "3", **props) -> rx.Component:
    """A form in a column. The server checks what was sent (no browser validation) and a refusal keeps what
    was typed, to fix (`reset_on_submit=True` in `props` empties it)."""
    props = {"reset_on_submit": False, "no_validate": True, **props}
    return rx.form(rx.vstack(*children, spacing=spacing, width="100%"), on_submit=on_submit, **props)


def form_card(heading: rx.Var | str, *children: rx.Component) -> rx.Component:
    """A page that is one small form in the middle: forgot password, set password, the mailed links."""
    return rx.center(
        rx.card(
            rx.vstack(rx.heading(heading, size="5"), *children, spacing="4", width="100%"),
            width="100%",
            max_width=style.FORM_WIDE,
        ),
        width="100%",
    )


def password_form(
    intro: rx.Component,
    email: rx.Var,
    errors: rx.Var,
    fields: list[tuple[str, str, str]],
    *,
    autocomplete: str,
    submit: str,
    submit_testid: str,
    on_submit,
) -> rx.Component:
    """The form a mailed link opens (set password, finish registering): what it is for, the password
    `fields` (label, name, test id), one big button. `email` goes in a hidden username box so password
    managers file the password under the right account."""
    return form(
        intro,
        rx.el.input(
            type="email", name="username", value=email, auto_complete="username", read_only=True, hidden=True
        ),
        *[
            field(
                label, name, errors, testid=testid, type="password", autocomplete=autocomplete, max_length=128
            )
            for label, name, testid in fields
        ],
        rx.button(submit, type="submit", size="3", width="100%", custom_attrs=tid(submit_testid)),
        on_submit=on_submit,
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


def thumbnail(src: rx.Var, size: str = style.THUMB) -> rx.Component:
    """A cart line's square image; decorative, the line's name beside it says what it is."""
    return rx.image(src=src, width=size, height=size, border_radius=style.RADIUS_SMALL, alt="")


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
