"""Mail that tells a customer what customer service did (docs/SECURITY.md "Consent: the customer
decides"): that staff opened their account (once per on-behalf session) and that an order was placed on their
behalf. Both name the CSR by first name only, and say where to see the rest (My Account lists every action of
customer service). Every order's confirmation is here too (placed on behalf, it is that mail), and the verification code a CSR
asked to have mailed."""

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


def order_placed(
    db: Session, caller: Caller | None, customer: Account, order: Order, lines: list[str]
) -> None:
    """The order's confirmation, one mail per order: its lines and where each is picked up, the alternate
    pickup contact, customer service's reductions, the total. Placed on behalf (`caller` the CSR), the same
    mail also says who placed it, so the customer does not get two mails for one order."""
    on_behalf = caller is not None
    subject = (
        f"Your Harbor & Pine order {order.number} was placed by customer service"
        if on_behalf
        else f"Your Harbor & Pine order {order.number} is confirmed"
    )
    intro = (
        f"{caller.first_name} from our customer service team placed order {order.number} for you."
        if on_behalf
        else f"Thank you for your order {order.number}."
    )
    body = [f"Hello {customer.first_name},", "", intro, "", *lines, ""]
    if order.shipping_adjustment_cents:
        body.append(
            f"Shipping reduced by {format_cents(order.shipping_adjustment_cents)} "
            f"({order.shipping_adjustment_reason})"
        )
    if order.order_adjustment_cents:
        body.append(
            f"Order total reduced by {format_cents(order.order_adjustment_cents)} ({order.order_adjustment_reason})"
        )
    body.append(f"Total {format_cents(order.total_cents)}")
    if order.alt_first_name:
        contact = ", ".join(
            p
            for p in (f"{order.alt_first_name} {order.alt_last_name}", order.alt_email, order.alt_phone)
            if p
        )
        body += ["", f"Alternate pickup contact: {contact} may also collect the items picked up in store."]
    if order.gift_message:
        body += ["", f'Gift message: "{order.gift_message}"']
    body += ["", "You can see it here:", "", f"{config.PUBLIC_URL}/order/{order.number}", ""]
    if on_behalf:
        body.append("If you did not ask for this order, contact customer service.")
    mail.send_on_commit(db, customer.email, subject, "\n".join(body) + "\n")
