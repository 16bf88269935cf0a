"""Test-card checks: Luhn and expiry. Only the brand and the last four digits are ever kept."""

from __future__ import annotations

import re
from datetime import date

from app.services.validation import is_ascii_digits


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "Visa"
    if re.match(r"^(5[1-5]|2[2-7])", number):
        return "Mastercard"
    if re.match(r"^3[47]", number):
        return "Amex"
    if number.startswith("6"):
        return "Discover"
    return "Card"


def check_card(
    number: object, expiry: object, cvc: object, today: date | None = None
) -> tuple[dict, dict[str, str]]:
    """Returns ({brand, last4}, field errors)."""
    today = today or date.today()
    errors: dict[str, str] = {}
    digits = re.sub(r"[\s-]", "", number) if isinstance(number, str) else ""
    if not digits:
        errors["card_number"] = "Card number is required."
    elif not is_ascii_digits(digits) or not 13 <= len(digits) <= 19 or not luhn_ok(digits):
        errors["card_number"] = "This card number is not valid. Check the digits."
    exp = expiry.strip() if isinstance(expiry, str) else ""
    m = re.fullmatch(r"([0-9]{1,2})\s*/\s*([0-9]{2}|[0-9]{4})", exp)
    if not exp:
        errors["card_expiry"] = "Expiry date is required."
    elif not m or not 1 <= int(m.group(1)) <= 12:
        errors["card_expiry"] = "Enter the expiry as MM/YY."
    else:
        month, year = int(m.group(1)), int(m.group(2))
        year = year + 2000 if year < 100 else year
        if (year, month) < (today.year, today.month):
            errors["card_expiry"] = "This card has expired."
        elif year > today.year + 20:
            errors["card_expiry"] = "Enter the expiry as MM/YY."
    code = cvc.strip() if isinstance(cvc, str) else ""
    if not re.fullmatch(r"[0-9]{3,4}", code):
        errors["card_cvc"] = "Enter the 3 or 4 digit security code."
    if errors:
        return {}, errors
    return {"brand": brand_of(digits), "last4": digits[-4:]}, {}
