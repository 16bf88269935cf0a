"""Small shared validators for form input; each returns a message or None."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

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
    """The ASCII digits of a text (a phone number's, say); `\\D` would keep "١٢٣" as digits."""
    return re.sub(r"[^0-9]", "", value)


def is_ascii_digits(value: str) -> bool:
    """Only 0-9, at least one. `str.isdigit()` is also true for "²", "١٢" and "１２", which `int()` then
    rejects or reads as a number: browser input is parsed with this instead."""
    return value.isascii() and value.isdigit()


def ascii_int(value: object, max_digits: int = 18) -> int | None:
    """A whole number the browser sent as text of ASCII digits (spaces around allowed), else None.

    `int()` alone would also take "²" (and raise), "١٢", "1_000" and "+1".
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not is_ascii_digits(value) or len(value) > max_digits:
        return None
    return int(value)


def parse_quantity(value: object) -> int | None:
    """A quantity from a form or event: an int 1..99, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = ascii_int(value, max_digits=3)
    if not isinstance(value, int) or not 1 <= value <= 99:
        return None
    return value


QUANTITY_MESSAGE = "Quantity must be a whole number from 1 to 99."

RETURN_TO_MAX = 2000


def _unsafe_char(ch: str) -> bool:
    """A backslash (browsers read it as "/"), whitespace, or a control or invisible formatting character."""
    return ch == "\\" or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def safe_return_to(target: object) -> str:
    """Where to go after signing in: a path on this site, else "/".

    A path starts with exactly one "/" and holds no backslash, whitespace or control character, neither as
    sent nor once percent-decoded (an encoded space, "%20", is fine), and no encoded "/" or "\\":
    `/\\evil.example`, `/%09/evil.example` and `/%2F/evil.example` are read by some browser or router as
    another site.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > RETURN_TO_MAX:
        return "/"
    decoded = unquote(target)
    if target.startswith("//") or decoded.startswith("//") or re.search(r"%(2f|5c)", target, re.IGNORECASE):
        return "/"
    if any(_unsafe_char(ch) for ch in target) or any(_unsafe_char(ch) and ch != " " for ch in decoded):
        return "/"
    return target
