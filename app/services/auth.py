"""Sign-in, registration, sessions and the Caller every handler re-derives from its token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from passlib.context import CryptContext
from sqlmodel import Session, select

from app import config
from app.services import devices, permissions, throttle
from app.services.db import as_utc, utcnow
from app.services.errors import DomainError, FieldErrors, Forbidden
from app.services.validation import clean
from models import Account, AuthSession, OnBehalfSession

pwd_context = CryptContext(schemes=["argon2"], deprecated="auto")
# Verified against when the email is unknown, so both paths cost the same.
_DUMMY_HASH = pwd_context.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return pwd_context.verify(password, password_hash)
    except (ValueError, TypeError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


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
    return frozenset(s.strip().lower() for s in account.segments.split(",") if s.strip())


def resolve_caller(db: Session, token: str | None) -> Caller:
    """The Caller for a session token; ANONYMOUS for a missing, unknown or expired one."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return ANONYMOUS
    session = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).first()
    if session is None:
        return ANONYMOUS
    if as_utc(session.expires_at) <= utcnow():
        _end_auth_session(db, session, reason="csr_session_expired")
        return ANONYMOUS
    account = db.get(Account, session.account_id)
    if account is None or account.status != "active":
        return ANONYMOUS
    perms = permissions.permissions_for(account.role)
    customer = None if perms else account
    on_behalf_id = None
    if session.on_behalf_id is not None:
        from app.services import onbehalf  # local: onbehalf builds on this module

        ob = onbehalf.live_session(db, session)
        if ob is not None:
            customer = db.get(Account, ob.customer_id)
            on_behalf_id = ob.id
    return Caller(
        session_id=session.id,
        account_id=account.id,
        first_name=account.first_name,
        last_name=account.last_name,
        role=account.role,
        permissions=perms,
        customer_id=customer.id if customer else None,
        customer_first_name=customer.first_name if customer else "",
        customer_last_name=customer.last_name if customer else "",
        customer_segments=segments_of(customer) if customer else frozenset(),
        on_behalf_id=on_behalf_id,
        staff_tag=staff_tag(account) if perms else "",
    )


def session_lifetime(account: Account) -> timedelta:
    """Staff sessions are shorter: a forgotten CSR browser is worth more to an attacker."""
    if permissions.permissions_for(account.role):
        return timedelta(hours=config.STAFF_SESSION_HOURS)
    return timedelta(days=config.SESSION_DAYS)


def _start_session(db: Session, account: Account) -> str:
    token = new_token()
    db.add(
        AuthSession(
            token_hash=hash_token(token),
            account_id=account.id,
            expires_at=utcnow() + session_lifetime(account),
        )
    )
    db.flush()
    return token


def sign_out_everywhere(db: Session, caller: Caller) -> int:
    """End every sign-in session of the caller's own account, this one included; returns how many."""
    if caller.account_id is None:
        raise Forbidden("Please sign in first.")
    if caller.on_behalf:
        raise Forbidden("Only the customer can sign out their own devices.")
    sessions = db.exec(select(AuthSession).where(AuthSession.account_id == caller.account_id)).all()
    for session in sessions:
        _end_auth_session(db, session, reason="csr_signed_out")
    return len(sessions)


def _address_limit() -> throttle.Limit:
    """Failed sign-ins to one email address from browsers it does not trust (an account or not)."""
    return throttle.Limit(
        "signin-address",
        config.SIGNIN_MAX_FAILURES,
        timedelta(minutes=config.SIGNIN_WINDOW_MINUTES),
        timedelta(seconds=config.SIGNIN_SLOWDOWN_SECONDS),
    )


def _device_limit() -> throttle.Limit:
    """Failed sign-ins from one browser the account trusts: the owner's own, counted apart."""
    return throttle.Limit(
        "signin-device",
        config.SIGNIN_MAX_FAILURES,
        timedelta(minutes=config.SIGNIN_WINDOW_MINUTES),
        timedelta(seconds=config.SIGNIN_SLOWDOWN_SECONDS),
    )


def _source_limit() -> throttle.Limit:
    """Failed sign-ins from one client address, whatever the accounts (password spraying)."""
    return throttle.Limit(
        "signin-source",
        config.SIGNIN_SOURCE_MAX_FAILURES,
        timedelta(minutes=config.SIGNIN_SOURCE_WINDOW_MINUTES),
        timedelta(seconds=config.SIGNIN_SOURCE_SLOWDOWN_SECONDS),
    )


