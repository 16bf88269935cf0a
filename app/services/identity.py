"""Who is signed in in a browser: the workflows of signing in, registering (and finishing it with the mailed
link), using a set-password link, signing out and ending an on-behalf session. The state layer only passes the
form and keeps the token.

Whoever was signed in in the browser before (`previous`) is signed out first: one browser, one person.
"""

from __future__ import annotations

from sqlmodel import Session

from app.services import auth, carts, onbehalf, passwords, registration
from app.services.caller import Caller


def _start(db: Session, previous: Caller, account, anon_key: str | None) -> None:
    if previous.session_id is not None:
        auth.end_session(db, previous.session_id, "csr_signed_out")
    if account.role == "shopper":
        carts.merge_anonymous(db, anon_key, account.id)


def sign_in(
    db: Session,
    previous: Caller,
    anon_key: str | None,
    email: object,
    password: object,
    *,
    device: object = "",
    source: object = "",
) -> str:
    """Check the credentials; returns the new session token (`device`: the browser's device cookie,
    `source`: the client's address; see auth.sign_in). The account comes to trust the browser when the
    session cookie is set (app/services/session_cookie.py `redeem`)."""
    token, account = auth.sign_in(db, email, password, device=device, source=source)
    _start(db, previous, account, anon_key)
    return token


def register(db: Session, form: dict, source: object = "") -> str:
    """The Register form: signs nobody in; mails the address (app/services/registration.py). Returns the
    address the answer names ("check your inbox at …"), the same whether or not it has an account."""
    return registration.register(
        db,
        form.get("first_name"),
        form.get("last_name"),
        form.get("email"),
        form.get("password"),
        source=source,
    )


def confirm_registration(
    db: Session, previous: Caller, anon_key: str | None, link: object, password: object
) -> tuple[str, str]:
    """Finish a registration with its mailed link and the password chosen then: the account becomes active,
    this browser signs in to it and its anonymous cart merges. Returns (token, first name)."""
    token, account = registration.confirm(db, link, password)
    _start(db, previous, account, anon_key)
    return token, account.first_name


def use_password_link(
    db: Session, previous: Caller, anon_key: str | None, link: object, password: object, confirm: object
) -> tuple[str, str]:
    """Set the password with a one-time link and sign in; returns (token, first name)."""
    token, account = passwords.set_password(db, link, password, confirm)
    _start(db, previous, account, anon_key)
    return token, account.first_name


def sign_out(db: Session, caller: Caller) -> None:
    """End the caller's sign-in session (and with it any on-behalf session and its cart lock)."""
    auth.end_session(db, caller.session_id, "csr_signed_out")


def end_on_behalf(db: Session, caller: Caller, reason: str) -> str:
    """End the caller's on-behalf session; returns the customer's name ('' when there was none)."""
    name = caller.customer_name if caller.on_behalf else ""
    onbehalf.end(db, caller, reason)
    return name
