"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from models.accounts import Account, Address, AuthSession, PasswordToken
from models.audit import AuditEvent, OnBehalfSession
from models.carts import Cart, CartLine
from models.catalog import Category, Product, Store, StoreStock, Variant
from models.notes import CustomerNote
from models.orders import Order, OrderEvent, OrderLine
from models.promotions import Coupon, CouponUse, Promotion
from models.security import AssistCode, SessionHandoff, Throttle, TrustedDevice

__all__ = [
    "Account",
    "Address",
    "AssistCode",
    "AuditEvent",
    "AuthSession",
    "Cart",
    "CartLine",
    "Category",
    "Coupon",
    "CouponUse",
    "CustomerNote",
    "OnBehalfSession",
    "Order",
    "OrderEvent",
    "OrderLine",
    "PasswordToken",
    "Product",
    "Promotion",
    "SessionHandoff",
    "Store",
    "StoreStock",
    "Throttle",
    "TrustedDevice",
    "Variant",
]
