"""What a cart carries to its order besides lines and prices: the alternate pickup contact (someone else who
may collect the pickup lines) and a gift message per line (docs/PRODUCT.md §Shopping).

Both are saved on the cart from checkout under the cart's rules (one conditional UPDATE through
`carts.claim_change`: on behalf only the CSR holding the lock, the customer only while it is unlocked) and
copied by `orders.place_order`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.services import audit, carts
from app.services.caller import Caller
from app.services.db import get_by_id
from app.services.errors import DomainError, FieldErrors, NotFound
from app.services.validation import clean, email_error, phone_error, required
from models import Cart, CartLine

MAX_LINE_GIFT_MESSAGE = 200
CONTACT_FIELDS = ("alt_first_name", "alt_last_name", "alt_email", "alt_phone")
UNSAVED = "Save the pickup contact before placing the order (or empty it and save)."


@dataclass(frozen=True)
class PickupContact:
    """The alternate pickup contact as checkout shows it; all empty when there is none."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""

    @property
    def named(self) -> bool:
        return bool(self.first_name)

    def values(self) -> dict[str, str]:
        return dict(
            zip(CONTACT_FIELDS, (self.first_name, self.last_name, self.email, self.phone), strict=True)
        )


def validate_contact(form: object) -> tuple[PickupContact, dict[str, str]]:
    """A contact from the form's alt_* fields, and field errors. Every field empty means "nobody"."""
    form = form if isinstance(form, dict) else {}
    first, last, email, phone = (clean(form.get(name)) for name in CONTACT_FIELDS)
    contact = PickupContact(first, last, email.lower(), phone)
    if not any((first, last, email, phone)):
        return PickupContact(), {}
    errors = {
        "alt_first_name": required(first, "First name", 60),
        "alt_last_name": required(last, "Last name", 60),
        "alt_email": email_error(email),
        "alt_phone": phone_error(phone),
    }
    return contact, {k: v for k, v in errors.items() if v}


def saved_contact(cart: Cart | None) -> PickupContact:
    if cart is None:
        return PickupContact()
    return PickupContact(cart.alt_first_name, cart.alt_last_name, cart.alt_email, cart.alt_phone)


def pickup_contact(db: Session, caller: Caller) -> PickupContact:
    """The effective customer's saved alternate pickup contact."""
    return saved_contact(carts.account_cart(db, caller.require_customer(), create=False))


def save_contact(db: Session, caller: Caller, form: object, expected_version: object) -> PickupContact:
    """Validate and save the alternate pickup contact on the cart; nothing is written on a field error."""
    cart = carts.account_cart(db, caller.require_customer(), create=False)
    if cart is None:
        raise DomainError("Your cart is empty.")
    contact, errors = validate_contact(form)
    if errors:
        raise FieldErrors(errors)
    version = carts._version_arg(expected_version)
    carts.claim_change(db, cart, caller, version)
    for name, value in contact.values().items():
        setattr(cart, name, value)
    db.add(cart)
    db.flush()
    who = f"{contact.first_name} {contact.last_name} <{contact.email}>" if contact.named else "removed"
    audit.record(db, caller, "pickup_contact", cart_id=cart.id, details=f"alternate pickup contact: {who}")
    return contact


def check_saved(cart: Cart, form: object) -> tuple[PickupContact, dict[str, str]]:
    """At placing the order: the contact form as sent must be valid and the one saved on the cart."""
    contact, errors = validate_contact(form)
    if errors:
        return contact, errors
    if contact != saved_contact(cart):
        return contact, {"alt_contact": UNSAVED}
    return contact, {}


def set_line_gift_message(
    db: Session, caller: Caller, line_id: object, message: object, expected_version: object
) -> None:
    """One cart line's own gift message ("" removes it), under the cart's lock rules."""
    text = clean(message)
    if len(text) > MAX_LINE_GIFT_MESSAGE:
        raise DomainError(
            f"Keep each item's gift message under {MAX_LINE_GIFT_MESSAGE} characters.",
            field="line_gift_message",
        )
    cart = carts.account_cart(db, caller.require_customer(), create=False)
    line = get_by_id(db, CartLine, line_id)
    if cart is None or line is None or line.cart_id != cart.id:
        raise NotFound("That item is no longer in the cart.")
    if line.gift_message == text:
        return
    carts.claim_change(db, cart, caller, carts._version_arg(expected_version))
    line.gift_message = text
    db.add(line)
    db.flush()
    audit.record(
        db, caller, "line_gift_message", cart_id=cart.id, details=f"line {line.id}: {text or 'removed'}"
    )
