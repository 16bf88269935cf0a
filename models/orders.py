"""Placed orders: a snapshot of lines, prices, address and payment at the time of ordering."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.base import utc_field, utcnow


class Order(SQLModel, table=True):
    __table_args__ = (Index("ix_order_account_created", "account_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    account_id: int = Field(foreign_key="account.id")
    placed_by_id: int | None = Field(default=None, foreign_key="account.id")  # the CSR, if any
    cart_id: int | None = Field(default=None, foreign_key="cart.id")
    # placed -> ready_for_pickup / shipped -> completed, or cancelled (app/services/order_status.py)
    status: str = Field(default="placed", max_length=20)
    payment_status: str = Field(default="paid", max_length=20)  # paid | refunded
    subtotal_cents: int
    discount_cents: int = 0
    shipping_cents: int
    total_cents: int
    shipping_method: str = Field(max_length=20)
    ship_name: str = Field(max_length=120)
    ship_line1: str = Field(max_length=120)
    ship_line2: str = Field(default="", max_length=120)
    ship_city: str = Field(max_length=80)
    ship_postal_code: str = Field(max_length=20)
    ship_country: str = Field(default="US", max_length=2)
    payment_brand: str = Field(max_length=20)
    payment_last4: str = Field(max_length=4)
    gift_message: str = Field(default="", max_length=300)
    order_note: str = Field(default="", max_length=500)  # customer service's note, not shown to the customer
    coupon_code: str = Field(default="", max_length=30)
    coupon_discount_cents: int = 0
    created_at: datetime = utc_field(default_factory=utcnow)
    # Who else may pick up the order's pickup lines ("" when nobody), copied from the cart.
    alt_first_name: str = Field(default="", max_length=60)
    alt_last_name: str = Field(default="", max_length=60)
    alt_email: str = Field(default="", max_length=254)
    alt_phone: str = Field(default="", max_length=30)
    # Customer service's reductions, as applied: total_cents = subtotal − discounts − coupon + shipping
    # − shipping_adjustment_cents − order_adjustment_cents (shipping_cents is the cost before its reduction).
    shipping_adjustment_cents: int = 0
    shipping_adjustment_reason: str = Field(default="", max_length=200)
    order_adjustment_cents: int = 0
    order_adjustment_reason: str = Field(default="", max_length=200)


class OrderLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    variant_id: int = Field(foreign_key="variant.id")
    product_code: str = Field(max_length=40)
    name: str = Field(max_length=120)
    options: str = Field(default="", max_length=80)
    quantity: int
    unit_price_cents: int  # before customer service's price adjustment
    line_total_cents: int  # unit_price_cents × quantity − adjustment_cents
    adjustment_cents: int = 0  # customer service's reduction, for the whole line
    adjustment_reason: str = Field(default="", max_length=200)
    fulfilment: str = Field(default="ship", max_length=10)  # ship | pickup
    pickup_store_id: int | None = Field(default=None, foreign_key="store.id")
    gift_message: str = Field(default="", max_length=200)


class OrderEvent(SQLModel, table=True):
    """One step of an order's dated history: the status it reached, when, and who moved it (None: the
    customer themself, or nobody on record)."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    status: str = Field(max_length=20)
    at: datetime = utc_field(default_factory=utcnow)
    by_id: int | None = Field(default=None, foreign_key="account.id")
    note: str = Field(default="", max_length=200)
