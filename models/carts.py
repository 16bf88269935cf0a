"""Carts and their lines. `version` and the lock columns make concurrent edits safe
(docs/PRODUCT.md §Cart lock)."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.base import utc_field, utcnow


class Cart(SQLModel, table=True):
    __table_args__ = (
        # One active cart per registered customer, decided by the database.
        Index(
            "ux_cart_active_account",
            "account_id",
            unique=True,
            sqlite_where=text("status = 'active' AND account_id IS NOT NULL"),
            postgresql_where=text("status = 'active' AND account_id IS NOT NULL"),
        ),
        Index("ix_cart_anon", "anon_key_hash", "status"),
        # The sweeper looks for locks that ran out or were abandoned: only locked carts are indexed.
        Index(
            "ix_cart_locked",
            "lock_expires_at",
            sqlite_where=text("locked_by_id IS NOT NULL"),
            postgresql_where=text("locked_by_id IS NOT NULL"),
        ),
        # An anonymous cart's code for customer service (app/services/cart_codes.py): unique while it is set;
        # cleared when the cart is bound or merged, so a code names one cart at most, ever at a time.
        Index(
            "ux_cart_code",
            "code",
            unique=True,
            sqlite_where=text("code IS NOT NULL"),
            postgresql_where=text("code IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    anon_key_hash: str | None = Field(default=None, max_length=64)
    status: str = Field(default="active", max_length=20)  # active | ordered | merged | moved
    version: int = Field(default=1)
    locked_by_id: int | None = Field(default=None, foreign_key="account.id")
    locked_at: datetime | None = utc_field(default=None, nullable=True)
    lock_expires_at: datetime | None = utc_field(default=None, nullable=True)
    # Customer service prepared this cart and handed it back; shown to the customer once.
    prepared_by_id: int | None = Field(default=None, foreign_key="account.id")
    updated_at: datetime = utc_field(default_factory=utcnow)
    # An anonymous cart's code to read out to customer service, stored as shown without the dash (valid
    # only while the cart is active and not expired; app/services/cart_codes.py).
    code: str | None = Field(default=None, max_length=8)
    # Checkout extras kept with the cart until the order copies them (app/services/order_extras.py,
    # app/services/adjustments.py): who else may pick up the order, and customer service's reductions of
    # the shipping and of the order total (a reason and who granted each; docs/PRODUCT.md §Checkout on behalf).
    alt_first_name: str = Field(default="", max_length=60)
    alt_last_name: str = Field(default="", max_length=60)
    alt_email: str = Field(default="", max_length=254)
    alt_phone: str = Field(default="", max_length=30)
    shipping_adjust_cents: int = 0
    shipping_adjust_reason: str = Field(default="", max_length=200)
    shipping_adjusted_by_id: int | None = Field(default=None, foreign_key="account.id")
    order_adjust_cents: int = 0
    order_adjust_reason: str = Field(default="", max_length=200)
    order_adjusted_by_id: int | None = Field(default=None, foreign_key="account.id")


class CartLine(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("cart_id", "variant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cart_id: int = Field(foreign_key="cart.id", index=True)
    variant_id: int = Field(foreign_key="variant.id")
    quantity: int
    added_by_id: int | None = Field(default=None, foreign_key="account.id")
    added_at: datetime = utc_field(default_factory=utcnow)
    # A CSR's price reduction (order.adjust_price), granted for a quantity: `adjustment_cents` is the total
    # off the line for `adjustment_quantity` units (so a per-unit amount × the quantity at the time). The
    # discount never grows with the quantity: units beyond it are at full price (services/carts.py).
    adjustment_cents: int = 0
    adjustment_quantity: int = 0
    adjustment_reason: str = Field(default="", max_length=200)
    adjusted_by_id: int | None = Field(default=None, foreign_key="account.id")
    gift_message: str = Field(default="", max_length=200)  # this line's own, besides the order's
