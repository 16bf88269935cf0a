"""Find customer (docs/PRODUCT.md §Find customer): prefix matching on indexed, normalized columns; at most 20
rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, or_, union
from sqlmodel import Session, select

from app.services import audit, carts, consent, passwords
from app.services.accounts import create_account, refresh_search_columns, validate_address
from app.services.auth import hash_password
from app.services.caller import Caller
from app.services.errors import FieldErrors
from app.services.permissions import CUSTOMER_ACCESS, CUSTOMER_SEARCH
from app.services.search_text import like_prefix
from app.services.tokens import new_token
from app.services.validation import clean, digits
from models import Account, Address, Cart, Order

LIMIT = 20
MAX_CRITERION = 60


@dataclass(frozen=True)
class Criteria:
    """The find-customer form's seven criteria: as validated here, and as typed (the page shows them again)."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""  # matches the mobile, home or work phone
    customer_number: str = ""
    postal_code: str = ""
    order_number: str = ""  # exact: the order's owner is the one row


@dataclass(frozen=True)
class CustomerRow:
    """One customer in the find-customer results (what the Customer Service page shows)."""

    id: int
    name: str
    email: str
    phone: str
    city: str
    customer_number: str
    lock: str  # "Unlocked" or "Locked by <holder>"
    assistance: bool


@dataclass(frozen=True)
class FoundCustomers:
    rows: list[CustomerRow]
    more: bool  # more than LIMIT matched: the page asks for more criteria


def _prefix(column, value: str, *, drives: bool):
    """A case-folded prefix match.

    The criterion that drives the search is a range its index can seek; the others are plain filters
    on `column || ''`, which no index serves, so the planner cannot pick a less selective index
    (SQLite has no statistics on ranges and would tie-break towards the one that gives the sort order).
    """
    pattern = like_prefix(value)
    if not drives:
        return (column + "").like(pattern, escape="\\")
    upper = value[:-1] + chr(ord(value[-1]) + 1)
    return and_(column >= value, column < upper, column.like(pattern, escape="\\"))


# The search is a Core statement on the tables' columns, not the ORM's: Account objects hydrated into the
# session and the ORM's statement compilation were a good part of a search's time. Rows are plain column rows
# (what a result row shows and consent.allows reads).
A, CART, ORDER = Account.__table__.c, Cart.__table__.c, Order.__table__.c
ROW_COLUMNS = (
    A.id,
    A.first_name,
    A.last_name,
    A.email,
    A.phone,
    A.city,
    A.customer_number,
    A.allow_assistance,
    A.assistance_chosen_at,
)


# Every phone of an account, each with its own index (models/accounts.py): mobile, home, work.
PHONE_COLUMNS = (A.phone_norm, A.phone_home_norm, A.phone_work_norm)


def _phone(value: str, *, drives: bool, filters: tuple = ()):
    """Any of the three phones starts with `value`.

    Driving, it is the ids of the first LIMIT + 1 active shoppers, in display order, in any of the three prefix
    ranges, with the other criteria (`filters`) applied there too. Each range is read from its own index, which
    also holds the sort keys (models/accounts.py), so the page is chosen inside the indexes (`UNION` of the
    three, sorted, limited) and only those rows are fetched by id. (A short prefix matches thousands of rows;
    fetching each by id to sort them was most of the search at 10,000,000 customers. A plain OR of the ranges
    lets SQLite walk the whole sort-order index instead.) Otherwise the three are plain filters, OR'ed.
    """
    if not drives:
        return or_(*[_prefix(column, value, drives=False) for column in PHONE_COLUMNS])
    matches = union(
        *[
            select(A.id, A.last_name_norm, A.first_name_norm).where(
                *_shopper(indexed=True), _prefix(column, value, drives=True), *filters
            )
            for column in PHONE_COLUMNS
        ]
    ).subquery("phone_matches")
    first_page = (
        select(matches.c.id)
        .order_by(matches.c.last_name_norm, matches.c.first_name_norm, matches.c.id)
        .limit(LIMIT + 1)
    )
    return A.id.in_(first_page)


def _phone_only_search():
    """The search by a phone alone, the commonest by phone, built once with bind parameters (`phone_lo`,
    `phone_hi`, `phone_like`): building its union for every search cost more than the other searches do."""
    lo, hi, like = bindparam("phone_lo"), bindparam("phone_hi"), bindparam("phone_like")
    matches = union(
        *[
            select(A.id, A.last_name_norm, A.first_name_norm).where(
                *_shopper(indexed=True), column >= lo, column < hi, column.like(like, escape="\\")
            )
            for column in PHONE_COLUMNS
        ]
    ).subquery("phone_matches")
    first_page = (
        select(matches.c.id)
        .order_by(matches.c.last_name_norm, matches.c.first_name_norm, matches.c.id)
        .limit(LIMIT + 1)
    )
    return (
        select(*ROW_COLUMNS)
        .where(*_shopper(indexed=False), A.id.in_(first_page))
        .order_by(A.last_name_norm, A.first_name_norm, A.id)
        .limit(LIMIT + 1)
    )


# Only active shoppers are listed. Not indexed (`|| ''`) where another access path must drive. Built once.
_SHOPPER = {
    True: (A.role == "shopper", A.status == "active"),
    False: ((A.role + "") == "shopper", (A.status + "") == "active"),
}


def _shopper(*, indexed: bool) -> tuple:
    return _SHOPPER[indexed]


_PHONE_ONLY = _phone_only_search()


