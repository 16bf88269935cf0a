import reflex as rx

from app.state.catalog import CatalogState
from components import style
from components.shell import page
from components.ui import empty_state, loading, price, tid

SORT_LABELS = [
    ("featured", "Featured"),
    ("price_asc", "Price: low to high"),
    ("price_desc", "Price: high to low"),
    ("name", "Name"),
]


def product_card(item: rx.Var) -> rx.Component:  # a CatalogState.items row (ProductCard)
    return rx.link(
        rx.card(
            rx.vstack(
                rx.box(
                    rx.image(
                        src=item.image,
                        alt=item.name,
                        width="100%",
                        height="auto",
                        aspect_ratio="1",
                        object_fit="cover",
                        border_radius=style.RADIUS,
                    ),
                    rx.cond(
                        item.discounted,
                        rx.badge(
                            item.promo,
                            color_scheme="red",
                            position="absolute",
                            top="8px",
                            left="8px",
                            custom_attrs=tid("promo-badge"),
                        ),
                    ),
                    position="relative",
                    width="100%",
                ),
                rx.text(item.name, weight="medium", size="2"),
                price(item.price, item.list_price, item.discounted),
                spacing="2",
            ),
            height="100%",
        ),
        href="/product/" + item.code,
        underline="none",
        color="inherit",
        custom_attrs={"data-testid": "product-card", "data-code": item.code},
    )


def category_nav() -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            rx.link(
                rx.badge("All", size="2", variant=rx.cond(CatalogState.category == "", "solid", "soft")),
                href="/",
            ),
            rx.foreach(
                CatalogState.categories,
                lambda c: rx.link(
                    rx.badge(
                        c.name,
                        size="2",
                        variant=rx.cond(CatalogState.category == c.slug, "solid", "soft"),
                    ),
                    href="/?category=" + c.slug,
                    custom_attrs={"data-testid": "category-link", "data-slug": c.slug},
                ),
            ),
            wrap="wrap",
            spacing="2",
        ),
        aria_label="Categories",
    )


def pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            "Previous",
            variant="soft",
            disabled=~CatalogState.has_prev,
            on_click=CatalogState.go_page(CatalogState.page - 1),
            custom_attrs=tid("page-prev"),
        ),
        rx.text(
            "Page ", CatalogState.page, " of ", CatalogState.pages, size="2", custom_attrs=tid("page-info")
        ),
        rx.button(
            "Next",
            variant="soft",
            disabled=~CatalogState.has_next,
            on_click=CatalogState.go_page(CatalogState.page + 1),
            custom_attrs=tid("page-next"),
        ),
        justify="center",
        align="center",
        spacing="4",
        width="100%",
        margin_top="1.5em",
    )


@page("/", "Harbor & Pine — Shop", on_load=CatalogState.load)
def catalog_page() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(
                rx.cond(
                    CatalogState.keyword != "",
                    "Results for “" + CatalogState.keyword + "”",
                    rx.cond(CatalogState.category_name != "", CatalogState.category_name, "All products"),
                ),
                size="6",
            ),
            rx.spacer(),
            rx.el.label("Sort by", html_for="sort-select", class_name="sr-only"),
            rx.select.root(
                rx.select.trigger(
                    id="sort-select", aria_label="Sort products", custom_attrs=tid("sort-select")
                ),
                rx.select.content(*[rx.select.item(label, value=value) for value, label in SORT_LABELS]),
                value=CatalogState.sort,
                on_change=CatalogState.set_sort,
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        category_nav(),
        rx.text(
            CatalogState.total,
            " products",
            size="2",
            color=style.MUTED,
            custom_attrs=tid("result-count"),
        ),
        loading(
            CatalogState.loading,
            rx.cond(
                CatalogState.items.length() > 0,
                rx.vstack(
                    rx.grid(
                        rx.foreach(CatalogState.items, product_card),
                        columns=rx.breakpoints(initial="2", sm="3", md="4"),
                        spacing="4",
                        width="100%",
                    ),
                    pager(),
                    width="100%",
                ),
                empty_state(
                    "search-x",
                    "No products found",
                    rx.cond(
                        CatalogState.error != "",
                        CatalogState.error,
                        "Try another word or browse all products.",
                    ),
                    "catalog-empty",
                    rx.link("Browse all products", href="/"),
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )
