import reflex as rx

from app import config
from app.state.cart import CAN_EDIT, LiveCart
from app.state.checkout import CheckoutState
from app.state.session import SessionState
from components import style
from components.adjust import adjust_dialog
from components.sections import amount_row, reduction_row, section_card
from components.shell import page
from components.ui import address_fields, error_text, field, field_error, muted, tid


def fulfilment_line(line: rx.Var) -> rx.Component:
    """One cart line's choice: ship it, or pick it up in a store (with that store's stock shown)."""
    select_id = "f-fulfilment-" + line.line_id.to_string()
    has_error = line.error != ""
    return rx.box(
        rx.el.label(
            line.name,
            rx.cond(line.options != "", rx.text.span(" (", line.options, ")", color=style.MUTED)),
            " × ",
            line.quantity,
            html_for=select_id,
            class_name="field-label",
        ),
        rx.el.select(
            rx.foreach(
                line.choices,
                lambda c: rx.el.option(c.label, value=c.value, disabled=c.disabled),
            ),
            id=select_id,
            value=line.choice,
            on_change=lambda value: CheckoutState.set_fulfilment(line.line_id, value),
            class_name="native-select",
            custom_attrs={**tid("checkout-fulfilment"), "aria-invalid": has_error.to_string()},
        ),
        error_text(line.error, "checkout-fulfilment-error", shown=has_error, size="1"),
        width="100%",
        custom_attrs={"data-testid": "checkout-line", "data-code": line.code},
    )


def fulfilment_step() -> rx.Component:
    return section_card(
        "1. Delivery or pickup",
        muted("Ship each item to your home, or pick it up in one of our stores (free)."),
        rx.foreach(CheckoutState.fulfilment_lines, fulfilment_line),
        error_text(CheckoutState.fulfilment_error, "checkout-fulfilment-error"),
        spacing="3",
    )


def pickup_only_notice() -> rx.Component:
    return rx.callout(
        "Everything is picked up in store: no shipping address is needed and there is no shipping cost.",
        icon="store",
        color_scheme="green",
        custom_attrs=tid("checkout-pickup-only"),
    )


def radio_option(value: rx.Var | str, *label, testid: str | None = None) -> rx.Component:
    """A choice of a radio group, its whole label clickable."""
    return rx.el.label(
        rx.hstack(rx.radio_group.item(value=value), rx.text(*label, size="2"), align="center"),
        custom_attrs=tid(testid) if testid else {},
    )


def address_step() -> rx.Component:
    e = CheckoutState.errors
    return section_card(
        "2. Shipping address",
        rx.radio_group.root(
            rx.vstack(
                rx.foreach(
                    CheckoutState.addresses,
                    lambda a: radio_option(a.id.to_string(), a.summary, testid="checkout-address"),
                ),
                radio_option("new", "A new address", testid="checkout-address-new"),
            ),
            value=CheckoutState.address_choice,
            on_change=CheckoutState.set_address_choice,
            aria_label="Shipping address",
        ),
        error_text(e["address"], shown=e.contains("address")),
        rx.cond(CheckoutState.new_address, address_fields(e)),
        spacing="3",
    )


def shipping_step() -> rx.Component:
    return section_card(
        "3. Shipping method",
        rx.radio_group.root(
            rx.vstack(
                rx.foreach(
                    CheckoutState.shipping_options, lambda m: radio_option(m.code, m.label, " — ", m.price)
                )
            ),
            value=CheckoutState.shipping_method,
            on_change=CheckoutState.set_shipping_method,
            aria_label="Shipping method",
        ),
        spacing="3",
    )


def payment_step() -> rx.Component:
    e = CheckoutState.errors
    return section_card(
        "4. Payment",
        muted(
            "Test cards only, e.g. 4242 4242 4242 4242. We keep only the brand and last four digits.",
            size="1",
        ),
        field(
            "Card number",
            "card_number",
            e,
            testid="checkout-card-number",
            max_length=23,
            autocomplete="cc-number",
            input_mode="numeric",
        ),
        rx.hstack(
            field(
                "Expiry (MM/YY)",
                "card_expiry",
                e,
                testid="checkout-card-expiry",
                max_length=7,
                autocomplete="cc-exp",
                placeholder="MM/YY",
            ),
            field(
                "Security code",
                "card_cvc",
                e,
                testid="checkout-card-cvc",
                max_length=4,
                autocomplete="cc-csc",
                input_mode="numeric",
            ),
            width="100%",
        ),
        spacing="3",
    )


