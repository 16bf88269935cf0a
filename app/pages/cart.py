import reflex as rx

from app import config
from app.state.cart import CAN_EDIT, LOCKED_BY_ME, CartState, LiveCart
from app.state.session import SessionState
from components import style
from components.adjust import adjust_dialog
from components.minicart import lock_controls
from components.sections import amount_row, table
from components.shell import page
from components.ui import empty_state, error_text, muted, thumbnail, tid


def adjust_price_dialog(line: rx.Var) -> rx.Component:
    """A CSR on behalf, holding the lock, reduces this line's price with a reason."""
    return adjust_dialog(
        "Adjust price",
        "cart-line-adjust",
        title="Adjust the price of " + line.name,
        description="Reduce the price per item (at most "
        + line.promo_price
        + ") for the "
        + line.quantity.to(str)
        + " in the cart now, at most "
        + str(config.ADJUST_LIMIT_PERCENT)
        + "% of it unless you are a supervisor. The reduction never grows: items added later are at the "
        "full price, and fewer items get it on fewer. Enter 0 to remove.",
        amount_label="Reduction per item ($)",
        error=CartState.adjust_error,
        on_open=CartState.set_adjust_line(line.line_id),
        on_submit=CartState.adjust_price,
        key=LiveCart.version.to(str) + "-adjust-" + line.line_id.to(str),
        variant="ghost",
    )


def cart_line(line: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                thumbnail(line.image),
                rx.vstack(
                    rx.link(line.name, href="/product/" + line.code, weight="medium"),
                    rx.text(line.options, size="1", color=style.MUTED),
                    rx.cond(line.promo != "", rx.badge(line.promo, color_scheme="red", size="1")),
                    rx.cond(
                        SessionState.on_behalf & SessionState.can_adjust_price & CAN_EDIT,
                        adjust_price_dialog(line),
                    ),
                    rx.cond(
                        line.adjusted,
                        rx.text(
                            "Adjusted ",
                            line.adjustment_label,
                            ": ",
                            line.adjustment_reason,
                            size="1",
                            color=style.WARNING,
                            custom_attrs=tid("cart-line-adjustment"),
                        ),
                    ),
                    spacing="1",
                ),
                spacing="3",
            )
        ),
        rx.table.cell(
            rx.text(line.unit_price),
            rx.cond(
                line.discounted,
                rx.text(line.list_price, size="1", text_decoration="line-through", color=style.MUTED),
            ),
        ),
        rx.table.cell(
            rx.input(
                type="number",
                min=1,
                max=99,
                default_value=line.quantity.to(str),
                key=LiveCart.version.to(str) + "-" + line.line_id.to(str),
                width=style.QUANTITY_INPUT,
                read_only=~CAN_EDIT,
                aria_label="Quantity for " + line.name,
                on_blur=lambda value: CartState.set_quantity(line.line_id, value),
                custom_attrs=tid("cart-line-qty"),
            )
        ),
        rx.table.cell(rx.text(line.line_total, weight="medium")),
        rx.table.cell(
            rx.icon_button(
                rx.icon("trash-2", size=16),
                variant="ghost",
                color_scheme="red",
                disabled=~CAN_EDIT,
                on_click=CartState.remove(line.line_id),
                aria_label="Remove " + line.name,
                custom_attrs=tid("cart-line-remove"),
            )
        ),
        custom_attrs={"data-testid": "cart-line", "data-code": line.code, "data-sku": line.sku},
    )


def readonly_notice() -> rx.Component:
    return rx.cond(
        ~CAN_EDIT & (LiveCart.lines.length() > 0) & ~SessionState.on_behalf,
        rx.callout(
            rx.cond(
                LiveCart.locked,
                "Customer service ("
                + LiveCart.lock_holder
                + ") is working on your cart. It is read-only until they finish; changes appear here as they make them.",
                "This cart cannot be changed right now.",
            ),
            icon="headset",
            color_scheme="amber",
            custom_attrs=tid("cart-readonly-notice"),
        ),
    )


def checkout_button() -> rx.Component:
    return rx.link(
        rx.button(
            "Checkout", size="3", width="100%", disabled=~CAN_EDIT, custom_attrs=tid("checkout-button")
        ),
        href=rx.cond(CAN_EDIT, "/checkout", "/cart"),
        width="100%",
    )


def wide_button(icon: str, label: str, testid: str, **props) -> rx.Component:
    return rx.button(rx.icon(icon, size=16), label, size="3", width="100%", custom_attrs=tid(testid), **props)


