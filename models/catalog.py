"""Categories, products and their variants (one per combination of options)."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import utc_field, utcnow


class Category(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=80)
    position: int = Field(default=0)


class Product(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    name_norm: str = Field(max_length=120, index=True)
    description: str = Field(default="", max_length=2000)
    category_id: int = Field(foreign_key="category.id", index=True)
    price_cents: int
    image: str = Field(default="", max_length=200)  # path under assets/
    # Names of the options, e.g. "Colour|Size"; empty when the product has none.
    option_names: str = Field(default="", max_length=80)
    created_at: datetime = utc_field(default_factory=utcnow)


class Variant(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("product_id", "option1", "option2"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    sku: str = Field(max_length=60, unique=True)
    option1: str = Field(default="", max_length=40)
    option2: str = Field(default="", max_length=40)
    stock: int = Field(default=0)


class Store(SQLModel, table=True):
    """A physical store where a customer can pick up an order line."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=80)
    line1: str = Field(max_length=120)
    city: str = Field(max_length=80)
    postal_code: str = Field(max_length=20)
    active: bool = Field(default=True)


class StoreStock(SQLModel, table=True):
    """How many of a variant a store has on its shelves (separate from the web warehouse's Variant.stock)."""

    store_id: int = Field(foreign_key="store.id", primary_key=True)
    variant_id: int = Field(foreign_key="variant.id", primary_key=True, index=True)
    quantity: int = Field(default=0)
