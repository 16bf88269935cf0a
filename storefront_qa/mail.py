"""The store's outgoing mail in tests: the `.eml` files it writes into `MAIL_OUTBOX_DIR`.

outbox = Outbox(store_server.outbox)     # or the `mail_outbox` fixture
path = outbox.set_password_link("smith15@example.com")   # "/set-password?token=…", waits for the mail
path = outbox.confirm_account_link("new@example.com")    # "/confirm-account?token=…", after registering
code = outbox.assist_code("smith15@example.com")         # a verification code customer service had mailed
path = outbox.cart_link("jane@example.com")              # "/login?next=/cart", a cart handed back with a link
page.goto(path)
"""

from __future__ import annotations

import email
import re
import time
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from urllib.parse import urlsplit

LINK = re.compile(r"https?://\S+/set-password\?token=[A-Za-z0-9_%\-]+")
CONFIRM_EMAIL_LINK = re.compile(r"https?://\S+/confirm-email\?token=[A-Za-z0-9_%\-]+")
CONFIRM_ACCOUNT_LINK = re.compile(r"https?://\S+/confirm-account\?token=[A-Za-z0-9_%\-]+")
ASSIST_CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
CART_LINK = re.compile(r"https?://\S+/login\?next=/cart")


class Outbox:
    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """Every message so far, oldest first; only those to `to` when given."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("*.eml")):
            msg = email.message_from_bytes(path.read_bytes(), policy=default)
            if to is None or msg["To"].strip().lower() == to.strip().lower():
                found.append(msg)
        return found

    def latest(self, to: str, *, after: int = 0, timeout: float = 10.0) -> EmailMessage:
        """The newest message to `to` once there are more than `after` of them (waits up to `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(to)
            if len(found) > after:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no new mail to {to} in {self.folder} within {timeout}s")
            time.sleep(0.2)

    def count(self, to: str) -> int:
        return len(self.messages(to))

    def set_password_link(self, to: str, *, after: int = 0, timeout: float = 10.0) -> str:
        """The path and query of the set-password link in the newest mail to `to`, for `page.goto`."""
        return self._link(LINK, "set-password", to, after, timeout)

    def confirm_email_link(self, to: str, *, after: int = 0, timeout: float = 10.0) -> str:
        """The path and query of the link confirming a new email address, mailed to that new address."""
        return self._link(CONFIRM_EMAIL_LINK, "confirm-email", to, after, timeout)

    def confirm_account_link(self, to: str, *, after: int = 0, timeout: float = 10.0) -> str:
        """The path and query of the link that finishes a registration, in the newest mail to `to` (an address
        that already has an account gets a mail without one instead: "someone tried to create an account")."""
        return self._link(CONFIRM_ACCOUNT_LINK, "confirm-account", to, after, timeout)

    def assist_code(self, to: str, *, after: int = 0, timeout: float = 10.0) -> str:
        """The verification code customer service had mailed to `to` (ASSISTANCE_VERIFY=code): from the newest
        such mail once there are more than `after` of them (`assist_code_count`)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._assist_code_mails(to)
            if len(found) > after:
                code = ASSIST_CODE.search(found[-1].get_content())
                if not code:
                    raise AssertionError(f"no code in the mail to {to}:\n{found[-1].get_content()}")
                return code.group(1)
            if time.monotonic() > deadline:
                raise AssertionError(f"no new verification code to {to} in {self.folder} within {timeout}s")
            time.sleep(0.2)

    def assist_code_count(self, to: str) -> int:
        return len(self._assist_code_mails(to))

    def _assist_code_mails(self, to: str) -> list[EmailMessage]:
        return [m for m in self.messages(to) if "verification code" in str(m["Subject"]).lower()]

    def cart_link(self, to: str, *, after: int = 0, timeout: float = 10.0) -> str:
        """The path and query of the link to the customer's cart, in the newest mail to `to` (customer service
        handed the cart back with a link): it goes through sign-in and lands on the cart. No token in it."""
        return self._link(CART_LINK, "cart", to, after, timeout)

    def _link(self, pattern: re.Pattern, kind: str, to: str, after: int, timeout: float) -> str:
        body = self.latest(to, after=after, timeout=timeout).get_content()
        found = pattern.search(body)
        if not found:
            raise AssertionError(f"no {kind} link in the mail to {to}:\n{body}")
        parts = urlsplit(found.group(0))
        return f"{parts.path}?{parts.query}"
