"""A customer changing their email address (SPEC §13): the new address takes effect only when the customer
opens the link mailed to it.

The link is a one-time token of the set-password machinery (app/services/passwords.py, purpose "email"):
stored hashed, expires after EMAIL_CHANGE_HOURS, replaced by the next request, and it dies when the password
is reset. The old address is told when the change is asked for and when it is made. Confirming ends the
account's other sign-in sessions and every outstanding link, so a set-password link mailed before the change
cannot be used after it. Customer service never starts a change (accounts.update_profile refuses).
"""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import config
from app.services import mail
from app.services.auth import _end_auth_session
from app.services.caller import Caller
from app.services.db import update_where, utcnow
from app.services.errors import FieldErrors
from app.services.passwords import EMAIL, InvalidLink, _expire_unused, _find, _issue, _refusal
from models import Account, AuthSession, PasswordToken

LINK_USED = "This link has already been used: the address it confirms was made the account's email then."
LINK_EXPIRED = "This link has expired. Change your email again in My Account to get a new one."
LINK_REPLACED = "A newer email change was asked for after this one. Use the link in the latest email."
LINK_TAKEN = "Another account uses this address now, so it cannot become yours. Choose another in My Account."
TOO_MANY = "Too many confirmation links were sent in the last hour. Please try again later."


def link_for(token: str) -> str:
    return f"{config.PUBLIC_URL}/confirm-email?{urlencode({'token': token})}"


def request(db: Session, account: Account, new_email: str) -> None:
    """Mail a confirmation link to `new_email` (already validated) and tell the current address.

    When another account has `new_email`, its owner is told that someone tried to use their address instead
    of being mailed a link; everything else (the answer, the pending address shown in My Account, the quota,
    the mail to the current address) is the same, so the form reveals no account.
    Raises a field error on email when the account had its hour's quota of confirmation links.
    """
    token = _issue(db, account, EMAIL, new_email=new_email)
    if token is None:
        raise FieldErrors({"email": TOO_MANY})
    if _taken(db, new_email, account.id):
        mail.send_on_commit(
            db,
            new_email,
            "Someone tried to use your email address at Harbor & Pine",
            "Hello,\n\n"
            "Someone asked to make this address the email of another Harbor & Pine account. It already\n"
            "belongs to your account, so nothing was changed and nothing needs doing.\n\n"
            'If you are worried, sign in and choose a new password ("Forgot password?" on the sign-in page).\n',
        )
    else:
        _mail_link(db, account, new_email, token)
    _tell_current_address(db, account, new_email)


def _mail_link(db: Session, account: Account, new_email: str, token: str) -> None:
    hours = config.EMAIL_CHANGE_HOURS
    mail.send_on_commit(
        db,
        new_email,
        "Confirm your new Harbor & Pine email address",
        f"Hello {account.first_name},\n\n"
        f"You asked to use this address ({new_email}) for your Harbor & Pine account. Confirm it here:\n\n"
        f"{link_for(token)}\n\n"
        f"The link works once and expires in {hours} hour{'s' if hours != 1 else ''}. Until then you sign in\n"
        f"with your current address. If you did not ask for this, ignore this email.\n",
    )


def _tell_current_address(db: Session, account: Account, new_email: str) -> None:
    mail.send_on_commit(
        db,
        account.email,
        "Your Harbor & Pine email address is about to change",
        f"Hello {account.first_name},\n\n"
        f"Someone, hopefully you, asked to change the email address of your Harbor & Pine account from\n"
        f"{account.email} to {new_email}. Nothing changes unless the link we sent to {new_email} is opened.\n\n"
        'If this was not you, reset your password now ("Forgot password?" on the sign-in page, with this\n'
        "address): that cancels the change. Then contact customer service.\n",
    )


def pending(db: Session, account_id: int) -> str:
    """The address a change waits to be confirmed for, or ""."""
    row = db.exec(
        select(PasswordToken.new_email)
        .where(
            PasswordToken.account_id == account_id,
            PasswordToken.purpose == EMAIL,
            PasswordToken.used_at.is_(None),
            PasswordToken.expires_at > utcnow(),
        )
        .order_by(PasswordToken.id.desc())
    ).first()
    return row or ""


def _taken(db: Session, email: str, account_id: int) -> bool:
    return (
        db.exec(select(Account.id).where(Account.email == email, Account.id != account_id)).first()
        is not None
    )


def confirm(db: Session, caller: Caller, token: object) -> dict:
    """Use the link: the account's email becomes the new address.

    Every other sign-in session of the account ends (this browser stays signed in if it is the account's
    own), every other outstanding link dies, and the old address is told. Raises InvalidLink.
    """
    row = _find(db, token, (EMAIL,))
    account = db.get(Account, row.account_id)
    refusal = _refusal(db, row, account)
    if refusal:
        raise InvalidLink(refusal)
    new_email, old_email = row.new_email, account.email
    if _taken(db, new_email, account.id):
        raise InvalidLink(LINK_TAKEN)
    now = utcnow()
    won = db.exec(
        update_where(PasswordToken)
        .where(PasswordToken.id == row.id, PasswordToken.used_at.is_(None), PasswordToken.expires_at > now)
        .values(used_at=now)
    ).rowcount
    if won != 1:
        db.refresh(row)
        raise InvalidLink(_refusal(db, row, account) or LINK_USED)
    try:
        with db.begin_nested():  # the unique index decides a race for the address
            db.exec(update_where(Account).where(Account.id == account.id).values(email=new_email))
    except IntegrityError:
        raise InvalidLink(LINK_TAKEN) from None
    # A set-password link mailed before the change must not outlive it, nor may another email change.
    _expire_unused(db, account.id, now, keep=row.id)
    here = caller.session_id if caller.account_id == account.id and not caller.on_behalf else None
    for session in db.exec(select(AuthSession).where(AuthSession.account_id == account.id)).all():
        if session.id != here:
            _end_auth_session(db, session, reason="email_changed")
    db.refresh(account)
    mail.send_on_commit(
        db,
        old_email,
        "Your Harbor & Pine email address was changed",
        f"Hello {account.first_name},\n\n"
        f"The email address of your Harbor & Pine account is now {new_email}; this address ({old_email})\n"
        "no longer signs in to it, and every other signed-in browser was signed out.\n\n"
        "If this was not you, contact customer service at once.\n",
    )
    return {"email": new_email, "first_name": account.first_name, "signed_in_here": here is not None}
