"""Whether customer service may shop on a customer's behalf: the store's consent policy and the customer's
choice (docs/SECURITY.md "Consent: the customer decides").

`ASSISTANCE_CONSENT` (app/config.py) decides what a customer who never touched the switch in My Account gets:
- `opt-out` (default): allowed until the customer switches assistance off;
- `opt-in`: refused until the customer switches it on;
- `always`: allowed, and My Account shows no switch (the store's terms say so).
Access is checked when a session starts and on every request of it (app/services/onbehalf.py), so a customer
switching off ends open sessions at once.
"""

from __future__ import annotations

from app import config
from models import Account

OPT_OUT, OPT_IN, ALWAYS = "opt-out", "opt-in", "always"


def policy() -> str:
    return config.ASSISTANCE_CONSENT


def switch_shown() -> bool:
    """Whether My Account offers the customer the switch."""
    return policy() != ALWAYS


def allows(account: Account) -> bool:
    """Customer service may shop on this customer's behalf (consent only; status and role are checked apart)."""
    if policy() == ALWAYS:
        return True
    if policy() == OPT_IN and account.assistance_chosen_at is None:
        return False
    return bool(account.allow_assistance)


def refusal(account: Account) -> str | None:
    """Why consent refuses access, in words a CSR can repeat to the customer; None when it allows."""
    if allows(account):
        return None
    name = f"{account.first_name} {account.last_name}"
    if policy() == OPT_IN and account.assistance_chosen_at is None:
        return (
            f"{name} has not switched on assistance from customer service. This store asks customers to allow it "
            "first (opt-in): the customer can switch it on in My Account."
        )
    return f"{name} has switched off assistance from customer service."
