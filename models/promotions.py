"""Promotions: who they target and what they take off."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import utc_field


class Promotion(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    target: str = Field(max_length=20)  # everyone | segment | customer
    segment: str = Field(default="", max_length=40)
    customer_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    kind: str = Field(max_length=10)  # percent | amount
    value: int  # percent (1-100) or cents
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    category_id: int | None = Field(default=None, foreign_key="category.id", index=True)
    active: bool = Field(default=True)


class Coupon(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, unique=True)  # stored upper-case
    kind: str = Field(max_length=10)  # percent | amount
    value: int  # percent (1-100) or cents
    valid_from: datetime | None = utc_field(default=None, nullable=True)
    valid_until: datetime | None = utc_field(default=None, nullable=True)
    usage_limit: int | None = None  # None: unlimited
    times_used: int = Field(default=0)
    per_customer_limit: int | None = Field(default=1)  # uses per customer; None: unlimited
    min_subtotal_cents: int = 0
    active: bool = Field(default=True)


class CouponUse(SQLModel, table=True):
    """How often one customer used one coupon: counted by a conditional UPDATE in the order's transaction,
    like `Coupon.times_used`."""

    coupon_id: int = Field(foreign_key="coupon.id", primary_key=True)
    account_id: int = Field(foreign_key="account.id", primary_key=True, index=True)
    times_used: int = Field(default=0)
