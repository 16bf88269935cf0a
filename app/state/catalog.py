"""Catalog browsing and the product page."""

from __future__ import annotations

import reflex as rx

from app.services import catalog
from app.services.errors import NotFound
from app.services.validation import ascii_int, form_values
from app.state.guard import last_path_segment, run
from app.state.toast import event


def _int(value, default: int) -> int:
    number = value if type(value) is int else ascii_int(value)
    return default if number is None else max(1, min(number, 10_000))


class CatalogState(rx.State):
    keyword: str = ""
    category: str = ""
    category_name: str = ""
    sort: str = "featured"
    page: int = 1
    pages: int = 1
    total: int = 0
    items: list[catalog.ProductCard] = []
    categories: list[catalog.CategoryView] = []
    loading: bool = True
    error: str = ""

    @event
    async def load(self):
        params = self.router.url.query_parameters
        self.keyword = str(params.get("q", ""))[: catalog.MAX_KEYWORD]
        self.category = str(params.get("category", ""))[:40]
        self.sort = params.get("sort", "featured") if params.get("sort") in catalog.SORTS else "featured"
        query = catalog.CatalogQuery(self.keyword, self.category, self.sort, _int(params.get("page"), 1))
        self.error = ""
        try:
            result = await run(
                self,
                lambda db, caller, anon: (catalog.categories(db), catalog.search(db, caller, query)),
                activity=False,
            )
        except NotFound as e:
            self.error, self.items, self.total = e.message, [], 0
            self.loading = False
            return
        self.categories, data = result
        self.items, self.total, self.page, self.pages = data.items, data.total, data.page, data.pages
        self.category_name = data.category_name
        self.loading = False

    def _url(self, **changes) -> str:
        from urllib.parse import urlencode

        params = {"q": self.keyword, "category": self.category, "sort": self.sort, "page": self.page}
        params.update(changes)
        clean = {
            k: v
            for k, v in params.items()
            if v and not (k == "sort" and v == "featured") and not (k == "page" and v == 1)
        }
        return "/" + ("?" + urlencode(clean) if clean else "")

    @event
    def search(self, form: dict):
        form = form_values(form)
        keyword = str(form.get("q", "")).strip()[: catalog.MAX_KEYWORD]
        return rx.redirect(self._url(q=keyword, category="", page=1) if keyword else "/")

    @event
    def set_sort(self, value: str):
        return rx.redirect(self._url(sort=value if value in catalog.SORTS else "featured", page=1))

    @event
    def go_page(self, page: int):
        return rx.redirect(self._url(page=_int(page, 1)))

    @rx.var
    def has_prev(self) -> bool:
        return self.page > 1

    @rx.var
    def has_next(self) -> bool:
        return self.page < self.pages


class ProductState(rx.State):
    product: catalog.ProductPage = catalog.ProductPage()
    found: bool = True
    loading: bool = True
    option1: str = ""
    option2: str = ""
    quantity: str = "1"
    quantity_error: str = ""

    @event
    async def load(self):
        code = last_path_segment(self)
        self.loading = True
        try:
            self.product = await run(
                self, lambda db, caller, anon: catalog.product_page(db, caller, code), activity=False
            )
            self.found = True
        except NotFound:  # not Unavailable: a database out of reach is no missing product
            self.product, self.found = catalog.ProductPage(), False
        self.option1 = (self.product.option1_values or [""])[0] if self.found else ""
        self.option2 = (self.product.option2_values or [""])[0] if self.found else ""
        self.quantity, self.quantity_error, self.loading = "1", "", False

    @event
    def set_option1(self, value: str):
        self.option1 = value

    @event
    def set_option2(self, value: str):
        self.option2 = value

    @event
    def set_quantity(self, value: str):
        self.quantity = value
        self.quantity_error = ""

    def _variant(self) -> catalog.VariantView | None:
        """The variant the chosen options name, if the product has it."""
        return catalog.find_variant(self.product.variants, self.option1, self.option2)

    @rx.var
    def stock_label(self) -> str:
        v = self._variant()
        if not v:
            return "This combination is not available."
        if v.stock <= 0:
            return "Out of stock"
        if v.stock <= 5:
            return f"Only {v.stock} left"
        return "In stock"

    @rx.var
    def in_stock(self) -> bool:
        v = self._variant()
        return bool(v) and v.stock > 0

    @event
    async def add_to_cart(self):
        from app.services.validation import QUANTITY_MESSAGE, parse_quantity
        from app.state.cart import CartState

        if parse_quantity(self.quantity) is None:
            self.quantity_error = QUANTITY_MESSAGE
            return
        v = self._variant()
        cart = await self.get_state(CartState)
        return await cart.add(v.sku if v else "", self.quantity)
