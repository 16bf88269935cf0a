"""Registering online, confirmed by mail (SPEC §13, docs/SECURITY.md "Registration confirmed by mail").

The Register form answers the same for every address ("check your inbox"), counts the same and does the same
work (one password hash, one mail); only what the mail says differs, and only the address's owner reads it:

- an address without an account gets a *pending* account, which nobody can sign in to (its password hash is
  of a secret nobody knows), and a one-time link to `/confirm-account`; the hash of the password chosen
  travels with the link (`PasswordToken.password_hash`);
- an address whose account is still pending gets a new link: the older one stops working, and the names and
  password of this newest registration are the ones the account gets;
- an address with an account gets "someone tried to create an account with your address", with links to
  sign in and to choose a new password; nothing is created or changed.

Using the link takes the password chosen with it: the person finishing the registration is the one who chose
that password *and* reads the mailbox, so a link that a stranger's registration mailed to someone cannot make
its reader finish the stranger's account (pre-hijacking). Then the account becomes active, the browser is
signed in (app/services/identity.py, which also merges the browser's anonymous cart).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import config
from app.services import mail, throttle
from app.services.accounts import NAME_MAX, PENDING, create_account, refresh_search_columns
from app.services.auth import (
    _start_session,
    clear_failures,
    hash_password,
    validate_password,
    verify_password,
)
from app.services.db import as_utc, update_where, utcnow
from app.services.errors import DomainError, FieldErrors
from app.services.passwords import (
    LINK_CLOSED,
    PASSWORD_MAX,
    REGISTER,
    InvalidLink,
    _expire_unused,
    _find,
    _issue,
)
from app.services.tokens import new_token
from app.services.validation import clean, email_error, required
from models import Account, Cart, PasswordToken

# A pending account's password hash: argon2 of a secret nobody knows, so signing in to it costs one hash and
# fails like a wrong password (no answer, and no time, tells a pending account from an unknown address).
PENDING_HASH = hash_password(new_token())

LINK_USED = "This link has already been used: your account is ready. Sign in with your email and password."
LINK_DONE = "Your account is ready already. Sign in with your email and password."
LINK_EXPIRED = "This link has expired. Register again with the same email address to get a new one."
LINK_REPLACED = (
    "A newer link was sent after this one (you registered again). Use the link in the latest email."
)
WRONG_PASSWORD = (
    "That is not the password chosen when registering. If you registered more than once, use the password "
    "of your latest registration."
)
PASSWORD_NEEDED = "Enter the password you chose when you registered."


def link_for(token: str) -> str:
    return f"{config.PUBLIC_URL}/confirm-account?{urlencode({'token': token})}"


def _requests_per_source() -> throttle.Limit:
    return throttle.Limit("register-source", config.REGISTER_PER_SOURCE_PER_HOUR, timedelta(hours=1))


def _mails_per_address() -> throttle.Limit:
    """Mails one source makes the store send to one address: nobody floods a mailbox, and nobody uses up
    another source's quota (the owner's, say)."""
    return throttle.Limit("register-mails", config.PASSWORD_LINKS_PER_HOUR, timedelta(hours=1))


def _wrong_passwords() -> throttle.Limit:
    """Wrong passwords given with a pending account's link, as failed sign-ins are counted."""
    return throttle.Limit(
        "register-confirm",
        config.SIGNIN_MAX_FAILURES,
        timedelta(minutes=config.SIGNIN_WINDOW_MINUTES),
        timedelta(seconds=config.SIGNIN_SLOWDOWN_SECONDS),
    )


# -- registering --------------------------------------------------------------------------------------


