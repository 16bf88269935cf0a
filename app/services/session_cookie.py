"""The sign-in session's credential lives in an HttpOnly cookie that no script can read (docs/SECURITY.md).

Reflex talks to the page over a websocket, which cannot set an HttpOnly cookie. So signing in (and every
other way a browser becomes signed in) ends with a one-time code: the page is sent to the HTTP endpoint
`/auth/session` (app/endpoints.py), which redeems the code, mints the session's token there and sets it as
the cookie. The token is never in Reflex's state, never in the page, and only its hash is in the database.
The websocket's handshake carries the cookie; the guard reads it from there (`credential`).

The OWASP device cookie (app/services/devices.py) travels the same way: redeeming a code is the end of a
successful authentication, so the endpoint makes the account trust the browser there and sets `device` as
an HttpOnly cookie too; sign-in reads it from the handshake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from app.services import devices
from app.services.db import as_utc, update_where, utcnow
from app.services.errors import DomainError
from app.services.tokens import hash_token, new_token
from models import Account, AuthSession, SessionHandoff

COOKIE = "sid"
DEVICE_COOKIE = "device"
HANDOFF_LIFETIME = timedelta(minutes=1)
EXPIRED = "That sign-in link has expired. Please sign in again."


def handoff(db: Session, token: str) -> str:
    """A one-time code for the session `token` opened in this unit of work; the token itself is discarded
    (the endpoint mints the one the browser keeps)."""
    session = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).first()
    if session is None:
        raise DomainError(EXPIRED)
    code = new_token()
    db.add(
        SessionHandoff(
            code_hash=hash_token(code), session_id=session.id, expires_at=utcnow() + HANDOFF_LIFETIME
        )
    )
    db.flush()
    return code


@dataclass(frozen=True)
class Redeemed:
    token: str  # the session cookie's value
    left: timedelta  # how long the session has left
    device: str  # the device cookie's value: the browser's own when the store issued it, else a new one


def redeem(db: Session, code: object, device: object = "") -> Redeemed:
    """Use the code once: the session's new token, and the account trusts this browser (`device`: the
    browser's device cookie so far)."""
    if not isinstance(code, str) or not code or len(code) > 200:
        raise DomainError(EXPIRED)
    now = utcnow()
    won = db.exec(
        update_where(SessionHandoff)
        .where(
            SessionHandoff.code_hash == hash_token(code),
            SessionHandoff.used_at.is_(None),
            SessionHandoff.expires_at > now,
        )
        .values(used_at=now)
    ).rowcount
    if won != 1:
        raise DomainError(EXPIRED)
    row = db.exec(select(SessionHandoff).where(SessionHandoff.code_hash == hash_token(code))).one()
    session = db.get(AuthSession, row.session_id)
    if session is None or as_utc(session.expires_at) <= now:
        raise DomainError(EXPIRED)
    token = new_token()
    session.token_hash = hash_token(token)
    db.add(session)
    trusted = devices.remember(db, db.get(Account, session.account_id), device, now)
    db.flush()
    return Redeemed(token, as_utc(session.expires_at) - now, trusted)


def credential(cookie_header: object, name: str = COOKIE) -> str:
    """The value of cookie `name` (the session token by default) in a Cookie header ('' when there is none).
    Read by hand: a browser sends `name=value; name=value`, and one malformed cookie of another's making
    must not hide ours."""
    if not isinstance(cookie_header, str) or not cookie_header:
        return ""
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip().strip('"')
    return ""
