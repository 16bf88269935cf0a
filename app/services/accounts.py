"""Accounts: creation, profile, addresses, consent and order history (My Account)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, case, func
from sqlmodel import Session, select

from app.services import audit, consent, email_change, onbehalf, order_status
from app.services.auth import hash_password, validate_password
from app.services.caller import Caller
from app.services.db import as_utc, get_by_id, update_where, utcnow
from app.services.errors import DomainError, FieldErrors, Forbidden, NotFound
from app.services.money import format_cents
from app.services.validation import clean, digits, email_error, optional, phone_error, required
from models import Account, Address, Order, OrderLine

NAME_MAX = 60
MAX_ADDRESSES = 20
# An account registered online whose confirmation link was not used yet (app/services/registration.py).
PENDING = "pending"
TAKEN = "An account with this email already exists. Sign in instead."
# Only customer service meets this one: the registration's own answer never says whether an address is known.
TAKEN_PENDING = (
    "Someone registered this address online and has not opened the confirmation link yet. Ask the customer "
    "to use the link in that email, or to register again for a new one."
)


# -- what My Account and checkout show (typed views: a misspelt field fails the build, not a blank) ------


@dataclass(frozen=True)
class Profile:
    """The effective customer's own details. Empty defaults: My Account starts from an empty profile."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""  # the mobile phone
    phone_home: str = ""
    phone_work: str = ""
    customer_number: str = ""
    allow_assistance: bool = True
    # A new address waiting for the customer to open the link mailed to it (app/services/email_change.py).
    pending_email: str = ""


@dataclass(frozen=True)
class AddressView:
    id: int
    full_name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    phone: str
    is_default_billing: bool
    is_default_shipping: bool
    summary: str  # the address on one line


@dataclass(frozen=True)
class OrderSummary:
    """One order in the order history."""

    number: str
    date: str
    total: str
    status: str  # app/services/order_status.py: placed, ready_for_pickup, shipped, completed, cancelled
    status_label: str
    assisted: bool  # placed by customer service
    summary: str  # e.g. "3 items · coupon WELCOME10"


def refresh_search_columns(db: Session, account: Account) -> None:
    """Keep find-customer's normalized columns in step with the account and its default address."""
    account.first_name_norm = account.first_name.strip().lower()
    account.last_name_norm = account.last_name.strip().lower()
    account.phone_norm = digits(account.phone)
    account.phone_home_norm = digits(account.phone_home)
    account.phone_work_norm = digits(account.phone_work)
    shipping = None
    if account.id is not None:
        shipping = db.exec(
            select(Address).where(Address.account_id == account.id, Address.is_default_shipping)
        ).first()
    account.postal_code_norm = digits_and_letters(shipping.postal_code) if shipping else ""
    account.city = shipping.city if shipping else ""
    db.add(account)


def digits_and_letters(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isalnum())


def create_account(
    db: Session,
    *,
    first_name: object,
    last_name: object,
    email: object,
    password: object,
    phone: object = "",
    phone_home: object = "",
    phone_work: object = "",
    role: str = "shopper",
    password_hash: str | None = None,
    segments: str = "",
    allow_assistance: bool = True,
    status: str = "active",
) -> Account:
    first, last, mail, tel = clean(first_name), clean(last_name), clean(email).lower(), clean(phone)
    home, work = clean(phone_home), clean(phone_work)
    errors = {
        "first_name": required(first, "First name", NAME_MAX),
        "last_name": required(last, "Last name", NAME_MAX),
        "email": email_error(mail),
        "phone": phone_error(tel),
        "phone_home": phone_error(home),
        "phone_work": phone_error(work),
        "password": None if password_hash else validate_password(password),
    }
    if not errors["email"]:
        holder = db.exec(select(Account.status).where(Account.email == mail)).first()
        if holder is not None:
            errors["email"] = TAKEN_PENDING if holder == PENDING else TAKEN
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise FieldErrors(errors)
    account = Account(
        customer_number=f"T{uuid.uuid4().hex[:11]}",
        role=role,
        first_name=first,
        last_name=last,
        email=mail,
        phone=tel,
        phone_home=home,
        phone_work=work,
        password_hash=password_hash or hash_password(password),
        segments=segments,
        allow_assistance=allow_assistance,
        status=status,
    )
    refresh_search_columns(db, account)
    db.flush()
    account.customer_number = customer_number_for(account.id)
    db.add(account)
    db.flush()
    return account


def customer_number_for(account_id: int) -> str:
    return f"C{100000 + account_id:07d}"


def _customer(db: Session, caller: Caller) -> Account:
    account = db.get(Account, caller.require_customer())
    if account is None:
        raise NotFound("That account no longer exists.")
    return account


