"""One-time set-password links: the welcome link of an account customer service created, Forgot password,
and a fresh link a CSR sends on behalf of the customer.

A link carries a random token; only its SHA-256 is stored. It works once (a conditional UPDATE decides, so two
clicks racing cannot both win), expires, and is replaced by the next link of the same purpose. Setting a
password through it signs the account out everywhere else.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import func
from sqlmodel import Session, select

from app import config
from app.services import audit, mail, throttle
from app.services.auth import (
    _end_auth_session,
    _start_session,
    clear_failures,
    hash_password,
    validate_password,
)
from app.services.caller import Caller
from app.services.db import as_utc, update_where, utcnow
from app.services.errors import DomainError, FieldErrors, Forbidden
from app.services.permissions import CUSTOMER_ACCESS
from app.services.tokens import hash_token, new_token
from app.services.validation import clean, email_error
from models import Account, AuthSession, PasswordToken

WELCOME, RESET = "welcome", "reset"
SET_PASSWORD = (WELCOME, RESET)
# A link that confirms a new email address (app/services/email_change.py): same rows, same one-time use,
# its own hourly quota, and it never sets a password.
EMAIL = "email"
# A link that finishes creating an account registered online (app/services/registration.py): it carries the
# password chosen when registering, and never sets another.
REGISTER = "register"
TOKEN_MAX = 200
PASSWORD_MAX = 128

LINK_UNKNOWN = "This link is not valid. Copy the whole link from the email, or request a new one."
LINK_USED = "This link has already been used. To change your password again, request a new link."
LINK_EXPIRED = "This link has expired. Request a new one and use it within the time the email gives."
LINK_REPLACED = (
    "A newer link was sent after this one. Use the link in the latest email, or request a new one."
)
LINK_CLOSED = "This account cannot be signed in to. Please contact customer service."


class InvalidLink(DomainError):
    """The token is unknown, used, expired, replaced, or its account is disabled."""


def lifetime(purpose: str) -> timedelta:
    if purpose == WELCOME:
        return timedelta(days=config.PASSWORD_WELCOME_DAYS)
    if purpose == EMAIL:
        return timedelta(hours=config.EMAIL_CHANGE_HOURS)
    if purpose == REGISTER:
        return timedelta(hours=config.REGISTER_CONFIRM_HOURS)
    return timedelta(minutes=config.PASSWORD_RESET_MINUTES)


def _family(purpose: str) -> tuple[str, ...]:
    """The purposes that share an hourly quota: asking for email links never uses up password links."""
    return SET_PASSWORD if purpose in SET_PASSWORD else (purpose,)


def link_for(token: str) -> str:
    return f"{config.PUBLIC_URL}/set-password?{urlencode({'token': token})}"


# -- issuing ------------------------------------------------------------------------------------------


def _lock_account(db: Session, account_id: int) -> None:
    """Serialize link issuing per account: a no-op UPDATE takes the row lock (PostgreSQL) or the write
    lock (SQLite) before the per-hour count is read, so parallel requests cannot all pass the limit."""
    db.exec(update_where(Account).where(Account.id == account_id).values(status=Account.status))


def _issue(
    db: Session,
    account: Account,
    purpose: str,
    created_by_id: int | None = None,
    new_email: str = "",
    *,
    counted: bool = True,
    password_hash: str = "",
) -> str | None:
    """A new token for the account, or None when it already had PASSWORD_LINKS_PER_HOUR in the last hour.

    The hour's links are counted per sender: customer service's links apart from the ones the customer asked
    for, so nobody else's requests use up a quota. Forgot password counts its own (`counted=False`: per
    address and source, see `request_reset`). Older unused tokens of the same purpose stop working.
    """
    now = utcnow()
    if counted:
        _lock_account(db, account.id)
        by_staff = PasswordToken.created_by_id.is_not(None)
        recent = db.exec(
            select(func.count())
            .select_from(PasswordToken)
            .where(
                PasswordToken.account_id == account.id,
                PasswordToken.purpose.in_(_family(purpose)),
                PasswordToken.created_at > now - timedelta(hours=1),
                by_staff if created_by_id is not None else ~by_staff,
            )
        ).one()
        if recent >= config.PASSWORD_LINKS_PER_HOUR:
            return None
    _expire_unused(db, account.id, now, purpose=purpose)
    token = new_token()
    db.add(
        PasswordToken(
            token_hash=hash_token(token),
            account_id=account.id,
            purpose=purpose,
            new_email=new_email,
            password_hash=password_hash,
            created_by_id=created_by_id,
            created_at=now,
            expires_at=now + lifetime(purpose),
        )
    )
    db.flush()
    return token


def _expire_unused(db: Session, account_id: int, now, *, purpose: str | None = None, keep: int | None = None):
    stmt = update_where(PasswordToken).where(
        PasswordToken.account_id == account_id,
        PasswordToken.used_at.is_(None),
        PasswordToken.expires_at > now,
    )
    if purpose is not None:
        stmt = stmt.where(PasswordToken.purpose == purpose)
    if keep is not None:
        stmt = stmt.where(PasswordToken.id != keep)
    db.exec(stmt.values(expires_at=now))


def _mail(db: Session, account: Account, purpose: str, token: str, *, by_customer_service: bool) -> None:
    link = link_for(token)
    if purpose == WELCOME:
        days = config.PASSWORD_WELCOME_DAYS
        subject = "Welcome to Harbor & Pine — choose your password"
        body = (
            f"Hello {account.first_name},\n\n"
            "Our customer service team has created a Harbor & Pine account for you. Choose a password to\n"
            "sign in, see your orders and shop on your own:\n\n"
            f"{link}\n\n"
            f"The link works once and expires in {days} day{'s' if days != 1 else ''}. If it has expired,\n"
            f'use "Forgot password?" on the sign-in page with this email address ({account.email}).\n'
        )
    else:
        minutes = config.PASSWORD_RESET_MINUTES
        subject = "Reset your Harbor & Pine password"
        who = (
            "Customer service sent you this link at your request."
            if by_customer_service
            else "Someone, hopefully you, asked to reset the password of this account."
        )
        body = (
            f"Hello {account.first_name},\n\n"
            f"{who} Choose a new password here:\n\n"
            f"{link}\n\n"
            f"The link works once and expires in {minutes} minutes. If you did not ask for it, ignore this\n"
            "email: your password stays as it is.\n"
        )
    mail.send_on_commit(db, account.email, subject, body)


def send_welcome(db: Session, caller: Caller, account: Account) -> None:
    """Customer service created the account: mail the customer a link to choose their first password."""
    caller.require(CUSTOMER_ACCESS)
    token = _issue(db, account, WELCOME, created_by_id=caller.account_id)
    if token is None:
        raise DomainError("Too many links were sent to this customer in the last hour. Try again later.")
    _mail(db, account, WELCOME, token, by_customer_service=True)
    audit.record(
        db,
        caller,
        "password_link_sent",
        customer_id=account.id,
        details=f"Welcome link (set a password) sent to {account.email}",
    )


def send_link_for_customer(db: Session, caller: Caller) -> str:
    """A CSR on behalf sends the customer a fresh set-password link; returns the address it went to.

    A customer who never chose a password gets a new welcome link, anyone else a reset link. The CSR never
    sees the link.
    """
    caller.require(CUSTOMER_ACCESS)
    if not caller.on_behalf or caller.customer_id is None:
        raise Forbidden("Access the customer's account first.")
    account = db.get(Account, caller.customer_id)
    purpose = WELCOME if _never_set_password(db, account.id) else RESET
    token = _issue(db, account, purpose, created_by_id=caller.account_id)
    if token is None:
        raise DomainError(
            f"{config.PASSWORD_LINKS_PER_HOUR} links were already sent to this customer in the last hour. "
            "Ask them to check their inbox and spam folder, or try again later."
        )
    _mail(db, account, purpose, token, by_customer_service=True)
    kind = "Welcome link (set a password)" if purpose == WELCOME else "Password reset link"
    audit.record(
        db, caller, "password_link_sent", customer_id=account.id, details=f"{kind} sent to {account.email}"
    )
    return account.email


def _never_set_password(db: Session, account_id: int) -> bool:
    """Customer service created the account and no link of it was ever used."""
    tokens = db.exec(
        select(PasswordToken.purpose, PasswordToken.used_at).where(
            PasswordToken.account_id == account_id, PasswordToken.purpose.in_(SET_PASSWORD)
        )
    ).all()
    return any(p == WELCOME for p, _ in tokens) and all(used is None for _, used in tokens)


def _requests_per_source() -> throttle.Limit:
    return throttle.Limit("forgot-source", config.FORGOT_PASSWORD_PER_SOURCE_PER_HOUR, timedelta(hours=1))


def _links_per_source() -> throttle.Limit:
    return throttle.Limit("forgot-links", config.PASSWORD_LINKS_PER_HOUR, timedelta(hours=1))


def request_reset(db: Session, email: object, source: object = "") -> None:
    """Forgot password, asked from `source` (the client's address).

    Answers the same, and counts the same, whether or not the account exists (no account enumeration): an
    unknown or disabled address, or one past its limit, simply gets no mail. The quota of links is per
    address *and source*: a stranger asking for someone's links uses up only their own source's quota, so
    the owner, asking from their own network, always gets a link; a source asking too often in all is told
    to wait (docs/SECURITY.md).
    """
    address = clean(email).lower()
    error = email_error(address)
    if error:
        raise FieldErrors({"email": error})
    origin = throttle.source_of(source)
    wait = throttle.take(db, _requests_per_source(), origin)
    if wait:
        minutes = -(-wait // 60)
        raise DomainError(
            f"Too many password reset requests from your network. Please try again in {minutes} minutes."
        )
    if throttle.take(db, _links_per_source(), f"{address} {origin}"):
        return
    account = db.exec(select(Account).where(Account.email == address)).first()
    if account is None or account.status != "active":
        return
    token = _issue(db, account, RESET, counted=False)
    _mail(db, account, RESET, token, by_customer_service=False)


# -- using a link -------------------------------------------------------------------------------------


def _find(db: Session, token: object, purposes: tuple[str, ...] = SET_PASSWORD) -> PasswordToken:
    """The link's row, if it is one of `purposes`: an email-confirmation link never sets a password."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        raise InvalidLink(LINK_UNKNOWN)
    row = db.exec(
        select(PasswordToken).where(
            PasswordToken.token_hash == hash_token(token), PasswordToken.purpose.in_(purposes)
        )
    ).first()
    if row is None:
        raise InvalidLink(LINK_UNKNOWN)
    return row


def _refusal(db: Session, row: PasswordToken, account: Account | None) -> str | None:
    if account is None or account.status != "active":
        return LINK_CLOSED
    if row.used_at is not None:
        return LINK_USED
    if as_utc(row.expires_at) <= utcnow():
        newer = db.exec(
            select(PasswordToken.id).where(
                PasswordToken.account_id == row.account_id,
                PasswordToken.purpose == row.purpose,
                PasswordToken.id > row.id,
            )
        ).first()
        return LINK_REPLACED if newer is not None else LINK_EXPIRED
    return None


def check_link(db: Session, token: object) -> dict:
    """What the set-password page shows for a link: the account's email and the link's purpose."""
    row = _find(db, token)
    account = db.get(Account, row.account_id)
    refusal = _refusal(db, row, account)
    if refusal:
        raise InvalidLink(refusal)
    return {"email": account.email, "first_name": account.first_name, "purpose": row.purpose}


def set_password(db: Session, token: object, password: object, confirm: object) -> tuple[str, Account]:
    """Use the link: set the password, end every other session of the account, and sign it in.

    Returns the new session token and the account, like auth.sign_in.
    """
    row = _find(db, token)
    account = db.get(Account, row.account_id)
    refusal = _refusal(db, row, account)
    if refusal:
        raise InvalidLink(refusal)
    errors = {}
    problem = validate_password(password)
    if problem:
        errors["password"] = problem
    elif not isinstance(confirm, str) or confirm != password:
        errors["confirm"] = "The two passwords do not match."
    if errors:
        raise FieldErrors(errors)
    password_hash = hash_password(password)  # slow: before the UPDATE that takes the lock
    now = utcnow()
    won = db.exec(
        update_where(PasswordToken)
        .where(
            PasswordToken.id == row.id,
            PasswordToken.used_at.is_(None),
            PasswordToken.expires_at > now,
        )
        .values(used_at=now)
    ).rowcount
    if won != 1:
        db.refresh(row)
        raise InvalidLink(_refusal(db, row, account) or LINK_USED)
    _expire_unused(db, account.id, now, keep=row.id)  # every other link of the account stops working
    db.exec(update_where(Account).where(Account.id == account.id).values(password_hash=password_hash))
    clear_failures(db, account.email)  # the owner proved they hold the address
    for session in db.exec(select(AuthSession).where(AuthSession.account_id == account.id)).all():
        _end_auth_session(db, session, reason="password_reset")
    db.refresh(account)
    return _start_session(db, account), account
