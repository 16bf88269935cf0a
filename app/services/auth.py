"""Sign-in, sessions and resolving the Caller (app/services/caller.py) from a session token."""

from __future__ import annotations

from datetime import timedelta

from passlib.context import CryptContext
from sqlalchemy import bindparam
from sqlmodel import Session, select

from app import config
from app.services import devices, onbehalf, permissions, throttle
from app.services.caller import ANONYMOUS, Caller, segments_of, staff_tag
from app.services.db import as_utc, utcnow
from app.services.errors import DomainError, FieldErrors, Forbidden
from app.services.tokens import hash_token, new_token
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


# The session with its account: one statement in every event of a signed-in browser, built once (statements
# on the hot path are module constants with bind parameters: building a WHERE clause costs more than running
# it on SQLite; bench/RESULTS.md, "unit of work"). A plain row, not two ORM objects, which cost about twice as
# much (bench/RESULTS.md, "counted in instructions"). The account's columns keep their names, so the row
# serves as the account for `segments_of` and `staff_tag`.
_SESSIONS, _ACCOUNTS = AuthSession.__table__.c, Account.__table__.c
_SESSION_AND_ACCOUNT = (
    select(
        _SESSIONS.id.label("session_id"),
        _SESSIONS.expires_at,
        _SESSIONS.on_behalf_id,
        _ACCOUNTS.id,
        _ACCOUNTS.status,
        _ACCOUNTS.role,
        _ACCOUNTS.first_name,
        _ACCOUNTS.last_name,
        _ACCOUNTS.segments,
        _ACCOUNTS.password_hash,
    )
    .join_from(AuthSession.__table__, Account.__table__, _ACCOUNTS.id == _SESSIONS.account_id)
    .where(_SESSIONS.token_hash == bindparam("token_hash"))
)


def resolve_caller(db: Session, token: str | None) -> Caller:
    """The Caller for a session token; ANONYMOUS for a missing, unknown or expired one."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return ANONYMOUS
    account = db.execute(_SESSION_AND_ACCOUNT, {"token_hash": hash_token(token)}).first()
    if account is None:
        return ANONYMOUS
    if as_utc(account.expires_at) <= utcnow():
        _end_auth_session(db, db.get(AuthSession, account.session_id), reason="csr_session_expired")
        return ANONYMOUS
    if account.status != "active":
        return ANONYMOUS
    perms = permissions.permissions_for(account.role)
    customer = None if perms else account
    on_behalf_id = None
    if account.on_behalf_id is not None:
        ob = onbehalf.live_session(db, account.on_behalf_id)
        if ob is not None:
            customer = db.get(Account, ob.customer_id)
            on_behalf_id = ob.id
    return Caller(
        session_id=account.session_id,
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
