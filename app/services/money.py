"""Money is integer cents everywhere; this is the one formatting helper."""

from app.services.validation import is_ascii_digits


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def parse_cents(text: object) -> int | None:
    """'5', '5.5' or '$5.50' as cents; None for anything else (negative amounts included)."""
    if not isinstance(text, str):
        return None
    text = text.strip().removeprefix("$").replace(",", "")
    whole, _, frac = text.partition(".")
    if not is_ascii_digits(whole) and not (whole == "" and is_ascii_digits(frac)):
        return None
    if len(frac) > 2 or (frac and not is_ascii_digits(frac)) or len(whole) > 7:
        return None
    return int(whole or 0) * 100 + int(frac.ljust(2, "0") or 0)
