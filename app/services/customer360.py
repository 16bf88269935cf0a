"""Customer 360 (docs/PRODUCT.md §Find customer): one customer as customer service sees them, and the notes CSRs keep on them.

The page behind it is a deep link a CSR can share (`/customer-service/customer/<customer number>`), so the
number comes from anyone's address bar: a malformed number, an unknown one and a staff account's all read
"not found", alike. Notes are append-only: there is no way to change or delete one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.services import accounts, audit, carts, consent
from app.services.caller import Caller
from app.services.db import as_utc
from app.services.errors import FieldErrors, NotFound
from app.services.onbehalf import END_REASONS
from app.services.permissions import CUSTOMER_ACCESS
from app.services.validation import clean
from models import Account, CustomerNote, OnBehalfSession
from models.notes import NOTE_MAX

ORDERS = 10
SESSIONS = 20
NOTES = 100
NUMBER = re.compile(r"C\d{7}")
NOT_FOUND = "No customer has that number."
NOTE_EMPTY = "Write the note first."
NOTE_TOO_LONG = f"A note is at most {NOTE_MAX} characters."


def _when(value) -> str:
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC") if value else ""


@dataclass(frozen=True)
class Profile:
    id: int = 0
    name: str = ""
    email: str = ""
    phone: str = ""
    customer_number: str = ""
    since: str = ""  # "YYYY-MM-DD": when the account was created
    assistance: str = ""  # whether customer service may shop on their behalf, in words


@dataclass(frozen=True)
class AddressRow:
    summary: str
    phone: str
    defaults: str  # "Default shipping · Default billing", or ""


@dataclass(frozen=True)
class CartLineRow:
    code: str
    name: str
    options: str
    quantity: int
    total: str  # the line's total at the customer's own prices


@dataclass(frozen=True)
class CartSummary:
    lines: list[CartLineRow] = field(default_factory=list)
    count: int = 0
    subtotal: str = "$0.00"
    summary: str = "0 items · $0.00"
    locked: bool = False
    lock: str = "Unlocked"  # or "Locked by <CSR> since HH:MM UTC"


@dataclass(frozen=True)
class OrderRow:
    number: str
    date: str
    total: str
    status: str
    assisted: bool  # placed by customer service
    summary: str


@dataclass(frozen=True)
class SessionRow:
    id: int
    csr: str
    started: str
    ended: str  # "" while in progress
    outcome: str  # END_REASONS' words, or "In progress"


@dataclass(frozen=True)
class NoteRow:
    id: int
    author: str
    at: str
    body: str


@dataclass(frozen=True)
class Customer360:
    profile: Profile = field(default_factory=Profile)
    addresses: list[AddressRow] = field(default_factory=list)
    cart: CartSummary = field(default_factory=CartSummary)
    orders: list[OrderRow] = field(default_factory=list)  # the last ORDERS, newest first
    sessions: list[SessionRow] = field(default_factory=list)  # the last SESSIONS on-behalf sessions
    notes: list[NoteRow] = field(default_factory=list)  # newest first


def customer_by_number(db: Session, caller: Caller, number: object) -> Account:
    """The customer with this number, for a caller who may access customers; else NotFound."""
    caller.require(CUSTOMER_ACCESS)
    text = number.strip().upper() if isinstance(number, str) else ""
    if not NUMBER.fullmatch(text):
        raise NotFound(NOT_FOUND)
    customer = db.exec(select(Account).where(Account.customer_number == text)).first()
    # Staff accounts have customer numbers too; they are nobody's customer. Disabled and unfinished
    # registrations are not found either, as in Find customer.
    if customer is None or customer.role != "shopper" or customer.status != "active":
        raise NotFound(NOT_FOUND)
    return customer


def view(db: Session, caller: Caller, number: object) -> Customer360:
    customer = customer_by_number(db, caller, number)
    # The customer's own views (My Account, their cart) are built for the customer as the caller.
    as_customer = Caller(account_id=customer.id, customer_id=customer.id)
    return Customer360(
        profile=Profile(
            id=customer.id,
            name=f"{customer.first_name} {customer.last_name}",
            email=customer.email,
            phone=customer.phone,
            customer_number=customer.customer_number,
            since=as_utc(customer.created_at).strftime("%Y-%m-%d"),
            assistance=consent.refusal(customer) or "Allows customer service to shop on their behalf.",
        ),
        addresses=[
            AddressRow(
                summary=a.summary,
                phone=a.phone,
                defaults=" · ".join(
                    label
                    for label, on in (
                        ("Default shipping", a.is_default_shipping),
                        ("Default billing", a.is_default_billing),
                    )
                    if on
                ),
            )
            for a in accounts.addresses(db, as_customer)
        ],
        cart=_cart(db, customer),
        orders=[
            OrderRow(o.number, o.date, o.total, o.status, o.assisted, o.summary)
            for o in accounts.order_history(db, as_customer)[:ORDERS]
        ],
        sessions=_sessions(db, customer.id),
        notes=_notes(db, customer.id),
    )


def _cart(db: Session, customer: Account) -> CartSummary:
    cart = carts.account_cart(db, customer.id, create=False)
    shown = carts.owner_view(db, cart.id) if cart is not None else None
    if not shown:
        return CartSummary()
    since = f" since {shown.lock_since}" if shown.lock_since else ""
    return CartSummary(
        lines=[
            CartLineRow(line.code, line.name, line.options, line.quantity, line.line_total)
            for line in shown.lines
        ],
        count=shown.count,
        subtotal=shown.subtotal,
        summary=f"{shown.count} item{'' if shown.count == 1 else 's'} · {shown.subtotal}",
        locked=shown.locked,
        lock=f"Locked by {shown.lock_holder}{since}" if shown.locked else "Unlocked",
    )


_CSR = aliased(Account)
# Built once, with the customer as a bind parameter: an open 360 page reads them again every few seconds
# (app/state/customer360.py), and building an aliased join cost more than running it (bench/RESULTS.md).
_SESSIONS = (
    select(OnBehalfSession, _CSR.first_name, _CSR.last_name)
    .join(_CSR, _CSR.id == OnBehalfSession.csr_id)
    .where(OnBehalfSession.customer_id == bindparam("customer_id"))
    .order_by(OnBehalfSession.started_at.desc(), OnBehalfSession.id.desc())
    .limit(SESSIONS)
)
_AUTHOR = aliased(Account)
_NOTES = (
    select(CustomerNote, _AUTHOR.first_name, _AUTHOR.last_name)
    .join(_AUTHOR, _AUTHOR.id == CustomerNote.author_id)
    .where(CustomerNote.customer_id == bindparam("customer_id"))
    .order_by(CustomerNote.created_at.desc(), CustomerNote.id.desc())
    .limit(NOTES)
)


def _sessions(db: Session, customer_id: int) -> list[SessionRow]:
    rows = db.exec(_SESSIONS, params={"customer_id": customer_id})
    return [
        SessionRow(
            id=ob.id,
            csr=f"{first} {last}",
            started=_when(ob.started_at),
            ended=_when(ob.ended_at),
            outcome=END_REASONS.get(ob.end_reason, ob.end_reason) if ob.ended_at else "In progress",
        )
        for ob, first, last in rows
    ]


def _notes(db: Session, customer_id: int) -> list[NoteRow]:
    rows = db.exec(_NOTES, params={"customer_id": customer_id})
    return [NoteRow(n.id, f"{first} {last}", _when(n.created_at), n.body) for n, first, last in rows]


def validate_note(body: object) -> str:
    text = clean(body)
    if not text:
        raise FieldErrors({"body": NOTE_EMPTY})
    if len(text) > NOTE_MAX:
        raise FieldErrors({"body": NOTE_TOO_LONG})
    return text


def add_note(db: Session, caller: Caller, number: object, body: object) -> list[NoteRow]:
    """Append a note to the customer's record (audited `note_added`); returns the notes, newest first."""
    customer = customer_by_number(db, caller, number)
    text = validate_note(body)
    note = CustomerNote(customer_id=customer.id, author_id=caller.account_id, body=text)
    db.add(note)
    db.flush()
    audit.record(db, caller, "note_added", customer_id=customer.id, details=f"Note {note.id}")
    return _notes(db, customer.id)
