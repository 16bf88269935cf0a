import reflex as rx

from app.state.catalog import ProductState
from components import style
from components.shell import page
from components.ui import empty_state, error_text, loading, price, tid


def option_select(label: rx.Var, values: rx.Var, value: rx.Var, on_change, testid: str) -> rx.Component:
    return rx.cond(
        values.length() > 0,
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.select.root(
                rx.select.trigger(aria_label=label, custom_attrs=tid(testid)),
                rx.select.content(rx.foreach(values, lambda v: rx.select.item(v, value=v))),
                value=value,
                on_change=on_change,
            ),
            spacing="1",
        ),
    )


@page("/product/[code]", "Product — Harbor & Pine", on_load=ProductState.load)
def product_page() -> rx.Component:
    p = ProductState.product
    return loading(
        ProductState.loading,
        rx.cond(
            ProductState.found,
            rx.flex(
                rx.image(
                    src=p.image,
                    alt=p.name,
                    width=["100%", "100%", "420px"],
                    border_radius=style.RADIUS_LARGE,
                    border=f"1px solid {style.LINE}",
                ),
                rx.vstack(
                    rx.link(p.category, href="/?category=" + p.category_slug, size="2"),
                    rx.heading(p.name, size="7"),
                    price(p.price, p.list_price, p.discounted, testid="pdp-price", size="6"),
                    rx.cond(
                        p.discounted,
                        rx.badge(p.promo, color_scheme="red", custom_attrs=tid("pdp-promo")),
                    ),
                    rx.text(p.description, color=style.MUTED),
                    option_select(
                        p.option1_name,
                        p.option1_values,
                        ProductState.option1,
                        ProductState.set_option1,
                        "pdp-option1",
                    ),
                    option_select(
                        p.option2_name,
                        p.option2_values,
                        ProductState.option2,
                        ProductState.set_option2,
                        "pdp-option2",
                    ),
                    rx.text(
                        ProductState.stock_label,
                        size="2",
                        color=rx.cond(ProductState.in_stock, style.SUCCESS, style.DANGER),
                        custom_attrs=tid("pdp-stock"),
                    ),
                    rx.hstack(
                        rx.vstack(
                            rx.el.label("Quantity", html_for="pdp-qty", class_name="field-label"),
                            rx.input(
                                id="pdp-qty",
                                type="number",
                                min=1,
                                max=99,
                                value=ProductState.quantity,
                                on_change=ProductState.set_quantity,
                                width=style.QUANTITY_INPUT_SMALL,
                                custom_attrs=tid("pdp-qty"),
                            ),
                            spacing="1",
                        ),
                        rx.button(
                            rx.icon("shopping-cart", size=16),
                            "Add to Cart",
                            size="3",
                            disabled=~ProductState.in_stock,
                            on_click=ProductState.add_to_cart,
                            custom_attrs=tid("pdp-add-to-cart"),
                        ),
                        align="end",
                        spacing="3",
                    ),
                    error_text(ProductState.quantity_error, "pdp-qty-error", size="2"),
                    spacing="3",
                    max_width=style.MEDIA_WIDTH,
                ),
                direction=rx.breakpoints(initial="column", md="row"),
                spacing="6",
            ),
            empty_state(
                "package-x",
                "Product not found",
                "We could not find that product. It may have been removed.",
                "not-found",
                rx.link("Back to the shop", href="/"),
            ),
        ),
    )