def profile(db: Session, caller: Caller) -> Profile:
    a = _customer(db, caller)
    return Profile(
        first_name=a.first_name,
        last_name=a.last_name,
        email=a.email,
        phone=a.phone,
        phone_home=a.phone_home,
        phone_work=a.phone_work,
        customer_number=a.customer_number,
        allow_assistance=consent.allows(a),
        pending_email=email_change.pending(db, a.id),
    )


PROFILE_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "phone": "mobile phone",
    "phone_home": "home phone",
    "phone_work": "work phone",
}
PHONES = ("phone", "phone_home", "phone_work")  # mobile, home, work
# In update_profile's answer: a change of email was asked for; it takes effect once confirmed.
EMAIL_PENDING = "email (waiting for confirmation)"
NOT_ON_BEHALF = (
    "Customer service cannot change a customer's email address. The customer changes it in My Account "
    "and confirms it from the new address."
)


def _shown(value: str) -> str:
    return value or "(none)"


def update_profile(
    db: Session,
    caller: Caller,
    first_name: object,
    last_name: object,
    email: object,
    phone: object,
    phone_home: object = None,
    phone_work: object = None,
) -> list[str]:
    """Update the effective customer's profile; returns the changed field labels. `phone` is the mobile;
    a home or work phone not given (None) stays as it is.

    The email is the key to the account, so it never changes here: customer service may not change it at
    all, and a customer's new address is mailed a confirmation link (EMAIL_PENDING in the answer).
    """
    a = _customer(db, caller)
    values = {
        "first_name": clean(first_name),
        "last_name": clean(last_name),
        "email": clean(email).lower(),
        "phone": clean(phone),
        "phone_home": a.phone_home if phone_home is None else clean(phone_home),
        "phone_work": a.phone_work if phone_work is None else clean(phone_work),
    }
    errors = {
        "first_name": required(values["first_name"], "First name", NAME_MAX),
        "last_name": required(values["last_name"], "Last name", NAME_MAX),
        "email": email_error(values["email"]),
        **{f: phone_error(values[f]) for f in PHONES},
    }
    new_email = not errors["email"] and values["email"] != a.email
    if new_email and caller.on_behalf:
        errors["email"] = NOT_ON_BEHALF
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise FieldErrors(errors)
    if new_email:
        # The same answer whether or not another account has the address (its owner is told instead of
        # mailed a link): the form tells nobody which addresses have accounts.
        email_change.request(db, a, values["email"])  # may refuse (its hourly quota) before anything changed
    changed = [f for f, v in values.items() if f != "email" and getattr(a, f) != v]
    if changed and caller.on_behalf:
        audit.record(
            db,
            caller,
            "profile_changed",
            details="; ".join(
                f"{PROFILE_LABELS[f]}: {_shown(getattr(a, f))} → {_shown(values[f])}" for f in changed
            ),
        )
    for f in changed:
        setattr(a, f, values[f])
    refresh_search_columns(db, a)
    return [PROFILE_LABELS[f] for f in changed] + ([EMAIL_PENDING] if new_email else [])


def set_assistance(db: Session, caller: Caller, allowed: bool) -> None:
    if not isinstance(allowed, bool):
        raise DomainError("Choose on or off.")
    a = _customer(db, caller)
    if caller.on_behalf:
        # The switch protects the customer from customer service; only the customer may flip it.
        raise Forbidden("Only the customer can change this setting.")
    if not consent.switch_shown():
        raise Forbidden("This store's customer service may always help you; there is nothing to switch.")
    a.allow_assistance = allowed
    a.assistance_chosen_at = utcnow()
    db.add(a)
    if not allowed:
        # Withdrawn consent ends every open session on the customer's behalf at once (their lock goes, and
        # the CSRs' pages stop receiving the customer's cart), not at the CSR's next click.
        onbehalf.end_all_for_customer(db, a.id, "access_revoked")


def address_summary(a: Address) -> str:
    return ", ".join(p for p in [a.full_name, a.line1, a.line2, f"{a.postal_code} {a.city}", a.country] if p)


def address_view(a: Address) -> AddressView:
    return AddressView(
        id=a.id,
        full_name=a.full_name,
        line1=a.line1,
        line2=a.line2,
        city=a.city,
        postal_code=a.postal_code,
        country=a.country,
        phone=a.phone,
        is_default_billing=a.is_default_billing,
        is_default_shipping=a.is_default_shipping,
        summary=address_summary(a),
    )


def addresses(db: Session, caller: Caller) -> list[AddressView]:
    cid = caller.require_customer()
    rows = db.exec(select(Address).where(Address.account_id == cid).order_by(Address.id))
    return [address_view(a) for a in rows]