def finish_on_behalf() -> rx.Component:
    """docs/PRODUCT.md §Checkout on behalf: a CSR chooses, explicitly, how the cart is finished."""
    return rx.vstack(
        rx.text("How should this cart be finished?", weight="bold", size="2"),
        wide_button(
            "undo-2", "Hand the cart back", "hand-back-cart", variant="outline", on_click=CartState.hand_back
        ),
        wide_button(
            "mail",
            "Hand back and email a link",
            "hand-back-with-link",
            variant="outline",
            on_click=CartState.hand_back_with_link,
        ),
        muted(
            "Unlocks the cart and ends your session. "
            + SessionState.customer_name
            + " checks out later and sees that you prepared it; the email takes them to this cart after "
            "signing in.",
            size="1",
        ),
        rx.link(
            wide_button(
                "credit-card", "Check out for the customer", "checkout-for-customer", disabled=~CAN_EDIT
            ),
            href=rx.cond(CAN_EDIT, "/checkout", "/cart"),
            width="100%",
        ),
        muted("Places the order now in the customer's name, paid with the card they give you.", size="1"),
        width="100%",
        spacing="2",
    )


def cart_code() -> rx.Component:
    """An anonymous shopper's cart code, to read out to customer service over the phone."""
    return rx.cond(
        ~SessionState.signed_in & (LiveCart.code != "") & (LiveCart.lines.length() > 0),
        rx.callout(
            rx.text(
                "On the phone with customer service? Read them your cart code: ",
                rx.code(LiveCart.code, size="4", weight="bold", custom_attrs=tid("cart-code")),
                ". They can move this cart into your customer account.",
            ),
            icon="phone",
        ),
    )


def moved_notice() -> rx.Component:
    return rx.cond(
        LiveCart.moved & ~SessionState.signed_in,
        rx.callout(
            "Customer service moved your cart into a customer's account. Sign in to that account to see it.",
            icon="headset",
            custom_attrs=tid("cart-moved-notice"),
        ),
    )


def bind_cart_code() -> rx.Component:
    """On behalf, holding the lock: move an anonymous shopper's cart into this customer's with its code."""
    return rx.form(
        rx.vstack(
            rx.el.label("Shopper's cart code", html_for="f-bind-cart-code", class_name="field-label"),
            rx.hstack(
                rx.input(
                    id="f-bind-cart-code",
                    name="cart_code",
                    placeholder="K7QM-4XPA",
                    max_length=40,
                    auto_complete="off",
                    disabled=~LOCKED_BY_ME,
                    custom_attrs=tid("bind-cart-code"),
                ),
                rx.button(
                    "Move cart here",
                    type="submit",
                    size="2",
                    disabled=~LOCKED_BY_ME,
                    custom_attrs=tid("bind-cart-submit"),
                ),
                spacing="2",
            ),
            error_text(CartState.bind_code_error, "bind-cart-error", size="1"),
            rx.text(
                "The lines of an anonymous shopper's cart move into this customer's cart.",
                size="1",
                color=style.MUTED,
            ),
            spacing="1",
        ),
        on_submit=CartState.bind_cart_code,
        # A cart change bumps the version and clears the box; a refusal keeps what was typed to fix.
        key=LiveCart.version.to(str) + "-bind",
        reset_on_submit=False,
        padding=style.PAD_PANEL,
        border_radius=style.RADIUS,
        background=style.WARNING_SOFT,
        width="100%",
    )


@page("/cart", "Cart — Harbor & Pine")
def cart_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Shopping cart", size="6"),
        rx.cond(
            SessionState.on_behalf,
            rx.vstack(
                lock_controls(), bind_cart_code(), max_width=style.FORM_WIDTH, width="100%", spacing="2"
            ),
        ),
        readonly_notice(),
        moved_notice(),
        cart_code(),
        rx.cond(
            (LiveCart.prepared_by != "") & ~SessionState.on_behalf,
            rx.callout(
                "Customer service (" + LiveCart.prepared_by + ") prepared this cart for you.",
                icon="info",
                custom_attrs=tid("cart-prepared-notice"),
            ),
        ),
        rx.cond(
            LiveCart.lines.length() > 0,
            rx.vstack(
                table(["Item", "Price", "Quantity", "Total", ""], LiveCart.lines, cart_line),
                rx.vstack(
                    rx.cond(
                        LiveCart.has_discount,
                        amount_row("Promotions", ("−", LiveCart.discount), color=style.DANGER),
                    ),
                    rx.cond(
                        LiveCart.has_adjustment,
                        amount_row("Price adjustments", ("−", LiveCart.adjustment), color=style.WARNING),
                    ),
                    amount_row("Subtotal", LiveCart.subtotal, strong=True, testid="cart-subtotal"),
                    muted("Shipping and payment on the next step.", size="1"),
                    rx.cond(SessionState.on_behalf, finish_on_behalf(), checkout_button()),
                    width=["100%", style.SUMMARY_WIDTH],
                    align_self="end",
                    spacing="2",
                ),
                width="100%",
                spacing="4",
            ),
            empty_state(
                "shopping-cart",
                "Your cart is empty",
                "Find something you like in the shop.",
                "cart-empty",
                rx.link(rx.button("Continue shopping"), href="/"),
            ),
        ),
        spacing="4",
        width="100%",
    )