def extras_step() -> rx.Component:
    e = CheckoutState.errors
    return section_card(
        "5. Coupon, gift message and note (optional)",
        rx.el.label("Coupon code", html_for="f-checkout-coupon", class_name="field-label"),
        rx.hstack(
            rx.input(
                id="f-checkout-coupon",
                name="coupon",  # controlled by state; named so form submission stays explicit
                value=CheckoutState.coupon_input,
                on_change=CheckoutState.set_coupon_input,
                max_length=30,
                auto_complete="off",
                custom_attrs=tid("checkout-coupon"),
                width="100%",
            ),
            rx.button(
                "Apply",
                type="button",
                variant="soft",
                on_click=CheckoutState.apply_coupon,
                custom_attrs=tid("checkout-coupon-apply"),
            ),
            rx.cond(
                CheckoutState.coupon_code != "",
                rx.button("Remove", type="button", variant="ghost", on_click=CheckoutState.remove_coupon),
            ),
            width="100%",
        ),
        error_text(e["coupon"], "checkout-coupon-error", shown=e.contains("coupon")),
        rx.cond(
            CheckoutState.coupon_code != "",
            rx.text(CheckoutState.coupon_message, color=style.SUCCESS),
        ),
        field(
            "Gift message",
            "gift_message",
            e,
            testid="checkout-gift-message",
            control=rx.text_area,
            max_length=300,
        ),
        line_gift_messages(),
        rx.cond(
            SessionState.on_behalf,
            field(
                "Order note (customer service only)",
                "order_note",
                e,
                testid="checkout-order-note",
                control=rx.text_area,
                max_length=500,
            ),
        ),
        spacing="2",
    )


def line_gift_message(line: rx.Var) -> rx.Component:
    input_id = "f-line-gift-" + line.line_id.to_string()
    return rx.box(
        rx.el.label("For ", line.name, html_for=input_id, class_name="field-label"),
        rx.input(
            id=input_id,
            default_value=line.gift_message,
            max_length=200,
            read_only=~CAN_EDIT,
            auto_complete="off",
            # Saved as it is left; the cart's lock rules decide who may (app/services/order_extras.py).
            on_blur=lambda value: CheckoutState.set_line_gift_message(line.line_id, value),
            custom_attrs={"data-testid": "checkout-line-gift-message", "data-code": line.code},
            width="100%",
        ),
        key="gift-" + line.line_id.to_string(),
        width="100%",
    )


def line_gift_messages() -> rx.Component:
    """A gift message of its own for each line (besides the order's), saved on the cart line."""
    e = CheckoutState.errors
    return rx.vstack(
        rx.text("A gift message for each item (optional)", weight="medium", size="2"),
        rx.foreach(LiveCart.lines, line_gift_message),
        field_error(e, "line_gift_message"),
        width="100%",
        spacing="1",
    )


def alt_field(label: str, name: str, value: rx.Var, on_change, max_length: int) -> rx.Component:
    """A controlled field of the pickup contact: Save sends what the state holds."""
    testid = "checkout-" + name.replace("_", "-")
    return field(
        label,
        name,
        CheckoutState.errors,
        testid=testid,
        value=value,
        on_change=on_change,
        max_length=max_length,
    )


def alt_contact_step() -> rx.Component:
    """With pickup lines: someone else who may collect them, validated and saved before the order."""
    e = CheckoutState.errors
    return section_card(
        "Someone else picking up? (optional)",
        muted(
            "Name another person who may collect the items picked up in store. Save it before placing "
            "the order; empty every field and save to remove it."
        ),
        rx.hstack(
            alt_field(
                "First name",
                "alt_first_name",
                CheckoutState.alt_first_name,
                CheckoutState.set_alt_first_name,
                60,
            ),
            alt_field(
                "Last name", "alt_last_name", CheckoutState.alt_last_name, CheckoutState.set_alt_last_name, 60
            ),
            width="100%",
        ),
        alt_field("Email", "alt_email", CheckoutState.alt_email, CheckoutState.set_alt_email, 254),
        alt_field("Phone (optional)", "alt_phone", CheckoutState.alt_phone, CheckoutState.set_alt_phone, 30),
        rx.hstack(
            rx.button(
                "Save pickup contact",
                type="button",
                variant="soft",
                disabled=~CAN_EDIT,
                on_click=CheckoutState.save_alt_contact,
                custom_attrs=tid("checkout-alt-save"),
            ),
            rx.cond(
                CheckoutState.alt_saved & (CheckoutState.alt_first_name != ""),
                rx.text("Saved", size="2", color=style.SUCCESS),
            ),
            align="center",
        ),
        field_error(e, "alt_contact", size="2"),
        spacing="2",
    )