def validate(raw: dict) -> Criteria:
    values = {
        k: (raw.get(k) if isinstance(raw.get(k), str) else "").strip() for k in Criteria.__dataclass_fields__
    }
    errors = {k: f"At most {MAX_CRITERION} characters." for k, v in values.items() if len(v) > MAX_CRITERION}
    if values["phone"] and not digits(values["phone"]):
        errors["phone"] = "Enter at least one digit of the phone number."
    if errors:
        raise FieldErrors(errors)
    if not any(values.values()):
        raise FieldErrors({"form": "Enter at least one search criterion."})
    return Criteria(**values)


def find(db: Session, caller: Caller, raw: dict) -> FoundCustomers:
    caller.require(CUSTOMER_SEARCH)
    c = validate(raw)
    code = "".join(ch for ch in c.postal_code.lower() if ch.isalnum())
    if c.postal_code and not code:
        raise FieldErrors({"postal_code": "Enter letters or digits of the postal code."})
    prefixes = [  # most selective first: the first one given drives the search
        (_prefix, A.email, c.email.lower()),
        (_phone, None, digits(c.phone)),
        (_prefix, A.postal_code_norm, code),
        (_prefix, A.last_name_norm, c.last_name.lower()),
        (_prefix, A.first_name_norm, c.first_name.lower()),
    ]
    given = [(match, column, value) for match, column, value in prefixes if value]
    exact = bool(c.customer_number or c.order_number)
    phone_drives = bool(given) and given[0][0] is _phone and not exact
    if phone_drives and len(given) == 1:
        value = given[0][2]
        bounds = {"phone_lo": value, "phone_hi": value[:-1] + chr(ord(value[-1]) + 1)}
        rows = db.exec(_PHONE_ONLY, params={**bounds, "phone_like": like_prefix(value)}).all()
        return _found(db, rows)
    stmt = select(*ROW_COLUMNS).where(*_shopper(indexed=not phone_drives))
    if c.customer_number:
        stmt = stmt.where(A.customer_number == c.customer_number.upper())
    if c.order_number:
        # Order numbers are unique (their index finds the one order); an unknown one, or anything that is
        # not an order number at all, simply matches nobody.
        owner = select(ORDER.account_id).where(ORDER.number == c.order_number.upper()).scalar_subquery()
        stmt = stmt.where(A.id == owner)
    if phone_drives:
        # The other criteria filter inside the phone ranges, before the page is chosen there.
        filters = tuple(match(column, value, drives=False) for match, column, value in given[1:])
        stmt = stmt.where(_phone(given[0][2], drives=True, filters=filters))
    else:
        for i, (match, column, value) in enumerate(given):
            drives = i == 0 and not exact
            stmt = stmt.where(
                match(value, drives=drives) if column is None else match(column, value, drives=drives)
            )
    rows = db.exec(stmt.order_by(A.last_name_norm, A.first_name_norm, A.id).limit(LIMIT + 1)).all()
    return _found(db, rows)


def _found(db: Session, rows: list) -> FoundCustomers:
    more = len(rows) > LIMIT
    rows = rows[:LIMIT]
    locks = _lock_status(db, [a.id for a in rows])
    return FoundCustomers(
        rows=[
            CustomerRow(
                id=a.id,
                name=f"{a.first_name} {a.last_name}",
                email=a.email,
                phone=a.phone,
                city=a.city,
                customer_number=a.customer_number,
                lock=locks.get(a.id, "Unlocked"),
                assistance=consent.allows(a),
            )
            for a in rows
        ],
        more=more,
    )


def _lock_status(db: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    out = {}
    # Column rows, not Cart and Account objects (lock_active reads locked_by_id and lock_expires_at).
    for row in db.exec(
        select(CART.account_id, CART.locked_by_id, CART.lock_expires_at, A.first_name, A.last_name)
        .join_from(Cart.__table__, Account.__table__, A.id == CART.locked_by_id)
        .where(CART.account_id.in_(ids), CART.status == "active")
    ):
        if carts.lock_active(row):
            out[row.account_id] = f"Locked by {row.first_name} {row.last_name}"
    return out


CREATE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",  # the mobile phone
    "phone_home",
    "phone_work",
    "line1",
    "line2",
    "city",
    "postal_code",
    "country",
)


NO_PHONE = "Enter at least one phone number: mobile, home or work."


def create_customer(db: Session, caller: Caller, raw: dict) -> Account:
    """A CSR creates an account for a caller who has none (docs/PRODUCT.md §Find customer); nothing is written
    unless all is valid.

    The customer is mailed a welcome link to choose their password once the transaction commits.
    """
    caller.require(CUSTOMER_ACCESS)
    values = {k: clean(raw.get(k, "")) if isinstance(raw, dict) else "" for k in CREATE_FIELDS}
    address, errors = validate_address(
        {**values, "full_name": f"{values['first_name']} {values['last_name']}".strip()}
    )
    errors.pop("full_name", None)  # reported on the name fields instead
    phones = [values["phone"], values["phone_home"], values["phone_work"]]
    if not any(phones):
        errors["phone"] = NO_PHONE
    try:
        with db.begin_nested():
            account = create_account(
                db,
                first_name=values["first_name"],
                last_name=values["last_name"],
                email=values["email"],
                phone=values["phone"],
                phone_home=values["phone_home"],
                phone_work=values["phone_work"],
                password=None,
                # No password anyone knows: the customer chooses one through the welcome link mailed below.
                password_hash=hash_password(new_token()),
            )
            if errors:
                raise FieldErrors(errors)
    except FieldErrors as e:
        raise FieldErrors({**e.errors, **errors}) from None
    address["phone"] = next(p for p in phones if p)
    db.add(Address(account_id=account.id, is_default_billing=True, is_default_shipping=True, **address))
    db.flush()
    refresh_search_columns(db, account)
    audit.record(
        db, caller, "customer_created", customer_id=account.id, details=f"Created {account.customer_number}"
    )
    passwords.send_welcome(db, caller, account)
    return account
