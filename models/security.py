"""What slows an attacker down: failure counters in the database, and the browsers an account trusts.

Only hashes of what is counted (an email address, a client address, a device cookie) are stored.
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import utc_field, utcnow


class Throttle(SQLModel, table=True):
    """Attempts at one thing (sign-in to an address, from a source or a trusted browser; coupon guesses; Forgot
    password) counted in a time window; past the limit, refused until `blocked_until` or the window's end
    (app/services/throttle.py)."""

    key: str = Field(primary_key=True, max_length=100)  # "<scope>:<sha256 of the subject>"
    window_start: datetime = utc_field(index=True)
    count: int = Field(default=0)
    blocked_until: datetime | None = utc_field(default=None, nullable=True)


class TrustedDevice(SQLModel, table=True):
    """A browser that signed in to an account (OWASP's device cookie): its failed sign-ins are counted apart
    from everyone else's, so an attacker pausing the account never pauses the owner's browser.

    `token_hash` is the SHA-256 of the random value in the browser's `device` cookie; one browser can be
    trusted by several accounts.
    """

    __table_args__ = (UniqueConstraint("token_hash", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = utc_field(default_factory=utcnow)
    expires_at: datetime = utc_field()


class SessionHandoff(SQLModel, table=True):
    """A one-time code that becomes a sign-in session's HttpOnly cookie (app/services/session_cookie.py).

    The websocket cannot set an HttpOnly cookie: signing in ends by sending the browser to a small HTTP
    endpoint with this code, which sets the cookie and mints the session's token there. Only the SHA-256 of
    the code is stored; it lives a minute and is used once. No foreign key: a session may end first.
    """

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    session_id: int = Field(index=True)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(default=None, nullable=True)


class AssistCode(SQLModel, table=True):
    """A customer's verification code for customer service (ASSISTANCE_VERIFY=code, app/services/assistcodes.py):
    shown in My Account (`via` "page") or mailed at a CSR's request ("mail"); works once, until `expires_at`.

    Only an HMAC of the code (keyed by a server secret, bound to the account) is stored: six digits are too few
    for a plain hash. A newer code of the same `via` replaces the account's unused one (which expires at once).
    """

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    code_hash: str = Field(max_length=64)
    via: str = Field(max_length=10)
    created_at: datetime = utc_field(default_factory=utcnow)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(default=None, nullable=True)
