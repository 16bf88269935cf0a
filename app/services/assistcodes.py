"""Verification codes: with ASSISTANCE_VERIFY=code a CSR opens a customer's account only with a 6-digit code
the customer gives them (docs/SECURITY.md "Verification codes").

The customer reads the code in My Account (issued when the page loads and again whenever it was used or
expired, while the page is open) or has a CSR mail it. A code works once, for ASSIST_CODE_MINUTES; a newer code
of the same channel replaces the account's unused one. Only an HMAC of the code is stored, keyed by a server
secret and bound to the account, so the table alone does not give the codes away. Wrong codes are counted per
CSR and per customer like failed sign-ins (app/services/throttle.py) and audited, never with the code.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from app import config
from app.services import audit, consent, throttle
from app.services.caller import Caller
from app.services.db import as_utc, update_where, utcnow
from app.services.errors import DomainError
from app.services.validation import is_ascii_digits
from models import Account, AssistCode

OFF, CODE = "off", "code"
PAGE, MAIL = "page", "mail"
DIGITS = 6
# What the tick of an open My Account learns about the code it shows.
LIVE, USED, EXPIRED, REPLACED = "live", "used", "expired", "replaced"

WRONG = (
    "That code is not right, or it expired or was used already. Ask the customer for the code My Account "
    "shows now, or send one by email."
)


@dataclass(frozen=True)
class Issued:
    """A code just issued: the only moment its digits exist on the server."""

    id: int
    code: str
    expires_at: datetime


def required() -> bool:
    return config.ASSISTANCE_VERIFY == CODE


def lifetime() -> timedelta:
    return timedelta(minutes=config.ASSIST_CODE_MINUTES)


_key: bytes | None = None


def _secret() -> bytes:
    """ASSIST_CODE_SECRET, else a random key kept in ASSIST_CODE_KEY_FILE, made once by whichever worker
    comes first (written to a temporary file and linked into place, so nobody reads half a key)."""
    global _key
    if config.ASSIST_CODE_SECRET:
        return config.ASSIST_CODE_SECRET.encode()
    if _key is None:
        path = config.ASSIST_CODE_KEY_FILE
        if not path.exists():
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another worker was first: its key stands
            finally:
                tmp.unlink()
        _key = path.read_text().strip().encode()
    return _key


def code_hash(account_id: int, code: str) -> str:
    return hmac.new(_secret(), f"assist-code:{account_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue(db: Session, account_id: int, via: str, now: datetime | None = None) -> Issued:
    """A new code for this account; the account's unused code of the same channel stops working (it expires
    now; rows are kept, not deleted, so an id is never reused while a page may still show it)."""
    now = now or utcnow()
    db.exec(
        update_where(AssistCode)
        .where(
            AssistCode.account_id == account_id,
            AssistCode.via == via,
            AssistCode.used_at.is_(None),
            AssistCode.expires_at > now,
        )
        .values(expires_at=now)
    )
    code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
    row = AssistCode(
        account_id=account_id,
        code_hash=code_hash(account_id, code),
        via=via,
        created_at=now,
        expires_at=now + lifetime(),
    )
    db.add(row)
    db.flush()
    return Issued(row.id, code, as_utc(row.expires_at))


def status(db: Session, account_id: int, code_id: int, now: datetime | None = None) -> str:
    """What became of a code shown on a page: live, used, expired, or replaced (a newer code of its channel)."""
    row = db.exec(
        select(AssistCode.used_at, AssistCode.expires_at, AssistCode.via).where(
            AssistCode.id == code_id, AssistCode.account_id == account_id
        )
    ).first()
    if row is None:
        return REPLACED
    used_at, expires_at, via = row
    if used_at is not None:
        return USED
    newer = db.exec(
        select(AssistCode.id).where(
            AssistCode.account_id == account_id, AssistCode.via == via, AssistCode.id > code_id
        )
    ).first()
    if newer is not None:
        return REPLACED
    return EXPIRED if as_utc(expires_at) <= (now or utcnow()) else LIVE


def shows_code(caller: Caller, account: Account | None) -> bool:
    """Whether this caller's My Account shows a code: only the customer's own, never on behalf, and only while
    customer service may open the account at all."""
    return (
        required()
        and account is not None
        and caller.signed_in
        and not caller.on_behalf
        and caller.account_id == account.id
        and account.role == "shopper"
        and account.status == "active"
        and consent.allows(account)
    )


def for_page(
    db: Session, caller: Caller, shown_id: int = 0, now: datetime | None = None
) -> Issued | str | None:
    """My Account's code. `shown_id` 0 (the page loads): a new code. Else the code the page shows now: a new
    one if it was used or expired, LIVE while it works, REPLACED if a newer one replaced it (another tab of My
    Account, whose code must keep working). None: the page shows no code (not the customer's own page, the
    store asks for none, or consent refuses customer service anyway)."""
    account = db.get(Account, caller.account_id) if caller.account_id else None
    if not shows_code(caller, account):
        return None
    if shown_id:
        state = status(db, account.id, shown_id, now)
        if state in (LIVE, REPLACED):
            return state
    return issue(db, account.id, PAGE, now)


def _wrong_per_csr() -> throttle.Limit:
    return throttle.Limit(
        "assist-code-csr",
        config.SIGNIN_MAX_FAILURES,
        timedelta(minutes=config.SIGNIN_WINDOW_MINUTES),
        timedelta(seconds=config.SIGNIN_SLOWDOWN_SECONDS),
    )


def _wrong_per_customer() -> throttle.Limit:
    return throttle.Limit(
        "assist-code-customer",
        config.SIGNIN_MAX_FAILURES,
        timedelta(minutes=config.SIGNIN_WINDOW_MINUTES),
        timedelta(seconds=config.SIGNIN_SLOWDOWN_SECONDS),
    )


def mails_per_customer() -> throttle.Limit:
    """Codes mailed to one customer at customer service's request (a mailbox is not a CSR's to flood)."""
    return throttle.Limit("assist-code-mail", config.ASSIST_CODE_MAILS_PER_HOUR, timedelta(hours=1))


def use(db: Session, caller: Caller, customer: Account, code: object, now: datetime | None = None) -> str:
    """Spend the customer's code for this CSR's access; returns the channel it came by ("page" or "mail").

    Attempts are counted and committed before the code is checked, and a wrong code is committed as a failure
    and audited although the caller's unit of work fails (as sign-in does). The code is never in a message,
    an audit row or a log line."""
    now = now or utcnow()
    text = code.strip() if isinstance(code, str) else ""
    if not text:
        raise DomainError("Enter the customer's 6-digit code.", field="code")
    counted = [(_wrong_per_csr(), str(caller.account_id)), (_wrong_per_customer(), str(customer.id))]
    for limit, subject in counted:
        wait = throttle.take(db, limit, subject, now)
        if wait:
            db.commit()
            raise DomainError(
                f"Too many wrong codes. Please wait {wait} seconds and try again.", field="code"
            )
    db.commit()  # counted before the check, whatever happens next
    via = None
    if len(text) == DIGITS and is_ascii_digits(text):
        h = code_hash(customer.id, text)
        row = db.exec(
            select(AssistCode.id, AssistCode.via).where(
                AssistCode.account_id == customer.id, AssistCode.code_hash == h
            )
        ).first()
        # The first use wins, decided in the database: two CSRs cannot both spend one code.
        if (
            row is not None
            and db.exec(
                update_where(AssistCode)
                .where(AssistCode.id == row[0], AssistCode.used_at.is_(None), AssistCode.expires_at > now)
                .values(used_at=now)
            ).rowcount
            == 1
        ):
            via = row[1]
    if via is None:
        paused = [limit for limit, subject in counted if throttle.failed(db, limit, subject, now)]
        audit.record(
            db, caller, "access_code_wrong", customer_id=customer.id, details="Wrong, expired or used code"
        )
        db.commit()  # the failure counts, and is audited, though the caller's unit of work fails
        if paused:
            seconds = int(paused[0].pause.total_seconds())
            raise DomainError(
                f"Too many wrong codes. Code checks are paused for {seconds} seconds.", field="code"
            )
        raise DomainError(WRONG, field="code")
    for limit, subject in counted:
        throttle.give_back(db, limit, subject)
    return via


def prune(db: Session, now: datetime | None = None) -> int:
    """Forget codes that ended a day ago (used or expired); returns how many went."""
    before = (now or utcnow()) - timedelta(days=1)
    return db.exec(
        delete(AssistCode).where(AssistCode.expires_at < before).execution_options(synchronize_session=False)
    ).rowcount
