"""Browsing: categories, keyword search, sort, pagination and product pages."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import func, or_
from sqlmodel import Session, select

from app.services import promotions
from app.services.caller import Caller
from app.services.errors import NotFound
from app.services.money import format_cents
from app.services.search_text import like_contains
from models import Category, Product, Variant

PAGE_SIZE = 12
SORTS = {
    "featured": (Product.id,),
    "price_asc": (Product.price_cents, Product.id),
    "price_desc": (Product.price_cents.desc(), Product.id),
    "name": (Product.name_norm, Product.id),
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


def categories(db: Session) -> list[CategoryView]:
    rows = db.exec(select(Category).order_by(Category.position, Category.name))
    return [CategoryView(slug=c.slug, name=c.name) for c in rows]


def product_card(product: Product, price: promotions.Price) -> ProductCard:
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
    stmt = select(Product)
    count = select(func.count()).select_from(Product)
    filters = []
    if keyword:
        pattern = like_contains(keyword)
        filters.append(
            or_(
                Product.name_norm.like(pattern, escape="\\"),
                func.lower(Product.description).like(pattern, escape="\\"),
            )
        )
    category_name = ""
    if query.category:
        category = db.exec(select(Category).where(Category.slug == query.category)).first()
        if category is None:
            raise NotFound("That category does not exist.")
        category_name = category.name
        filters.append(Product.category_id == category.id)
    for f in filters:
        stmt, count = stmt.where(f), count.where(f)
    total = db.exec(count).one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, query.page), pages)
    order = SORTS.get(query.sort, SORTS["featured"])
    rows = db.exec(stmt.order_by(*order).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
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
    product = db.exec(select(Product).where(Product.code == code)).first()
    if product is None:
        raise NotFound("We could not find that product.")
    promos = promotions.applicable(db, caller.customer_id, caller.customer_segments)
    price = promotions.price_of(product, promos)
    variants = db.exec(select(Variant).where(Variant.product_id == product.id).order_by(Variant.id)).all()
    names = [n for n in product.option_names.split("|") if n]
    values1 = list(dict.fromkeys(v.option1 for v in variants if v.option1))
    values2 = list(dict.fromkeys(v.option2 for v in variants if v.option2))
    category = db.get(Category, product.category_id)
    return ProductPage(
        **vars(product_card(product, price)),
        description=product.description,
        category=category.name if category else "",
        category_slug=category.slug if category else "",
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