WRONG_CREDENTIALS = "Email or password is incorrect."


def _too_many(limit: throttle.Limit, wait: int) -> str:
    if limit.scope == "signin-source":
        return f"Too many failed sign-ins from your network. Please wait {wait} seconds and try again."
    return f"Too many failed sign-ins. Please wait {wait} seconds and try again."


def _paused(limit: throttle.Limit) -> str:
    seconds = int(limit.pause.total_seconds())
    if limit.scope == "signin-source":
        return f"Too many failed sign-ins from your network. Sign-in is paused for {seconds} seconds."
    return f"Too many failed sign-ins. Sign-in for this account is paused for {seconds} seconds."


def sign_in(
    db: Session, email: object, password: object, *, device: object = "", source: object = ""
) -> tuple[str, Account]:
    """Check the credentials and open a session.

    `device` is the browser's device cookie, `source` the client's address (docs/SECURITY.md). A browser
    the account trusts is counted on its own; any other is counted on the email address and on its source.
    Every answer and every cost (the counters, one password hash) is the same whether or not an account has
    the address. Attempts are counted and committed before the password is checked, so parallel guesses
    cannot pass a limit and a failure counts although the caller's unit of work fails.
    """
    email, password = clean(email).lower(), password if isinstance(password, str) else ""
    errors = {}
    if not email:
        errors["email"] = "Email is required."
    elif len(email) > 254:
        errors["email"] = "Email must be at most 254 characters."
    if not password:
        errors["password"] = "Password is required."
    elif len(password) > 128:
        errors["password"] = "Password must be at most 128 characters."
    if errors:
        raise FieldErrors(errors)
    now = utcnow()
    trust = devices.trusted(db, email, device, now)
    if trust is not None:
        counted = [(_device_limit(), str(trust.id))]
    else:
        counted = [(_source_limit(), throttle.source_of(source)), (_address_limit(), email)]
    for limit, subject in counted:
        wait = throttle.take(db, limit, subject, now)
        if wait:
            db.commit()
            raise DomainError(_too_many(limit, wait))
    db.commit()  # counted before the slow hash, whatever happens next
    account = db.exec(select(Account).where(Account.email == email)).first()
    # One hash either way: an address without an account is checked against a dummy hash.
    right = verify_password(password, account.password_hash if account is not None else _DUMMY_HASH)
    if account is None or not right:
        paused = [limit for limit, subject in counted if throttle.failed(db, limit, subject, now)]
        db.commit()  # the failure must count even though the caller's unit of work fails
        raise DomainError(_paused(paused[0]) if paused else WRONG_CREDENTIALS)
    if account.status != "active":
        raise DomainError("This account is disabled. Please contact customer service.")
    if trust is not None:
        throttle.clear(db, _device_limit(), str(trust.id))
    else:
        throttle.give_back(db, _source_limit(), throttle.source_of(source))
        throttle.clear(db, _address_limit(), email)
    return _start_session(db, account), account


def clear_failures(db: Session, email: str) -> None:
    """The owner proved they hold the address (a set-password link): failures on it are forgotten."""
    throttle.clear(db, _address_limit(), email)


def sign_out(db: Session, token: str | None) -> None:
    if not token or not isinstance(token, str):
        return
    session = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).first()
    if session is not None:
        _end_auth_session(db, session, reason="csr_signed_out")


def end_session(db: Session, session_id: int | None, reason: str = "csr_signed_out") -> None:
    """End one sign-in session by id (the caller's own, resolved on the server)."""
    session = db.get(AuthSession, session_id) if session_id else None
    if session is not None:
        _end_auth_session(db, session, reason)


def _end_auth_session(db: Session, session: AuthSession, reason: str) -> None:
    if session.on_behalf_id is not None:
        from app.services import onbehalf

        ob = db.get(OnBehalfSession, session.on_behalf_id)
        if ob is not None and ob.ended_at is None:
            onbehalf.close(db, ob, reason)
    db.delete(session)
    db.flush()


def validate_password(password: object) -> str | None:
    password = password if isinstance(password, str) else ""
    if not password:
        return "Password is required."
    if len(password) < 8:
        return "Password must be at least 8 characters."
    if len(password) > 128:
        return "Password must be at most 128 characters."
    return None
