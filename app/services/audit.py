"""The append-only audit log of on-behalf actions (docs/PRODUCT.md §Audit). Written in the caller's
transaction."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.services.caller import Caller
from app.services.db import as_utc
from app.services.permissions import AUDIT_VIEW
from models import Account, AuditEvent

MAX_ROWS = 500
# Actions about a customer that are customer service's own business: the audit log lists them, the
# customer's "changes made by customer service" in My Account does not (a note is not a change to the account).
STAFF_ONLY_ACTIONS = frozenset({"note_added"})  # a CSR added a note on the customer (Customer 360)


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as the audit page, the CSV export and the customer's My Account show it."""

    id: int
    at: str  # "YYYY-MM-DD HH:MM:SS UTC"
    csr: str
    customer: str  # "" when the action concerned no customer
    customer_number: str
    action: str
    cart: str  # the cart id as text, "" when none
    order: str  # the order number, "" when none
    details: str


def record(
    db: Session,
    caller: Caller,
    action: str,
    *,
    customer_id: int | None = None,
    cart_id: int | None = None,
    order_number: str = "",
    details: str = "",
) -> None:
    """Add one audit row for an action a CSR took; a no-op for a customer acting for themself."""
    if caller.account_id is None or not caller.permissions:
        return
    record_for(
        db,
        caller.account_id,
        customer_id if customer_id is not None else caller.customer_id,
        action,
        cart_id=cart_id,
        order_number=order_number,
        details=details,
    )


def record_for(
    db: Session,
    csr_id: int,
    customer_id: int | None,
    action: str,
    *,
    cart_id: int | None = None,
    order_number: str = "",
    details: str = "",
) -> None:
    db.add(
        AuditEvent(
            csr_id=csr_id,
            customer_id=customer_id,
            action=action,
            cart_id=cart_id,
            order_number=order_number,
            details=details[:1000],
        )
    )


def _rows(db: Session, *conditions) -> list[AuditRow]:
    csr, customer = aliased(Account), aliased(Account)
    stmt = (
        select(
            AuditEvent,
            csr.first_name,
            csr.last_name,
            customer.first_name,
            customer.last_name,
            customer.customer_number,
        )
        .join(csr, csr.id == AuditEvent.csr_id)
        .outerjoin(customer, customer.id == AuditEvent.customer_id)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(MAX_ROWS)
    )
    out = []
    for ev, cf, cl, uf, ul, num in db.exec(stmt):
        out.append(
            AuditRow(
                id=ev.id,
                at=as_utc(ev.at).strftime("%Y-%m-%d %H:%M:%S UTC"),
                csr=f"{cf} {cl}",
                customer=f"{uf or ''} {ul or ''}".strip(),
                customer_number=num or "",
                action=ev.action,
                cart=str(ev.cart_id or ""),
                order=ev.order_number,
                details=ev.details,
            )
        )
    return out


def search(
    db: Session,
    caller: Caller,
    *,
    csr_email: str = "",
    customer_number: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditRow]:
    caller.require(AUDIT_VIEW)
    conditions = []
    if csr_email:
        conditions.append(
            AuditEvent.csr_id.in_(select(Account.id).where(Account.email == csr_email.strip().lower()))
        )
    if customer_number:
        number = customer_number.strip().upper()
        conditions.append(
            AuditEvent.customer_id.in_(select(Account.id).where(Account.customer_number == number))
        )
    if since:
        conditions.append(AuditEvent.at >= since)
    if until:
        conditions.append(AuditEvent.at < until)
    return _rows(db, *conditions)


def for_customer(db: Session, caller: Caller) -> list[AuditRow]:
    """What customer service changed on the caller's own account (shown to the customer only)."""
    if caller.on_behalf or caller.customer_id is None:
        return []
    return _rows(
        db, AuditEvent.customer_id == caller.customer_id, AuditEvent.action.not_in(STAFF_ONLY_ACTIONS)
    )


CSV_FIELDS = ["at", "csr", "customer", "customer_number", "action", "cart", "order", "details"]


def _cell(value: str) -> str:
    # Cells starting with = + - @ (or a tab or carriage return before one) would run as formulas
    # in a spreadsheet.
    return "'" + value if value and value[0] in "=+-@\t\r" else value


def to_csv(rows: Iterable[AuditRow]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(getattr(row, k)) for k in CSV_FIELDS})
    return buf.getvalue()
