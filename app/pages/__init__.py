"""One module per route; importing them registers the pages with components.shell.PAGES."""

from app.pages import (
    account,
    audit,
    cart,
    catalog,
    checkout,
    customer_service,
    login,
    not_found,
    order,
    product,
)

__all__ = [
    "account",
    "audit",
    "cart",
    "catalog",
    "checkout",
    "customer_service",
    "login",
    "not_found",
    "order",
    "product",
]
