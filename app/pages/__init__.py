"""One module per route; importing them registers the pages with components.shell.PAGES."""

from app.pages import (
    account,
    audit,
    cart,
    catalog,
    checkout,
    confirm_account,
    confirm_email,
    customer360,
    customer_service,
    forgot_password,
    login,
    not_found,
    order,
    product,
    set_password,
)

__all__ = [
    "account",
    "audit",
    "cart",
    "catalog",
    "checkout",
    "confirm_account",
    "confirm_email",
    "customer360",
    "customer_service",
    "forgot_password",
    "login",
    "not_found",
    "order",
    "product",
    "set_password",
]
