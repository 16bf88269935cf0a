"""On-behalf sessions: a CSR accesses a customer's account, and ends it
(docs/PRODUCT.md §On-behalf session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from app import config
from app.services import assistcodes, audit, changes, consent, mail, notices, throttle
from app.services.caller import Caller
from app.services.carts import lock_active
from app.services.db import as_utc, get_by_id, update_where, utcnow
from app.services.errors import Forbidden, NotFound
from app.services.permissions import CUSTOMER_ACCESS, is_staff_role
from models import Account, AuthSession, Cart, OnBehalfSession

END_REASONS = {
    "signed_in_as_self": "CSR signed in as themself",
    "csr_signed_out": "CSR signed out",
    "switched_customer": "CSR accessed another customer",
    "idle": "Idle timeout",
    "customer_service_tab": "CSR returned to Customer Service",
    "csr_session_expired": "CSR session expired",
    "access_revoked": "Customer account no longer accessible",
    "password_reset": "CSR's password was reset",
    "handed_back": "Cart handed back to the customer",
}


@dataclass(frozen=True)
class RecentSession:
    """One of a CSR's recent on-behalf sessions, as the Customer Service page lists them."""

    id: int
    customer_id: int
    customer: str
    customer_number: str
    started: str  # "YYYY-MM-DD HH:MM UTC"
    ended: str  # "" while in progress
    outcome: str  # END_REASONS' words, or "In progress"


def idle_limit() -> timedelta:
    return timedelta(minutes=config.CSR_SESSION_IDLE_MINUTES)


def live_session(db: Session, on_behalf_id: int | None) -> OnBehalfSession | None:
    """A browser session's on-behalf session (its `on_behalf_id`) if it is still live; ends it when idle."""
    ob = db.get(OnBehalfSession, on_behalf_id) if on_behalf_id else None
    if ob is None or ob.ended_at is not None:
        return None
    if as_utc(ob.last_activity_at) + idle_limit() <= utcnow():
        close(db, ob, "idle")
        return None
    # Access is checked on every request, not only at start: a customer disabled or switched off
    # meanwhile is no longer reachable.
    customer = db.get(Account, ob.customer_id)
    if customer is None or customer.status != "active" or not consent.allows(customer):
        close(db, ob, "access_revoked")
        return None
    return ob


def access_refusal(db: Session, caller: Caller, customer: Account | None) -> str | None:
    """Why this caller may not access this account, or None when they may."""
    if not caller.can(CUSTOMER_ACCESS):
        return "You do not have permission to access customer accounts."
    if customer is None:
        return "That customer was not found."
    if is_staff_role(customer.role):
        return "Customer service accounts cannot be accessed on behalf."
    if customer.status == "pending":
        return "This customer has not finished registering (the confirmation link was not used yet)."
    if customer.status != "active":
        return "This account is disabled and cannot be accessed."
    return consent.refusal(customer)


def _accessible(db: Session, caller: Caller, customer_id: object) -> Account:
    caller.require(CUSTOMER_ACCESS)
    customer = get_by_id(db, Account, customer_id)
    refusal = access_refusal(db, caller, customer)
    if refusal:
        raise (NotFound if customer is None else Forbidden)(refusal)
    return customer


def code_needed(db: Session, caller: Caller, customer_id: object) -> tuple[int, str] | None:
    """Before asking the CSR for the customer's code: every refusal (consent included) comes first. The
    customer's id and name when a code is needed (ASSISTANCE_VERIFY=code), None when access needs none."""
    customer = _accessible(db, caller, customer_id)
    return (customer.id, f"{customer.first_name} {customer.last_name}") if assistcodes.required() else None


def start(
    db: Session, caller: Caller, customer_id: object, code: object = None, *, just_created: bool = False
) -> OnBehalfSession:
    """Open an on-behalf session; with ASSISTANCE_VERIFY=code only with the customer's code, which it uses up.
    `just_created`: the CSR created the account in this very transaction (customers.create_customer) for the
    caller on the phone; there is no code yet and nothing of the customer's to protect."""
    customer = _accessible(db, caller, customer_id)
    verify = assistcodes.required() and not just_created
    via = assistcodes.use(db, caller, customer, code) if verify else None
    auth_session = db.get(AuthSession, caller.session_id)
    # One on-behalf session per CSR: starting another ends the first, wherever it was opened.
    for old in db.exec(
        select(OnBehalfSession).where(
            OnBehalfSession.csr_id == caller.account_id, OnBehalfSession.ended_at.is_(None)
        )
    ):
        close(db, old, "switched_customer")
    ob = OnBehalfSession(csr_id=caller.account_id, customer_id=customer.id)
    db.add(ob)
    db.flush()
    auth_session.on_behalf_id = ob.id
    db.add(auth_session)
    details = f"Accessed {customer.customer_number}"
    if via is not None:
        details += " with the customer's code" + (
            " (mailed)" if via == assistcodes.MAIL else " (from My Account)"
        )
    audit.record(db, caller, "session_started", customer_id=customer.id, details=details)
    if not just_created:  # its welcome mail tells the customer that customer service created the account
        notices.account_accessed(db, caller, customer)
    return ob