def order_adjust_dialog(kind: str, label: str, testid: str, what: str) -> rx.Component:
    """A CSR on behalf, holding the lock, reduces the shipping or the order total with a reason."""
    return adjust_dialog(
        label,
        testid,
        title=label,
        description=f"Reduce {what} by an amount, with a reason. You may take off at most "
        f"{config.ADJUST_LIMIT_PERCENT}% of it; beyond that only a supervisor may, up to all of it. "
        "Enter 0 to remove.",
        amount_label="Reduction ($)",
        error=CheckoutState.adjust_error,
        on_open=CheckoutState.set_adjust_kind(kind),
        on_submit=CheckoutState.adjust,
        key=LiveCart.version.to(str) + "-adjust-" + kind,
    )


def adjustments_card() -> rx.Component:
    """Customer service's reductions of the shipping and the order total. Outside the checkout form: the
    dialogs' own forms must not submit the order."""
    return rx.cond(
        SessionState.on_behalf & SessionState.can_adjust_price & CAN_EDIT,
        rx.card(
            rx.hstack(
                rx.text("Customer service adjustments", weight="medium", size="2"),
                rx.spacer(),
                rx.cond(
                    CheckoutState.ships,
                    order_adjust_dialog(
                        "shipping", "Adjust shipping", "checkout-adjust-shipping", "the shipping"
                    ),
                ),
                order_adjust_dialog(
                    "order", "Adjust order total", "checkout-adjust-order", "the order total"
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            width="100%",
        ),
    )


def adjustment_rows() -> rx.Component:
    a = CheckoutState.cart_adjustments
    return rx.fragment(
        reduction_row(
            "Shipping adjusted",
            a.shipping_reason,
            CheckoutState.quote_shipping_adjustment,
            "checkout-summary-shipping-adjustment",
        ),
        reduction_row(
            "Order adjusted",
            a.order_reason,
            CheckoutState.quote_order_adjustment,
            "checkout-summary-order-adjustment",
        ),
    )


def on_behalf_notice() -> rx.Component:
    return rx.cond(
        SessionState.on_behalf,
        rx.callout(
            "You are checking out for "
            + SessionState.customer_name
            + ": the order is placed in their name and paid "
            "with the card they give you. It will show that customer service placed it.",
            icon="headset",
            color_scheme="amber",
            custom_attrs=tid("checkout-on-behalf-notice"),
        ),
    )


def order_summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Order summary", size="4"),
            rx.foreach(
                LiveCart.lines,
                lambda l: amount_row((l.name, " × ", l.quantity), l.line_total, size="2"),
            ),
            rx.divider(),
            rx.cond(LiveCart.has_adjustment, amount_row("Price adjustments", ("−", LiveCart.adjustment))),
            amount_row("Subtotal", LiveCart.subtotal, strong=True),
            rx.cond(
                CheckoutState.coupon_code != "",
                amount_row(
                    ("Coupon ", CheckoutState.coupon_code),
                    ("−", CheckoutState.coupon_discount),
                    testid="checkout-coupon-discount",
                ),
            ),
            amount_row("Shipping", CheckoutState.quote_shipping, testid="checkout-summary-shipping"),
            adjustment_rows(),
            rx.divider(),
            amount_row(
                "Total", CheckoutState.quote_total, strong=True, size="4", testid="checkout-summary-total"
            ),
            rx.button(
                rx.cond(CheckoutState.placing, rx.spinner(size="2"), rx.icon("lock", size=16)),
                "Place order",
                type="submit",
                size="3",
                width="100%",
                disabled=CheckoutState.placing | ~CAN_EDIT,
                custom_attrs=tid("place-order"),
            ),
            spacing="3",
        ),
        flex="1",
        width="100%",
        height="fit-content",
    )


def checkout_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.vstack(
                fulfilment_step(),
                rx.cond(CheckoutState.picks_up, alt_contact_step()),
                rx.cond(
                    CheckoutState.ships,
                    rx.fragment(address_step(), shipping_step()),
                    pickup_only_notice(),
                ),
                payment_step(),
                extras_step(),
                spacing="4",
                flex="2",
                width="100%",
            ),
            order_summary(),
            direction=rx.breakpoints(initial="column", md="row"),
            spacing="5",
            width="100%",
        ),
        on_submit=CheckoutState.place_order,
        reset_on_submit=False,
        no_validate=True,
    )


@page("/checkout", "Checkout — Harbor & Pine", on_load=CheckoutState.load)
def checkout_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Checkout", size="6"),
        on_behalf_notice(),
        adjustments_card(),
        checkout_form(),
        spacing="4",
        width="100%",
    )
