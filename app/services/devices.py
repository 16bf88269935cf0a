"""Trusted devices: OWASP's device cookies, so that failed sign-ins slow the attacker and not the owner.

After a successful sign-in the browser holds a random value in its `device` cookie, and the account trusts
it (only its SHA-256 is stored, with an expiry). A sign-in from a browser the account trusts is counted on
that browser alone: however many failures others make on the account's address, the owner's browser signs
in. See app/services/auth.py `sign_in` and docs/SECURITY.md.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app import config
from app.services.db import insert_on_conflict, utcnow
from models import Account, TrustedDevice

VALUE_MIN, VALUE_MAX = 32, 100


def _hash(value: object) -> str | None:
    if not isinstance(value, str) or not VALUE_MIN <= len(value) <= VALUE_MAX:
        return None
    return hashlib.sha256(value.encode()).hexdigest()


def trusted(db: Session, email: str, device: object, now: datetime) -> TrustedDevice | None:
    """The trust the account with this address gives this browser, if any (one query whether or not an
    account has the address)."""
    token_hash = _hash(device)
    if token_hash is None:
        return None
    return db.exec(
        select(TrustedDevice)
        .join(Account, Account.id == TrustedDevice.account_id)
        .where(Account.email == email, TrustedDevice.token_hash == token_hash, TrustedDevice.expires_at > now)
    ).first()


def remember(db: Session, account: Account, device: object, now: datetime | None = None) -> str:
    """The account signed in from this browser: trust it for DEVICE_TRUST_DAYS. Returns the value for the
    browser's `device` cookie: its own when we issued it (a browser shared by two accounts keeps one
    value), else a new random one."""
    now = now or utcnow()
    token_hash = _hash(device)
    known = token_hash is not None and (
        db.exec(
            select(TrustedDevice.id).where(
                TrustedDevice.token_hash == token_hash, TrustedDevice.expires_at > now
            )
        ).first()
        is not None
    )
    value = device if known else secrets.token_urlsafe(32)
    expires = now + timedelta(days=config.DEVICE_TRUST_DAYS)
    insert_on_conflict(
        db,
        TrustedDevice,
        {"token_hash": _hash(value), "account_id": account.id, "created_at": now, "expires_at": expires},
        ["token_hash", "account_id"],
        update={"expires_at": expires},
    )
    return value
