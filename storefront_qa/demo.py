"""The seeded demo identities (README, docs/QA.md §3) and the test card."""

from __future__ import annotations

from typing import NamedTuple


class Identity(NamedTuple):
    email: str
    password: str
    name: str = ""


CSR = Identity("csr@example.com", "csr-pass-123", "Casey Rep")
CSR2 = Identity("csr2@example.com", "csr-pass-123", "Sam Agent")
SUPERVISOR = Identity("supervisor@example.com", "super-pass-123", "Pat Lead")
JANE = Identity("jane@example.com", "shop-pass-123", "Jane Doe")  # VIP, two addresses, one order
JOHN = Identity("john@example.com", "shop-pass-123", "John Doe")  # switched assistance off

TEST_CARD = ("4242 4242 4242 4242", "12/30", "123")


def smith(n: int) -> Identity:
    """One of the 30 seeded Smiths, smith01…smith30@example.com."""
    if not 1 <= n <= 30:
        raise ValueError("the seed has smith01 to smith30")
    return Identity(f"smith{n:02d}@example.com", "shop-pass-123")


def account_id(engine, email: str) -> int:
    """The account id of `email` in the store's database (`engine`: the `store_db` fixture)."""
    from sqlmodel import Session, select

    from models import Account

    with Session(engine) as s:
        return s.exec(select(Account.id).where(Account.email == email)).one()


# Reflex's own toast while a page has lost its websocket (reconnecting).
CONNECTION_BANNER = "Cannot connect to server"


def cart_lines(engine, email: str) -> dict[str, int]:
    """The customer's active cart in the store's database: product code -> quantity (`engine`: `store_db`)."""
    from sqlmodel import Session, select

    from models import Account, Cart, CartLine, Product, Variant

    with Session(engine) as s:
        rows = s.exec(
            select(Product.code, CartLine.quantity)
            .join(Variant, Variant.product_id == Product.id)
            .join(CartLine, CartLine.variant_id == Variant.id)
            .join(Cart, Cart.id == CartLine.cart_id)
            .join(Account, Account.id == Cart.account_id)
            .where(Account.email == email, Cart.status == "active")
        )
        return dict(rows.all())