def mail_code(db: Session, caller: Caller, customer_id: object) -> str:
    """At a CSR's request, mail the customer a fresh code (replacing an unused mailed one); returns the address.
    The CSR never sees the code; the mail names them by first name."""
    customer = _accessible(db, caller, customer_id)
    if not assistcodes.required():
        raise Forbidden("This store does not ask for a verification code.")
    if throttle.take(db, assistcodes.mails_per_customer(), str(customer.id)):
        raise Forbidden(
            f"{customer.first_name} was mailed {config.ASSIST_CODE_MAILS_PER_HOUR} codes in the last hour: ask "
            "for the code in My Account, or try again later."
        )
    issued = assistcodes.issue(db, customer.id, assistcodes.MAIL)
    notices.assist_code(db, caller, customer, issued.code)
    audit.record(
        db, caller, "access_code_mailed", customer_id=customer.id, details="Verification code mailed"
    )
    return customer.email


def close(db: Session, ob: OnBehalfSession, reason: str) -> bool:
    """End an on-behalf session: release the CSR's lock on the customer's cart and audit it.

    Decided in the database: when several paths end the same session at once (the sweeper on two
    workers, the CSR signing out), exactly one ends it, releases and audits. True for that one."""
    if ob.ended_at is not None:
        return False
    now = utcnow()
    won = db.exec(
        update_where(OnBehalfSession)
        .where(OnBehalfSession.id == ob.id, OnBehalfSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    ).rowcount
    db.refresh(ob)
    if won != 1:
        return False
    cart = db.exec(
        select(Cart).where(
            Cart.account_id == ob.customer_id, Cart.status == "active", Cart.locked_by_id == ob.csr_id
        )
    ).first()
    released = cart is not None and (
        db.exec(
            update_where(Cart)
            .where(Cart.id == cart.id, Cart.locked_by_id == ob.csr_id)
            .values(locked_by_id=None, locked_at=None, lock_expires_at=None, version=Cart.version + 1)
        ).rowcount
        == 1
    )
    if released:
        changes.cart_changed(db, cart.id, "unlock")
    db.exec(update_where(AuthSession).where(AuthSession.on_behalf_id == ob.id).values(on_behalf_id=None))
    details = END_REASONS.get(reason, reason) + ("; cart lock released" if released else "")
    audit.record_for(db, ob.csr_id, ob.customer_id, "session_ended", details=details)
    changes.session_ended(db, ob.id, reason)
    db.flush()
    return True


def why_ended(db: Session, on_behalf_id: object) -> tuple[str, str]:
    """Whom an on-behalf session was for and how it ended, in words: (customer's name, reason). For the tab that
    showed it: the id comes from that tab's server-side state (never from the browser); read from the database,
    because that tab may already show nobody (an event of its own ran after the end)."""
    ob = get_by_id(db, OnBehalfSession, on_behalf_id)
    if ob is None or ob.ended_at is None:
        return "the customer", "it ended"
    customer = db.get(Account, ob.customer_id)
    name = f"{customer.first_name} {customer.last_name}" if customer else "the customer"
    return name, END_REASONS.get(ob.end_reason, "it ended")


def end_all_for_customer(db: Session, customer_id: int, reason: str) -> int:
    """End every open on-behalf session for this customer; returns how many this call ended."""
    open_sessions = db.exec(
        select(OnBehalfSession).where(
            OnBehalfSession.customer_id == customer_id, OnBehalfSession.ended_at.is_(None)
        )
    ).all()
    return sum(close(db, ob, reason) for ob in open_sessions)


def end(db: Session, caller: Caller, reason: str) -> None:
    if caller.on_behalf_id is None:
        return
    ob = db.get(OnBehalfSession, caller.on_behalf_id)
    if ob is not None and ob.csr_id == caller.account_id:
        close(db, ob, reason)


def touch(db: Session, caller: Caller) -> None:
    """Note activity so the idle timeout restarts (a page the CSR uses is also a page seen open)."""
    if caller.on_behalf_id is not None:
        now = utcnow()
        db.exec(
            update_where(OnBehalfSession)
            .where(OnBehalfSession.id == caller.on_behalf_id)
            .values(last_activity_at=now, last_seen_at=now)
        )


def seen(db: Session, caller: Caller) -> None:
    """A page of the CSR's is open (not activity: the idle timeout runs on). Keeps their lock from
    being released as abandoned."""
    if caller.on_behalf_id is not None:
        db.exec(
            update_where(OnBehalfSession)
            .where(OnBehalfSession.id == caller.on_behalf_id)
            .values(last_seen_at=utcnow())
        )


def recent_sessions(db: Session, caller: Caller, limit: int = 10) -> list[RecentSession]:
    caller.require(CUSTOMER_ACCESS)
    rows = db.exec(
        select(OnBehalfSession, Account)
        .join(Account, Account.id == OnBehalfSession.customer_id)
        .where(OnBehalfSession.csr_id == caller.account_id)
        .order_by(OnBehalfSession.started_at.desc(), OnBehalfSession.id.desc())
        .limit(limit)
    )
    return [
        RecentSession(
            id=ob.id,
            customer_id=a.id,
            customer=f"{a.first_name} {a.last_name}",
            customer_number=a.customer_number,
            started=as_utc(ob.started_at).strftime("%Y-%m-%d %H:%M UTC"),
            ended=as_utc(ob.ended_at).strftime("%Y-%m-%d %H:%M UTC") if ob.ended_at else "",
            outcome=END_REASONS.get(ob.end_reason, ob.end_reason) if ob.ended_at else "In progress",
        )
        for ob, a in rows
    ]


def idle_deadline(db: Session, caller: Caller):
    if caller.on_behalf_id is None:
        return None
    ob = db.get(OnBehalfSession, caller.on_behalf_id)
    return as_utc(ob.last_activity_at) + idle_limit() if ob else None


# Where the mailed link takes the customer: their cart, after signing in. A signed-out /cart would show the
# browser's own (anonymous) cart, so the link goes through sign-in, which a signed-in customer skips. A
# plain deep link: no token, nothing in it signs anyone in.
CART_LINK_PATH = "/login?next=/cart"


def cart_link() -> str:
    return f"{config.PUBLIC_URL}{CART_LINK_PATH}"


def hand_back(db: Session, caller: Caller, *, mail_link: bool = False) -> tuple[str, int]:
    """Finish by handing the cart back: the customer checks out later and is told who prepared it. With
    `mail_link`, the customer is also mailed a link to their cart (once this transaction commits)."""
    if caller.on_behalf_id is None:
        raise Forbidden("Access a customer's account first.")
    cart = db.exec(select(Cart).where(Cart.account_id == caller.customer_id, Cart.status == "active")).first()
    if cart is not None and cart.locked_by_id not in (None, caller.account_id) and lock_active(cart):
        raise Forbidden("Another representative holds this cart's lock; it is theirs to hand back.")
    customer = db.get(Account, caller.customer_id) if mail_link else None
    if customer is not None:
        _mail_cart_link(db, caller, customer)
    if cart is not None or customer is not None:
        audit.record(
            db,
            caller,
            "cart_handed_back",
            cart_id=cart.id if cart is not None else None,
            details=f"Link to the cart mailed to {customer.email}" if customer is not None else "",
        )
    if cart is not None:
        cart.prepared_by_id = caller.account_id
        db.add(cart)
        changes.cart_changed(db, cart.id)
    name = caller.customer_name
    end(db, caller, "handed_back")
    return name, cart.id if cart is not None else 0


def _mail_cart_link(db: Session, caller: Caller, customer: Account) -> None:
    body = (
        f"Hello {customer.first_name},\n\n"
        f"{caller.first_name} from our customer service team has prepared your Harbor & Pine cart. Sign in to\n"
        "finish checking out whenever you are ready:\n\n"
        f"{cart_link()}\n\n"
        "The link opens your cart once you are signed in; it does not sign you in by itself. Nothing is\n"
        "ordered until you place the order yourself.\n"
    )
    mail.send_on_commit(db, customer.email, "Your Harbor & Pine cart is ready — sign in to finish", body)
