"""Small shared validators for form input; each returns a message or None."""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def form_values(value: object) -> dict:
    """A submitted form as a browser sends it, a dict; anything else (a forged event) counts as an empty
    form, so the usual field errors say what is missing instead of a crash."""
    return value if isinstance(value, dict) else {}


def clean(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def required(value: str, label: str, max_len: int) -> str | None:
    if not value:
        return f"{label} is required."
    if len(value) > max_len:
        return f"{label} must be at most {max_len} characters."
    return None


def optional(value: str, label: str, max_len: int) -> str | None:
    if len(value) > max_len:
        return f"{label} must be at most {max_len} characters."
    return None


def email_error(value: str) -> str | None:
    if not value:
        return "Email is required."
    if len(value) > 254:
        return "Email must be at most 254 characters."
    if not EMAIL_RE.match(value):
        return "Enter a valid email address, like name@example.com."
    return None


def phone_error(value: str, *, needed: bool = False) -> str | None:
    if not value:
        return "Phone is required." if needed else None
    if len(value) > 30:
        return "Phone must be at most 30 characters."
    if not re.fullmatch(r"[0-9+()\-.\s]+", value) or len(digits(value)) < 7:
        return "Enter a valid phone number (at least 7 digits)."
    return None


def digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def parse_quantity(value: object) -> int | None:
    """A quantity from a form or event: an int 1..99, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 3:
            return None
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= 99:
        return None
    return value


QUANTITY_MESSAGE = "Quantity must be a whole number from 1 to 99."