def register(
    db: Session, first_name: object, last_name: object, email: object, password: object, source: object = ""
) -> str:
    """The Register form, sent from `source` (the client's address). Returns the address the answer names.

    Field errors for malformed input (they say nothing about any account); past the per-source limit a
    "too many registrations" refusal, the same for every address; otherwise the same answer whoever owns the
    address. Nothing is mailed while the source already had its hour's mails to this address.
    """
    first, last, address = clean(first_name), clean(last_name), clean(email).lower()
    password = password if isinstance(password, str) else ""
    errors = {
        "first_name": required(first, "First name", NAME_MAX),
        "last_name": required(last, "Last name", NAME_MAX),
        "email": email_error(address),
        "password": validate_password(password),
    }
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise FieldErrors(errors)
    origin = throttle.source_of(source)
    wait = throttle.take(db, _requests_per_source(), origin)
    if wait:
        minutes = -(-wait // 60)
        raise DomainError(f"Too many registrations from your network. Please try again in {minutes} minutes.")
    if throttle.take(db, _mails_per_address(), f"{address} {origin}"):
        return address  # the usual answer: this source had this address mailed often enough this hour
    password_hash = hash_password(password)  # the slow part, whoever owns the address
    account = db.exec(select(Account).where(Account.email == address)).first() or _create_pending(
        db, first, last, address
    )
    if account.status == PENDING:
        _send_link(db, account, first, last, password_hash)
    else:
        _tell_owner(db, account)
    return address


def _create_pending(db: Session, first: str, last: str, address: str) -> Account:
    try:
        with db.begin_nested():  # the unique index decides two registrations of one new address at once
            return create_account(
                db,
                first_name=first,
                last_name=last,
                email=address,
                password=None,
                password_hash=PENDING_HASH,
                status=PENDING,
            )
    except IntegrityError:
        pass
    except FieldErrors as e:
        if "email" not in e.errors:
            raise
    return db.exec(select(Account).where(Account.email == address)).one()


def _send_link(db: Session, account: Account, first: str, last: str, password_hash: str) -> None:
    """A new link for a pending account (older ones stop working); this registration's names and password
    are the account's once the link is used."""
    account.first_name, account.last_name = first, last
    refresh_search_columns(db, account)
    token = _issue(db, account, REGISTER, counted=False, password_hash=password_hash)
    hours = config.REGISTER_CONFIRM_HOURS
    # No name in this mail: whoever registers chooses it, and this mail goes to an address they typed.
    mail.send_on_commit(
        db,
        account.email,
        "Finish creating your Harbor & Pine account",
        "Hello,\n\n"
        "Someone, hopefully you, registered a Harbor & Pine account with this email address. To finish,\n"
        "open this link and enter the password you chose when registering:\n\n"
        f"{link_for(token)}\n\n"
        f"The link works once and expires in {hours} hour{'s' if hours != 1 else ''}. If you registered more\n"
        "than once, only the link in the latest email works.\n\n"
        "If you did not register, ignore this email: nobody can sign in with this address unless the link\n"
        "is used.\n",
    )


def _tell_owner(db: Session, account: Account) -> None:
    """The address has an account: nothing is created; its owner hears of the attempt."""
    mail.send_on_commit(
        db,
        account.email,
        "Someone tried to register with your Harbor & Pine email address",
        f"Hello {account.first_name},\n\n"
        "Someone, hopefully you, tried to register a new Harbor & Pine account with this email address\n"
        f"({account.email}). It already has an account, so nothing was created or changed.\n\n"
        "If it was you, sign in here:\n\n"
        f"{config.PUBLIC_URL}/login\n\n"
        "Forgot your password? Choose a new one here:\n\n"
        f"{config.PUBLIC_URL}/forgot-password\n\n"
        "If it was not you, you can ignore this email.\n",
    )


# -- using the link -----------------------------------------------------------------------------------


def _refusal(db: Session, row: PasswordToken, account: Account | None) -> str | None:
    if row.used_at is not None:
        return LINK_USED
    if account is None or account.status not in (PENDING, "active"):
        return LINK_CLOSED
    if account.status != PENDING:
        return LINK_DONE
    if as_utc(row.expires_at) <= utcnow():
        newer = db.exec(
            select(PasswordToken.id).where(
                PasswordToken.account_id == row.account_id,
                PasswordToken.purpose == REGISTER,
                PasswordToken.id > row.id,
            )
        ).first()
        return LINK_REPLACED if newer is not None else LINK_EXPIRED
    return None


def _usable(db: Session, token: object) -> tuple[PasswordToken, Account]:
    row = _find(db, token, (REGISTER,))
    account = db.get(Account, row.account_id)
    refusal = _refusal(db, row, account)
    if refusal:
        raise InvalidLink(refusal)
    return row, account


def check_link(db: Session, token: object) -> dict:
    """What the confirmation page shows before the password is typed: the address being registered."""
    _, account = _usable(db, token)
    return {"email": account.email}


def confirm(db: Session, token: object, password: object) -> tuple[str, Account]:
    """Use the link with the password chosen when registering: the account becomes active and is signed in.

    Returns the new session token and the account, like auth.sign_in. Wrong passwords are counted on the
    account (as failed sign-ins are) and committed before the hash is checked, so parallel guesses cannot pass
    the limit. Raises InvalidLink, or FieldErrors on the password.
    """
    row, account = _usable(db, token)
    password = password if isinstance(password, str) else ""
    if not password:
        raise FieldErrors({"password": PASSWORD_NEEDED})
    if len(password) > PASSWORD_MAX:
        raise FieldErrors({"password": f"Password must be at most {PASSWORD_MAX} characters."})
    now, subject, chosen = utcnow(), str(account.id), row.password_hash
    wait = throttle.take(db, _wrong_passwords(), subject, now)
    db.commit()  # counted before the slow hash, whatever happens next
    if wait:
        raise FieldErrors(
            {"password": f"Too many wrong passwords. Please wait {wait} seconds and try again."}
        )
    if not verify_password(password, chosen):
        paused = throttle.failed(db, _wrong_passwords(), subject, now)
        db.commit()  # the failure must count even though the caller's unit of work fails
        seconds = config.SIGNIN_SLOWDOWN_SECONDS
        raise FieldErrors(
            {
                "password": f"Too many wrong passwords. Please wait {seconds} seconds."
                if paused
                else WRONG_PASSWORD
            }
        )
    won = db.exec(
        update_where(PasswordToken)
        .where(PasswordToken.id == row.id, PasswordToken.used_at.is_(None), PasswordToken.expires_at > now)
        .values(used_at=now, password_hash="")
    ).rowcount
    if won != 1:
        db.refresh(row)
        db.refresh(account)
        raise InvalidLink(_refusal(db, row, account) or LINK_USED)
    activated = db.exec(
        update_where(Account)
        .where(Account.id == account.id, Account.status == PENDING)
        .values(status="active", password_hash=chosen)
    ).rowcount
    if activated != 1:  # disabled meanwhile; the unit of work rolls the link's use back too
        raise InvalidLink(LINK_CLOSED)
    throttle.clear(db, _wrong_passwords(), subject)
    _expire_unused(db, account.id, now, keep=row.id)
    clear_failures(db, account.email)  # the owner proved they hold the address
    db.refresh(account)
    return _start_session(db, account), account


# -- forgetting -------------------------------------------------------------------------------------------


def prune_pending(db: Session, now=None) -> int:
    """Remove pending accounts that nobody can finish any more: registered more than REGISTER_CONFIRM_HOURS
    ago and without a link that still works. Their address is free again (registering it later starts over).
    One conditional DELETE decides against a registration that mails a new link at the same moment."""
    now = now or utcnow()
    live_link = (
        select(PasswordToken.id)
        .where(PasswordToken.account_id == Account.id, PasswordToken.expires_at > now)
        .exists()
    )
    stale = select(Account.id).where(
        Account.status == PENDING,
        Account.created_at < now - timedelta(hours=config.REGISTER_CONFIRM_HOURS),
        ~live_link,
        ~select(Cart.id)
        .where(Cart.account_id == Account.id)
        .exists(),  # never, but never delete a cart's owner
    )
    ids = list(db.exec(stale).all())
    if not ids:
        return 0
    db.exec(
        delete(PasswordToken)
        .where(PasswordToken.account_id.in_(ids), PasswordToken.expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    return db.exec(
        delete(Account)
        .where(Account.id.in_(ids), Account.status == PENDING, ~live_link)
        .execution_options(synchronize_session=False)
    ).rowcount
