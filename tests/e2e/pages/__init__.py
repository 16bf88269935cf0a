"""Page objects over the data-testid contract (SPEC §9). Reusable by QA teams."""

from tests.e2e.pages.store import (
    AccountPage,
    AuditPage,
    CartPage,
    CatalogPage,
    CheckoutPage,
    CustomerServicePage,
    Header,
    LoginPage,
    MiniCart,
    ProductPage,
    Store,
)

__all__ = [
    "AccountPage",
    "AuditPage",
    "CartPage",
    "CatalogPage",
    "CheckoutPage",
    "CustomerServicePage",
    "Header",
    "LoginPage",
    "MiniCart",
    "ProductPage",
    "Store",
]
