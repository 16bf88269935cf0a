"""Accounts (shoppers, CSRs, supervisors), their addresses and sign-in sessions."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.base import search_column, utc_field, utcnow


class Account(SQLModel, table=True):
    __table_args__ = (
        # Find-customer: every criterion is a prefix range (or equality) on a normalized column,
        # behind the role/status filter, ending in the stable sort order.
        Index("ix_account_find_last", "role", "status", "last_name_norm", "first_name_norm", "id"),
        Index("ix_account_find_first", "role", "status", "first_name_norm", "last_name_norm", "id"),
        Index("ix_account_find_email", "role", "status", "email", "id"),
        # The phones' also hold the sort keys: a search by phone picks its page inside them (migration 0017).
        Index(
            "ix_account_find_phone", "role", "status", "phone_norm", "last_name_norm", "first_name_norm", "id"
        ),
        Index(
            "ix_account_find_phone_home",
            "role",
            "status",
            "phone_home_norm",
            "last_name_norm",
            "first_name_norm",
            "id",
        ),
        Index(
            "ix_account_find_phone_work",
            "role",
            "status",
            "phone_work_norm",
            "last_name_norm",
            "first_name_norm",
            "id",
        ),
        Index("ix_account_find_postal", "role", "status", "postal_code_norm", "last_name_norm", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_number: str = Field(max_length=12, unique=True, index=True)
    role: str = Field(default="shopper", max_length=20)  # shopper | csr | supervisor
    # active | pending (registered online, its confirmation link not used yet: cannot sign in) | disabled
    status: str = Field(default="active", max_length=20)
    first_name: str = Field(max_length=60)
    last_name: str = Field(max_length=60)
    email: str = search_column(254, unique=True)  # stored lower-cased
    phone: str = Field(default="", max_length=30)  # the mobile phone
    # Server defaults: rows inserted without them (the seed's bulk insert of synthetic customers) get "".
    phone_home: str = Field(default="", max_length=30, sa_column_kwargs={"server_default": ""})
    phone_work: str = Field(default="", max_length=30, sa_column_kwargs={"server_default": ""})
    password_hash: str = Field(max_length=255)
    allow_assistance: bool = Field(default=True)  # "Allow customer service to shop on my behalf"
    # When the customer last flipped that switch; None: never chose (what ASSISTANCE_CONSENT=opt-in refuses).
    assistance_chosen_at: datetime | None = utc_field(default=None, nullable=True)
    segments: str = Field(default="", max_length=200)  # comma separated, e.g. "vip"
    # Normalized copies for find-customer (lower-case names, digits-only phones, the default
    # shipping address's postal code and city).
    first_name_norm: str = search_column(60, default="")
    last_name_norm: str = search_column(60, default="")
    phone_norm: str = search_column(30, default="")
    phone_home_norm: str = search_column(30, default="", sa_column_kwargs={"server_default": ""})
    phone_work_norm: str = search_column(30, default="", sa_column_kwargs={"server_default": ""})
    postal_code_norm: str = search_column(20, default="")
    city: str = Field(default="", max_length=80)
    created_at: datetime = utc_field(default_factory=utcnow)


class Address(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    full_name: str = Field(max_length=120)
    line1: str = Field(max_length=120)
    line2: str = Field(default="", max_length=120)
    city: str = Field(max_length=80)
    postal_code: str = Field(max_length=20)
    country: str = Field(default="US", max_length=2)
    phone: str = Field(default="", max_length=30)
    is_default_billing: bool = Field(default=False)
    is_default_shipping: bool = Field(default=False)


class AuthSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of the random token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = utc_field(default_factory=utcnow)
    expires_at: datetime = utc_field()
    # Set while a CSR shops on behalf of a customer from this browser session.
    on_behalf_id: int | None = Field(default=None, foreign_key="onbehalfsession.id")


class PasswordToken(SQLModel, table=True):
    """A one-time link to set or reset a password. Only the SHA-256 of the random token is stored.

    Customer service creates one for a customer it registered (the customer has no password yet);
    "Forgot password" creates one for an existing account. A customer changing their email gets one at the
    new address to confirm it (purpose "email"); it never sets a password. Registering online mails one that
    finishes creating the account (purpose "register", app/services/registration.py); it carries the hash of
    the password chosen with that registration until it is used.
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    purpose: str = Field(default="reset", max_length=20)  # welcome | reset | email | register
    # For purpose "email": the address the customer asked to change to; it is theirs once they confirm.
    new_email: str = Field(default="", max_length=254)
    # For purpose "register": the argon2 hash of the password chosen when registering; emptied once used.
    password_hash: str = Field(default="", max_length=255)
    created_by_id: int | None = Field(default=None, foreign_key="account.id")  # the CSR, if any
    created_at: datetime = utc_field(default_factory=utcnow)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(default=None, nullable=True)