def validate_address(fields: dict) -> tuple[dict, dict[str, str]]:
    values = {
        k: clean(fields.get(k, ""))
        for k in ("full_name", "line1", "line2", "city", "postal_code", "country", "phone")
    }
    values["country"] = (values["country"] or "US").upper()
    errors = {
        "full_name": required(values["full_name"], "Full name", 120),
        "line1": required(values["line1"], "Address", 120),
        "line2": optional(values["line2"], "Address line 2", 120),
        "city": required(values["city"], "City", 80),
        "postal_code": required(values["postal_code"], "Postal code", 20),
        "country": None
        if len(values["country"]) == 2 and values["country"].isalpha()
        else "Use a two-letter country code, like US.",
        "phone": phone_error(values["phone"]),
    }
    if not errors["postal_code"] and not digits_and_letters(values["postal_code"]):
        errors["postal_code"] = "Enter a valid postal code."
    return values, {k: v for k, v in errors.items() if v}


def add_address(
    db: Session,
    caller: Caller,
    fields: dict,
    *,
    default_shipping: bool = False,
    default_billing: bool = False,
) -> Address:
    a = _customer(db, caller)
    values, errors = validate_address(fields)
    if errors:
        raise FieldErrors(errors)
    count = len(db.exec(select(Address.id).where(Address.account_id == a.id)).all())
    if count >= MAX_ADDRESSES:
        raise DomainError(f"You can save at most {MAX_ADDRESSES} addresses.")
    address = Address(account_id=a.id, **values)
    db.add(address)
    db.flush()
    if default_shipping or count == 0:
        _set_default(db, a, address.id, "shipping")
    if default_billing or count == 0:
        _set_default(db, a, address.id, "billing")
    if caller.on_behalf:
        audit.record(db, caller, "address_added", details=address_summary(address))
    return address


def _set_default(db: Session, account: Account, address_id: int, kind: str) -> None:
    column = "is_default_shipping" if kind == "shipping" else "is_default_billing"
    db.exec(
        update_where(Address)
        .where(Address.account_id == account.id)
        .values({column: Address.id == address_id})
    )
    db.flush()
    db.expire_all()
    refresh_search_columns(db, account)


def set_default_address(db: Session, caller: Caller, address_id: object, kind: str) -> None:
    a = _customer(db, caller)
    address = get_by_id(db, Address, address_id)
    if address is None or address.account_id != a.id:
        raise NotFound("That address was not found.")
    if kind not in ("shipping", "billing"):
        raise DomainError("Unknown address kind.")
    _set_default(db, a, address.id, kind)
    if caller.on_behalf:
        audit.record(db, caller, "address_default", details=f"Default {kind}: {address_summary(address)}")


def delete_address(db: Session, caller: Caller, address_id: object) -> None:
    a = _customer(db, caller)
    address = get_by_id(db, Address, address_id)
    if address is None or address.account_id != a.id:
        raise NotFound("That address was not found.")
    summary = address_summary(address)
    db.delete(address)
    db.flush()
    refresh_search_columns(db, a)
    if caller.on_behalf:
        audit.record(db, caller, "address_deleted", details=summary)


# Built once (My Account, and an open Customer 360 page every few seconds): building them cost more than
# running them on SQLite. The orders, then their item counts, pickups and price adjustments in one query.
_ORDERS_OF = (
    select(Order)
    .where(Order.account_id == bindparam("customer_id"))
    .order_by(Order.created_at.desc(), Order.id.desc())
    .limit(100)
)
_LINE_FACTS = (
    select(
        OrderLine.order_id,
        func.sum(OrderLine.quantity),
        func.sum(case((OrderLine.fulfilment == "pickup", 1), else_=0)),
        func.sum(case((OrderLine.adjustment_cents > 0, 1), else_=0)),
    )
    .where(OrderLine.order_id.in_(bindparam("order_ids", expanding=True)))
    .group_by(OrderLine.order_id)
)


def order_history(db: Session, caller: Caller) -> list[OrderSummary]:
    cid = caller.require_customer()
    orders = db.exec(_ORDERS_OF, params={"customer_id": cid}).all()
    per_order = {
        order_id: (items, pickups, adjusted)
        for order_id, items, pickups, adjusted in db.exec(
            _LINE_FACTS, params={"order_ids": [o.id for o in orders]}
        ).all()
    }
    rows = []
    for o in orders:
        items, pickups, adjusted = per_order.get(o.id, (0, 0, 0))
        notes = [f"{items} item{'s' if items != 1 else ''}"]
        if pickups:
            notes.append("pick up in store" if o.shipping_method == "pickup" else "part pick up in store")
        if o.coupon_code:
            notes.append(f"coupon {o.coupon_code}")
        if adjusted:
            notes.append("price adjusted by customer service")
        rows.append(
            OrderSummary(
                number=o.number,
                date=as_utc(o.created_at).strftime("%Y-%m-%d"),
                total=format_cents(o.total_cents),
                status=o.status,
                status_label=order_status.label(o.status),
                assisted=o.placed_by_id is not None,
                summary=" · ".join(notes),
            )
        )
    return rows
