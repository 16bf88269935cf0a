"""Mail that tells a customer what customer service did (and the verification code a CSR asked for) (docs/SECURITY.md "Consent"): that staff opened their
account (once per on-behalf session) and that an order was placed on their behalf. Both name the CSR by first
name only, and say where to see the rest (My Account lists every action of customer service)."""

from __future__ import annotations

from sqlmodel import Session

from app import config
from app.services import mail
from app.services.caller import Caller
from app.services.money import format_cents
from models import Account, Order


def account_accessed(db: Session, caller: Caller, customer: Account) -> None:
    mail.send_on_commit(
        db,
        customer.email,
        "Customer service opened your Harbor & Pine account",
        f"Hello {customer.first_name},\n\n"
        f"{caller.first_name} from our customer service team has just opened your account to help you, as you\n"
        'allowed. Everything they do is listed in My Account under "Changes made by customer service":\n\n'
        f"{config.PUBLIC_URL}/account\n\n"
        "If you did not ask for help, contact customer service and switch assistance off in My Account.\n",
    )


def assist_code(db: Session, caller: Caller, customer: Account, code: str) -> None:
    """The verification code a CSR asked to have mailed (ASSISTANCE_VERIFY=code); the CSR never sees it."""
    mail.send_on_commit(
        db,
        customer.email,
        "Your Harbor & Pine verification code",
        f"Hello {customer.first_name},\n\n"
        f"{caller.first_name} from our customer service team asked for your verification code, to open your\n"
        "account and help you. If you are talking to them now, tell them this code:\n\n"
        f"    {code}\n\n"
        f"It works once, for {config.ASSIST_CODE_MINUTES} minutes. Never give it to anyone else. If you did not ask "
        "for help,\nignore this mail: without the code nobody from customer service can open your account.\n",
        secret=code,
    )


def order_placed_on_behalf(db: Session, caller: Caller, customer: Account, order: Order) -> None:
    mail.send_on_commit(
        db,
        customer.email,
        f"Your Harbor & Pine order {order.number} was placed by customer service",
        f"Hello {customer.first_name},\n\n"
        f"{caller.first_name} from our customer service team placed order {order.number} for you\n"
        f"(total {format_cents(order.total_cents)}). You can see it here:\n\n"
        f"{config.PUBLIC_URL}/order/{order.number}\n\n"
        "If you did not ask for this order, contact customer service.\n",
    )
