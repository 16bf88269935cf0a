"""The Caller every handler re-derives from its token (app/services/auth.py `resolve_caller`), and the
opaque names of staff and on-behalf sessions that cart viewers receive (docs/LIVE.md)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from app.services.errors import Forbidden
from models import Account


@dataclass(frozen=True)
class Caller:
    """Who is calling, derived on the server from the session token, never from the browser."""

    session_id: int | None = None
    account_id: int | None = None
    first_name: str = ""
    last_name: str = ""
    role: str = "anonymous"
    permissions: frozenset[str] = frozenset()
    # The customer whose store this is: the shopper themself, or the customer a CSR shops for.
    customer_id: int | None = None
    customer_first_name: str = ""
    customer_last_name: str = ""
    customer_segments: frozenset[str] = field(default_factory=frozenset)
    on_behalf_id: int | None = None
    # What the caller's own browser compares the shared cart with ("locked by you", "your lock was taken
    # over"), never their account id: customers' browsers see these too (docs/LIVE.md).
    staff_tag: str = ""

    @property
    def session_tag(self) -> str:
        return on_behalf_tag(self.on_behalf_id) if self.on_behalf_id is not None else ""

    @property
    def signed_in(self) -> bool:
        return self.account_id is not None

    @property
    def on_behalf(self) -> bool:
        return self.on_behalf_id is not None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def customer_name(self) -> str:
        return f"{self.customer_first_name} {self.customer_last_name}".strip()

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if not self.signed_in:
            raise Forbidden("Please sign in first.")
        if permission not in self.permissions:
            raise Forbidden("You do not have permission to do that.")

    def require_customer(self) -> int:
        """The effective customer id, or a refusal when there is none."""
        if self.customer_id is None:
            if self.signed_in:
                raise Forbidden("Access a customer's account first.")
            raise Forbidden("Please sign in first.")
        return self.customer_id


ANONYMOUS = Caller()


def staff_tag(account: Account) -> str:
    """An opaque, stable name for a staff account, for what every viewer of a cart receives.

    Keyed by the account's password hash (salted, never sent anywhere), so a tag cannot be turned back
    into an account id; it changes with the password, which ends every session anyway."""
    key = f"{account.password_hash or ''}:{account.id}".encode()
    return hmac.new(key, b"staff-tag", hashlib.sha256).hexdigest()[:16]


def on_behalf_tag(on_behalf_id: int) -> str:
    """The name of one on-behalf session in what the customer's cart viewers receive (its end)."""
    return hashlib.sha256(f"on-behalf-session:{on_behalf_id}".encode()).hexdigest()[:16]


def segments_of(account: Account) -> frozenset[str]:
    return parse_segments(account.segments)


def parse_segments(segments: str) -> frozenset[str]:
    """An account's `segments` column ("vip, Trade") as the set promotions are matched with."""
    return frozenset(s.strip().lower() for s in segments.split(",") if s.strip())
