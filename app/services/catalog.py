"""Browsing: categories, keyword search, sort, pagination and product pages."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import Row, bindparam, func, or_
from sqlmodel import Session, select

from app.services import promotions
from app.services.caller import Caller
from app.services.errors import NotFound
from app.services.money import format_cents
from app.services.search_text import like_contains
from models import Category, Product, Variant

PAGE_SIZE = 12
_PRODUCTS, _CATEGORIES, _VARIANTS = Product.__table__.c, Category.__table__.c, Variant.__table__.c
SORTS = {
    "featured": (_PRODUCTS.id,),
    "price_asc": (_PRODUCTS.price_cents, _PRODUCTS.id),
    "price_desc": (_PRODUCTS.price_cents.desc(), _PRODUCTS.id),
    "name": (_PRODUCTS.name_norm, _PRODUCTS.id),
}
MAX_KEYWORD = 100


@dataclass(frozen=True)
class CatalogQuery:
    keyword: str = ""
    category: str = ""
    sort: str = "featured"
    page: int = 1


# -- what the catalog pages show (typed views: a misspelt field fails the build, not a blank cell) --------


@dataclass(frozen=True)
class CategoryView:
    slug: str
    name: str


@dataclass(frozen=True)
class ProductCard:
    """A product as a card in the catalog, priced for the effective customer.

    Every field has an empty default so that the product page has an empty product to start from."""

    code: str = ""
    name: str = ""
    image: str = ""
    price: str = ""
    list_price: str = ""
    discounted: bool = False
    promo: str = ""


@dataclass(frozen=True)
class CatalogPage:
    items: list[ProductCard]
    total: int
    page: int
    pages: int
    category_name: str


@dataclass(frozen=True)
class VariantView:
    sku: str
    option1: str
    option2: str
    stock: int


@dataclass(frozen=True)
class ProductPage(ProductCard):
    description: str = ""
    category: str = ""
    category_slug: str = ""
    option1_name: str = ""
    option2_name: str = ""
    option1_values: list[str] = field(default_factory=list)
    option2_values: list[str] = field(default_factory=list)
    variants: list[VariantView] = field(default_factory=list)


# Every page load runs these (the catalog's, a product's): built once with bind parameters, as plain rows where
# no ORM object is needed, so a load compiles nothing and builds no objects it throws away (bench/RESULTS.md,
# "Page loads"). A catalog card needs only these columns of a product.
_CATEGORIES_IN_ORDER = select(_CATEGORIES.slug, _CATEGORIES.name).order_by(
    _CATEGORIES.position, _CATEGORIES.name
)
_CARD_COLUMNS = (
    _PRODUCTS.id,
    _PRODUCTS.category_id,
    _PRODUCTS.code,
    _PRODUCTS.name,
    _PRODUCTS.image,
    _PRODUCTS.price_cents,
)
_PRODUCT_WITH_CATEGORY = (
    select(
        *_CARD_COLUMNS,
        _PRODUCTS.description,
        _PRODUCTS.option_names,
        _CATEGORIES.name.label("category_name"),
        _CATEGORIES.slug.label("category_slug"),
    )
    .select_from(Product.__table__)
    .outerjoin(Category.__table__, _CATEGORIES.id == _PRODUCTS.category_id)
    .where(_PRODUCTS.code == bindparam("code"))
)
_VARIANTS_OF = (
    select(_VARIANTS.sku, _VARIANTS.option1, _VARIANTS.option2, _VARIANTS.stock)
    .where(_VARIANTS.product_id == bindparam("product_id"))
    .order_by(_VARIANTS.id)
)
_PAGE_OF_CARDS = {
    sort: select(*_CARD_COLUMNS).order_by(*order).limit(PAGE_SIZE).offset(bindparam("offset"))
    for sort, order in SORTS.items()
}
_PRODUCT_COUNT = select(func.count()).select_from(Product.__table__)
_CATEGORY_BY_SLUG = select(_CATEGORIES.id, _CATEGORIES.name).where(_CATEGORIES.slug == bindparam("slug"))


def categories(db: Session) -> list[CategoryView]:
    return [CategoryView(slug=c.slug, name=c.name) for c in db.execute(_CATEGORIES_IN_ORDER)]


def product_card(product: Row, price: promotions.Price) -> ProductCard:
    """`product`: a row of `_CARD_COLUMNS` (and perhaps more)."""
    return ProductCard(
        code=product.code,
        name=product.name,
        image=product.image,
        price=format_cents(price.cents),
        list_price=format_cents(price.list_cents),
        discounted=price.discounted,
        promo=price.label,
    )


def search(db: Session, caller: Caller, query: CatalogQuery) -> CatalogPage:
    """One page of product cards, priced for the effective customer."""
    keyword = query.keyword.strip().lower()[:MAX_KEYWORD]
    filters = []
    if keyword:
        pattern = like_contains(keyword)
        filters.append(
            or_(
                _PRODUCTS.name_norm.like(pattern, escape="\\"),
                func.lower(_PRODUCTS.description).like(pattern, escape="\\"),
            )
        )
    category_name = ""
    if query.category:
        category = db.execute(_CATEGORY_BY_SLUG, {"slug": query.category}).first()
        if category is None:
            raise NotFound("That category does not exist.")
        category_name = category.name
        filters.append(_PRODUCTS.category_id == category.id)
    stmt, count = _PAGE_OF_CARDS.get(query.sort, _PAGE_OF_CARDS["featured"]), _PRODUCT_COUNT
    for f in filters:  # a search or a category: built for this query (the whole catalog's are built once)
        stmt, count = stmt.where(f), count.where(f)
    total = db.execute(count).scalar_one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, query.page), pages)
    rows = db.execute(stmt, {"offset": (page - 1) * PAGE_SIZE}).all()
    promos = promotions.applicable(db, caller.customer_id, caller.customer_segments)
    return CatalogPage(
        items=[product_card(p, promotions.price_of(p, promos)) for p in rows],
        total=total,
        page=page,
        pages=pages,
        category_name=category_name,
    )


def product_page(db: Session, caller: Caller, code: str) -> ProductPage:
    if not isinstance(code, str) or not code or len(code) > 40:
        raise NotFound("We could not find that product.")
    product = db.execute(_PRODUCT_WITH_CATEGORY, {"code": code}).first()
    if product is None:
        raise NotFound("We could not find that product.")
    promos = promotions.applicable(db, caller.customer_id, caller.customer_segments)
    price = promotions.price_of(product, promos)
    variants = db.execute(_VARIANTS_OF, {"product_id": product.id}).all()
    names = [n for n in product.option_names.split("|") if n]
    values1 = list(dict.fromkeys(v.option1 for v in variants if v.option1))
    values2 = list(dict.fromkeys(v.option2 for v in variants if v.option2))
    return ProductPage(
        **vars(product_card(product, price)),
        description=product.description,
        category=product.category_name or "",
        category_slug=product.category_slug or "",
        option1_name=names[0] if names else "",
        option2_name=names[1] if len(names) > 1 else "",
        option1_values=values1,
        option2_values=values2,
        variants=[
            VariantView(sku=v.sku, option1=v.option1, option2=v.option2, stock=v.stock) for v in variants
        ],
    )


def find_variant(variants: list[VariantView], option1: str, option2: str) -> VariantView | None:
    for v in variants:
        if v.option1 == option1 and v.option2 == option2:
            return v
    return None
