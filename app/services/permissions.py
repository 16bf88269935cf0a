"""Roles map onto permission sets; code checks permissions, never role names
(docs/PRODUCT.md §Permissions and roles)."""

from __future__ import annotations

CUSTOMER_SEARCH = "customer.search"
CUSTOMER_ACCESS = "customer.access"
CART_LOCK = "cart.lock"
CART_TAKEOVER = "cart.takeover"
AUDIT_VIEW = "audit.view"
LOCK_RELEASE_ANY = "lock.release_any"
ORDER_ADJUST_PRICE = "order.adjust_price"
# Adjust beyond ADJUST_LIMIT_PERCENT, up to the whole amount (supervisors).
ORDER_ADJUST_UNLIMITED = "order.adjust_unlimited"
ORDER_CANCEL = "order.cancel"
ORDER_ADVANCE = "order.advance"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "shopper": frozenset(),
    "csr": frozenset(
        {CUSTOMER_SEARCH, CUSTOMER_ACCESS, CART_LOCK, CART_TAKEOVER, ORDER_ADJUST_PRICE, ORDER_CANCEL}
    ),
    "supervisor": frozenset(
        {
            CUSTOMER_SEARCH,
            CUSTOMER_ACCESS,
            CART_LOCK,
            CART_TAKEOVER,
            AUDIT_VIEW,
            LOCK_RELEASE_ANY,
            ORDER_ADJUST_PRICE,
            ORDER_ADJUST_UNLIMITED,
            ORDER_CANCEL,
            ORDER_ADVANCE,
        }
    ),
}


def permissions_for(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def is_staff_role(role: str) -> bool:
    """Staff accounts are never customers: nobody shops on their behalf."""
    return bool(permissions_for(role))
